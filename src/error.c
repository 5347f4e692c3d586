/* error.c - error code strings, and library errors in one form. */
#include <stdio.h>
#include <string.h>

#include "error.h"

static const char *const texts[] = {
#define E(name, text) text,
#include "errors.def"
#undef E
};

const char *
err_str(int code)
{
	if (code < 0 || code >= ERR__COUNT)
		return "unknown error";
	return texts[code];
}

static const char *
lib_name(int err)
{
	switch (err) {
	case ERR_SYSTEM:
		return "errno";
	case ERR_KRB5:
		return "krb5";
	case ERR_CURL:
		return "curl";
	case ERR_LDAP:
		return "ldap";
	case ERR_PCAP:
		return "pcap";
	case ERR_CRYPTO:
		return "openssl";
	default:
		return "ccmdiag";
	}
}

void
err_lib(char *buf, size_t n, int err, long code, const char *name,
    const char *msg)
{
	if (n == 0)
		return;
	if (msg == NULL || msg[0] == '\0')
		msg = err_str(err);
	if (name && name[0] && code < 0 && code > -100)
		/* a library's own small negative code: its name says it */
		snprintf(buf, n, "%s (%s %s)", msg, lib_name(err), name);
	else if (name && name[0])
		snprintf(buf, n, "%s (%s %s, %ld)", msg, lib_name(err), name,
		    code);
	else
		snprintf(buf, n, "%s (%s %ld)", msg, lib_name(err), code);
}

void
err_errno(char *buf, size_t n, int errnum)
{
	err_lib(buf, n, ERR_SYSTEM, errnum, strerrorname_np(errnum),
	    strerror(errnum));
}
