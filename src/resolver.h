/* resolver.h - the libresolv wrapper: DNS questions with exact answers. */
#ifndef CCMDIAG_RESOLVER_H
#define CCMDIAG_RESOLVER_H

#include <stddef.h>
#include <stdint.h>

/*
 * Ask the system's resolver (resolv.conf) one question with no search list.
 * Returns the reply length (the raw message is in ans, for dns_decode), or
 * -1 with *err set: ERR_TIMEOUT when no server answered.
 */
int resolver_query(const char *name, int type, uint8_t *ans, size_t anslen,
    double timeout, int *err);
/* "10.77.0.5" -> "5.0.77.10.in-addr.arpa"; 0 on success. */
int resolver_reverse_name(const char *addr, char *buf, size_t n);

#endif
