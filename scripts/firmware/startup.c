/*
 * Startup code for the STM32F103 demo firmware: the Cortex-M3 vector table and the reset handler that copies
 * .data from its load address in flash to RAM, zeroes .bss and calls main.
 *
 * The first two vector table words are the initial stack pointer and the reset handler (ARMv7-M Architecture
 * Reference Manual B1.5.3); the core reads them from address 0, aliased to 0x08000000 when booting from flash
 * (RM0008 §3.4).
 */
#include <stdint.h>

/* Symbols from stm32f103c8.ld. */
extern uint32_t _estack;
extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss;

int main(void);

void Reset_Handler(void);
void Default_Handler(void);

void Reset_Handler(void) {
  const uint32_t *source = &_sidata;
  for (uint32_t *target = &_sdata; target < &_edata;) *target++ = *source++;
  for (uint32_t *target = &_sbss; target < &_ebss;) *target++ = 0;
  main();
  for (;;) {
  }
}

void Default_Handler(void) {
  for (;;) {
  }
}

/* Exceptions 1-15 of the Cortex-M3 (ARMv7-M ARM B1.5.2); peripheral interrupts stay disabled in this demo. */
__attribute__((section(".isr_vector"), used)) static void (*const vector_table[16])(void) = {
    (void (*)(void))(&_estack), /* 0: initial main stack pointer */
    Reset_Handler,              /* 1: reset */
    Default_Handler,            /* 2: NMI */
    Default_Handler,            /* 3: HardFault */
    Default_Handler,            /* 4: MemManage */
    Default_Handler,            /* 5: BusFault */
    Default_Handler,            /* 6: UsageFault */
    0,
    0,
    0,
    0,
    Default_Handler, /* 11: SVCall */
    Default_Handler, /* 12: DebugMonitor */
    0,
    Default_Handler, /* 14: PendSV */
    Default_Handler, /* 15: SysTick */
};
