/*
 * kdc.h - ccmdiag's own KDC transport: a realm's KDCs as the client finds
 * them (krb5.conf's kdc lines, else the _kerberos SRV records), each with
 * its own port, and one request sent to them, UDP then TCP, that ends by a
 * deadline whatever the KDC does.  The Kerberos library's KDC traffic goes
 * through here (src/gss.c installs it as MIT's KDC send hook), and so does
 * the clock probe's.
 */
#ifndef CCMDIAG_KDC_H
#define CCMDIAG_KDC_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "netx.h"

#define KDC_PORT 88
#define KDC_MAX_SERVERS 16
#define KDC_MAX_ATTEMPTS 24
#define KDC_MAX_REPLY (1024 * 1024)	/* MIT's own bound on a TCP reply */
#define KDC_UDP_WAIT 1.0		/* MIT's first wait before TCP */

struct kdc_server {
	char host[256];		/* as configured, or the SRV target */
	char addr[64];		/* numeric */
	int port;
	enum netx_proto proto;
	const char *origin;	/* "krb5.conf", "DNS SRV" */
};

struct kdc_list {
	char realm[128];
	struct kdc_server s[KDC_MAX_SERVERS];
	int n;
	char why[400];		/* with n 0: why none was found */
	int timed_out;		/* a lookup ran out of time */
};

/*
 * The KDCs of realm: cfg are its kdc lines from krb5.conf ("host",
 * "host:port", "[v6]:port", "udp/host:port", "tcp/..."), used when there
 * are any, else (with dns) the _kerberos._udp and _kerberos._tcp SRV
 * records in priority order.  Names resolve by the deadline.  UDP servers
 * come first, as MIT and Windows try UDP first.  0, or ERR_NOT_FOUND with
 * out->why saying so.
 */
int kdc_locate(const char *realm, char cfg[][256], int ncfg, int dns,
    double deadline, struct kdc_list *out);

struct kdc_attempt {
	struct kdc_server server;
	struct netx_result res;
	int krb_error;		/* a KRB-ERROR that sent us on (52, 29), -1 */
	char garbage[160];	/* why an answer was not taken as a reply */
};

struct kdc_exchange {
	struct kdc_attempt a[KDC_MAX_ATTEMPTS];
	int n;
	int answered;		/* index in a[] of the reply; -1 none */
	int msg_type;		/* the request's (10 AS-REQ, 12 TGS-REQ) */
	int at_deadline;	/* the last wait ended at the deadline */
};

/*
 * Send req to the servers of l in order, each its share of the time left
 * (a UDP wait at most KDC_UDP_WAIT, the last one everything left), until
 * one gives a reply of the request's kind (AS-REP or TGS-REP, or a
 * KRB-ERROR).  A KRB-ERROR 52 over UDP is asked again over TCP.  0 and the
 * reply in a new *reply the caller frees, or ERR_TIMEOUT / ERR_REFUSED /
 * ERR_MALFORMED (by what the servers did, in x).
 */
int kdc_send(const struct kdc_list *l, const uint8_t *req, size_t len,
    double deadline, uint8_t **reply, size_t *rlen,
    struct kdc_exchange *x);

/* "UDP 10.77.0.11:88: no answer in 1.0 s; TCP ...": every attempt that
 * did not give the reply. */
void kdc_describe(const struct kdc_exchange *x, char *buf, size_t n);

/*
 * What an exchange showed, as events: with no reply, one kdc-unreachable
 * naming every attempt (peer, port, status the kind of failure, flagged
 * EVF_DEADLINE when the wait ended at the deadline); after a reply, a
 * connect-fail for each server that failed before it.
 */
void kdc_events(const struct kdc_list *l, const struct kdc_exchange *x,
    void (*emit)(void *arg, struct event *ev), void *arg);

#endif
