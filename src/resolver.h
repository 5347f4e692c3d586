/*
 * resolver.h - the libresolv wrapper: DNS questions with exact answers,
 * each bounded by a deadline (now_mono() seconds).
 */
#ifndef CCMDIAG_RESOLVER_H
#define CCMDIAG_RESOLVER_H

#include <stddef.h>
#include <stdint.h>

#include "netx.h"

/* How one question went, for an event's text. */
struct resolver_trace {
	int err;		/* 0, or ERR_TIMEOUT (no server answered),
				 * ERR_REFUSED (their port refused it),
				 * ERR_MALFORMED (garbage), ... */
	char server[64];	/* the server that answered, else the first
				 * one asked */
	enum netx_proto proto;	/* how the answer came */
	int at_deadline;	/* the last wait ended at the deadline */
	char text[400];		/* "UDP 10.77.0.2:53: no answer in 1.0 s; ..."
				 * for every server that did not answer */
};

/*
 * Ask the servers of resolv.conf one question, no search list, as glibc
 * would (each server in turn, its attempts, TCP when the answer is cut
 * short), but with ccmdiag's own transport so that no wait passes the
 * deadline; a truncated answer whose TCP retry fails is that failure.
 * Returns the reply length (the raw message is in ans, for dns_decode;
 * SERVFAIL and REFUSED replies included), or -1 with tr->err set.
 */
int resolver_query(const char *name, int type, uint8_t *ans, size_t anslen,
    double deadline, struct resolver_trace *tr);
/* "10.77.0.5" -> "5.0.77.10.in-addr.arpa"; 0 on success. */
int resolver_reverse_name(const char *addr, char *buf, size_t n);

/* The resolver's search list (resolv.conf "search"), in its order;
 * returns how many were written to out. */
int resolver_search_list(char out[][256], int max);
/*
 * Where the system would connect for name: getaddrinfo, so NSS in the
 * machine's order (hosts file, DNS with the search list, ...), given up at
 * the deadline.  Up to max numeric addresses in addrs, *n_out of them; the
 * canonical name NSS gives in canon.  0, ERR_NOT_FOUND, ERR_TIMEOUT (the
 * deadline came first) or ERR_NOMEM.
 */
int resolver_system(const char *name, char addrs[][64], int max, int *n_out,
    char *canon, size_t cn, double deadline);
/* 1 when name is an IPv4 or IPv6 address literal. */
/*
 * Bound the waits of the DNS lookups that libraries make on their own
 * (MIT's KDC location, libldap's connect): RES_OPTIONS for glibc's stub
 * resolver, set before the first lookup of the process.  Per question and
 * server: timeout seconds, one attempt.
 */
void resolver_bound_libraries(int timeout);

#endif
