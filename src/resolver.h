/* resolver.h - the libresolv wrapper: DNS questions with exact answers. */
#ifndef CCMDIAG_RESOLVER_H
#define CCMDIAG_RESOLVER_H

#include <stddef.h>
#include <stdint.h>

/*
 * Ask the system's resolver (resolv.conf) one question with no search list.
 * Returns the reply length (the raw message is in ans, for dns_decode;
 * SERVFAIL and REFUSED replies included), or -1 with *err set:
 * ERR_TIMEOUT when no server answered, ERR_REFUSED when the servers'
 * port refused the question.
 */
int resolver_query(const char *name, int type, uint8_t *ans, size_t anslen,
    double timeout, int *err);
/* "10.77.0.5" -> "5.0.77.10.in-addr.arpa"; 0 on success. */
int resolver_reverse_name(const char *addr, char *buf, size_t n);

/* The resolver's search list (resolv.conf "search"), in its order;
 * returns how many were written to out. */
int resolver_search_list(char out[][256], int max);
/*
 * Where the system would connect for name: getaddrinfo, so NSS in the
 * machine's order (hosts file, DNS with the search list, ...).  Up to max
 * numeric addresses in addrs, *n_out of them; the canonical name NSS gives
 * in canon.  0, ERR_NOT_FOUND, ERR_TIMEOUT or ERR_NOMEM.
 */
int resolver_system(const char *name, char addrs[][64], int max, int *n_out,
    char *canon, size_t cn);
/* 1 when name is an IPv4 or IPv6 address literal. */
int resolver_is_address(const char *name);

#endif
