/*
 * LD_PRELOAD library for Wine's Unix side when a Linux pseudo-terminal stands in for a COM port
 * (scripts/windows/test.sh maps COM5 onto the pty that `flashrecipe sim usart` serves). It stands in for what a
 * virtual COM port driver on Windows does and a pty cannot:
 *
 * Parity. Linux ptys drop PARENB/PARODD/CMSPAR on tcsetattr, so after SetCommState(8E1) GetCommState would report
 * 8N1 and flashrecipe rightly refuses the port (E_PORT_SETTINGS). Here tcsetattr gives the pty the settings
 * without parity bits (with them, glibc's read-back comparison makes the next tcsetattr fail with EINVAL) and
 * remembers the bits per pty; tcgetattr reports them back. Bytes pass unchanged, as over a virtual port.
 *
 * Modem lines. A pty has none: TIOCMGET/TIOCMSET/TIOCMBIS/TIOCMBIC fail with ENOTTY, which Windows programs see
 * as EscapeCommFunction failing (flashrecipe: E_NO_MODEM_LINES). When FLASHRECIPE_LINES_LOG names a file, this
 * library answers those requests on ptys itself (CTS and DSR asserted) and appends every change of DTR/RTS to the
 * file as "DTR=<0|1> RTS=<0|1>", so the test can check the order of an enter-boot sequence. Without the variable
 * the pty's own ENOTTY comes through.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>

#define PARITY_BITS ((tcflag_t)(PARENB | PARODD | CMSPAR))
#define TRACKED_PTYS 8

struct pty_parity {
  dev_t device;
  tcflag_t bits;
};
static struct pty_parity parity_of[TRACKED_PTYS];
static int tracked;
static int lines; /* TIOCM_DTR | TIOCM_RTS as last set; the test maps a single port */

/* The device number of a Unix98 pty slave (char majors 136-143, Documentation/admin-guide/devices.txt), else 0. */
static dev_t pty_slave(int fd) {
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0 || !S_ISCHR(st.st_mode)) return 0;
  return major(st.st_rdev) >= 136 && major(st.st_rdev) <= 143 ? st.st_rdev : 0;
}

static struct pty_parity *parity_entry(dev_t device, int create) {
  for (int i = 0; i < tracked; i++) {
    if (parity_of[i].device == device) return &parity_of[i];
  }
  if (!create || tracked == TRACKED_PTYS) return NULL;
  parity_of[tracked].device = device;
  return &parity_of[tracked++];
}

int tcsetattr(int fd, int when, const struct termios *settings) {
  static int (*next)(int, int, const struct termios *);
  if (!next) next = (int (*)(int, int, const struct termios *))dlsym(RTLD_NEXT, "tcsetattr");
  dev_t device = settings ? pty_slave(fd) : 0;
  if (!device) return next(fd, when, settings);
  struct termios without_parity = *settings;
  without_parity.c_cflag &= ~PARITY_BITS;
  int result = next(fd, when, &without_parity);
  struct pty_parity *entry = result == 0 ? parity_entry(device, 1) : NULL;
  if (entry) entry->bits = settings->c_cflag & PARITY_BITS;
  return result;
}

int tcgetattr(int fd, struct termios *settings) {
  static int (*next)(int, struct termios *);
  if (!next) next = (int (*)(int, struct termios *))dlsym(RTLD_NEXT, "tcgetattr");
  int result = next(fd, settings);
  dev_t device = result == 0 ? pty_slave(fd) : 0;
  struct pty_parity *entry = device ? parity_entry(device, 0) : NULL;
  if (entry) settings->c_cflag = (settings->c_cflag & ~PARITY_BITS) | entry->bits;
  return result;
}

static void log_lines(const char *path) {
  FILE *log = fopen(path, "a");
  if (!log) return;
  fprintf(log, "DTR=%d RTS=%d\n", (lines & TIOCM_DTR) != 0, (lines & TIOCM_RTS) != 0);
  fclose(log);
}

int ioctl(int fd, unsigned long request, ...) {
  static int (*next)(int, unsigned long, ...);
  if (!next) next = (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT, "ioctl");
  va_list args;
  va_start(args, request);
  void *argument = va_arg(args, void *);
  va_end(args);
  const char *log = getenv("FLASHRECIPE_LINES_LOG");
  int modem_request = request == TIOCMGET || request == TIOCMSET || request == TIOCMBIS || request == TIOCMBIC;
  if (!modem_request || !log || !pty_slave(fd)) return next(fd, request, argument);
  int *bits = (int *)argument, before = lines;
  if (request == TIOCMGET) {
    *bits = lines | TIOCM_CTS | TIOCM_DSR;
    return 0;
  }
  if (request == TIOCMSET) lines = *bits & (TIOCM_DTR | TIOCM_RTS);
  if (request == TIOCMBIS) lines |= *bits & (TIOCM_DTR | TIOCM_RTS);
  if (request == TIOCMBIC) lines &= ~*bits;
  if (lines != before) log_lines(log);
  return 0;
}
