/* bcryptprimitives.dll for Wine 8.0, which lacks ProcessPrng: Rust's std
 * (1.78 and later) imports it for its random keys, and the exe exits with
 * status 53 without it. Forwards to advapi32's SystemFunction036
 * (RtlGenRandom), which Wine has. Built by scripts/wine-setup. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
