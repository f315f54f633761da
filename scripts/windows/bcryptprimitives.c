/*
 * bcryptprimitives.dll for Wine 8.0, which has none. deno.exe is built with Rust 1.78 or later, whose standard
 * library takes its random bytes from ProcessPrng in this DLL; without it the Windows loader refuses deno.exe
 * (status c0000135). This one export hands the request to advapi32's RtlGenRandom (exported as
 * SystemFunction036), which Wine has. Built by scripts/windows/setup.sh with mingw-w64; used only under Wine.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
  /* RtlGenRandom takes a ULONG length: hand over large requests in parts. */
  const SIZE_T part = 1u << 28;
  while (length > 0) {
    ULONG size = (ULONG)(length < part ? length : part);
    if (!SystemFunction036(data, size)) return FALSE;
    data += size;
    length -= size;
  }
  return TRUE;
}
