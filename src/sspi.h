/* sspi.h - SSPI/Win32 status names, as IIS logs them in sc-win32-status. */
#ifndef CCMDIAG_SSPI_H
#define CCMDIAG_SSPI_H

#include <stdint.h>

/* "SEC_E_NO_CREDENTIALS" for 0x8009030E, NULL when unknown. */
const char *sspi_status_name(uint32_t code);
/* One short explanation of the status, NULL when unknown. */
const char *sspi_status_text(uint32_t code);

#endif
