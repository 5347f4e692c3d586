/* privs.h - process hygiene: privileges after the capture handle is open,
 * and the temporary files a run must not leave behind. */
#ifndef CCMDIAG_PRIVS_H
#define CCMDIAG_PRIVS_H

/*
 * Drop every capability of the process (its uid stays, so files it owns
 * stay readable) and forbid regaining any.  Call before starting threads.
 * 0, or ERR_PRIVILEGE.
 */
int privs_drop(void);

/*
 * Temporary files of the run (krb5 profile, raw capture): registered when
 * made, forgotten when removed.  On SIGINT, SIGTERM or SIGHUP after
 * privs_catch_signals() every registered file is removed, one line says
 * the run was interrupted, and the process exits with status 3.  path is
 * copied; at most PRIVS_MAX_TMP files.  0, or ERR_TOO_LARGE.
 */
#define PRIVS_MAX_TMP 8
int privs_tmp_add(const char *path);
void privs_tmp_forget(const char *path);
void privs_catch_signals(void);

#endif
