/* error.h - ccmdiag's one error list, generated from errors.def. */
#ifndef CCMDIAG_ERROR_H
#define CCMDIAG_ERROR_H

#include <stddef.h>

enum err {
#define E(name, text) ERR_##name,
#include "errors.def"
#undef E
	ERR__COUNT
};

const char *err_str(int code);

/*
 * A library's own failure, the one way every part reports it: the
 * library's message verbatim, then which library (err: ERR_SYSTEM for
 * errno, ERR_KRB5, ERR_CURL, ERR_LDAP, ERR_PCAP, ERR_CRYPTO) and its own
 * code, by name when one is given:
 *   "Cannot contact any KDC (krb5 KRB5_KDC_UNREACH, -1765328228)"
 *   "Timeout was reached (curl 28)"
 *   "Connection refused (errno ECONNREFUSED, 111)"
 *   "Can't contact LDAP server (ldap LDAP_SERVER_DOWN)"
 * (a small negative code is named only).  msg NULL: err_str(err).  Never
 * fails; truncates to n.
 */
void err_lib(char *buf, size_t n, int err, long code, const char *name,
    const char *msg);
/* errno's own message and name through err_lib. */
void err_errno(char *buf, size_t n, int errnum);

#endif
