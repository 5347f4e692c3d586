/* privs.h - giving up privileges once the capture handle is open. */
#ifndef CCMDIAG_PRIVS_H
#define CCMDIAG_PRIVS_H

/*
 * Drop every capability of the process (its uid stays, so files it owns
 * stay readable) and forbid regaining any.  Call before starting threads.
 * 0, or ERR_PRIVILEGE.
 */
int privs_drop(void);

#endif
