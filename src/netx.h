/*
 * netx.h - one request and its reply over UDP, or over TCP with a
 * big-endian length prefix, bounded by a deadline.  ccmdiag's own transport
 * for the exchanges whose waits the libraries do not let it bound: KDC
 * requests (4-byte prefix, RFC 4120 7.2.2) and DNS questions (2-byte
 * prefix, RFC 1035 4.2.2).
 */
#ifndef CCMDIAG_NETX_H
#define CCMDIAG_NETX_H

#include <stddef.h>
#include <stdint.h>

enum netx_proto { NETX_UDP = 1, NETX_TCP };

/* How one exchange ended. */
enum netx_outcome {
	NETX_ANSWERED = 1,	/* a whole reply */
	NETX_SILENT,		/* nothing came before the wait ended */
	NETX_PARTIAL,		/* part of a reply when the wait ended */
	NETX_REFUSED,		/* ICMP port unreachable, or RST to the SYN */
	NETX_UNREACHABLE,	/* no route to the host */
	NETX_CUT,		/* the stream ended or was reset mid-reply */
	NETX_OVERSIZED,		/* the length prefix passes the bound */
	NETX_REJECTED,		/* datagrams came, none the reply (accept) */
	NETX_LOCAL,		/* a failure of this machine (socket, memory) */
};

struct netx_result {
	enum netx_outcome outcome;
	int sys_errno;		/* the socket error behind it, or 0 */
	size_t got;		/* reply bytes read (prefix excluded) */
	size_t prefix_got;	/* TCP: bytes of the length prefix read */
	unsigned long want;	/* TCP: the length the prefix announced */
	int connected;		/* TCP: the connection was made */
	int rejected;		/* UDP: datagrams accept() turned down */
	double elapsed;		/* seconds */
	int at_deadline;	/* the wait ended because the deadline came */
};

/* UDP: whether a datagram is the reply (a DNS ID that matches); 1 yes. */
typedef int (*netx_accept_fn)(void *arg, const uint8_t *p, size_t n);

/*
 * Send req to addr (numeric) port over proto and wait until deadline
 * (now_mono() seconds) for the reply; prefix is the TCP length prefix's
 * size (2 or 4).  A reply of up to max bytes goes to a new *reply of *rlen
 * bytes the caller frees.  0 with res->outcome NETX_ANSWERED, else
 * ERR_TIMEOUT, ERR_REFUSED, ERR_MALFORMED (cut, oversized, rejected) or
 * ERR_IO/ERR_NOMEM, res saying which.  accept may be NULL.
 */
int netx_exchange(const char *addr, int port, enum netx_proto proto,
    size_t prefix, const uint8_t *req, size_t len, size_t max,
    double deadline, netx_accept_fn accept, void *arg, uint8_t **reply,
    size_t *rlen, struct netx_result *res);
/* "no answer in 1.2 s", "refused (ICMP port unreachable)", ...: what res
 * says, in words, for an event's text. */
void netx_describe(const struct netx_result *res, enum netx_proto proto,
    char *buf, size_t n);
const char *netx_proto_name(enum netx_proto proto);

#endif
