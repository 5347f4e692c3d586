/* resolver.c - the libresolv wrapper: DNS questions with exact answers. */
#include <sys/types.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <errno.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dnscache.h"
#include "error.h"
#include "resolver.h"
#include "util.h"

#define MAX_NS 3
#define DNS_MAX_REPLY 65535

struct ns {
	char addr[64];
	int port;
};

/* The servers resolv.conf names, IPv4 and IPv6, in order. */
static int
name_servers(struct __res_state *st, struct ns *out, int max)
{
	const struct sockaddr *sa;
	socklen_t sl;
	char port[16];
	int i, n = 0;

	for (i = 0; i < st->nscount && i < MAXNS && n < max; i++) {
		if (st->nsaddr_list[i].sin_family == AF_INET) {
			sa = (const struct sockaddr *)&st->nsaddr_list[i];
			sl = sizeof(struct sockaddr_in);
		} else if (st->_u._ext.nsaddrs[i] != NULL) {
			sa = (const struct sockaddr *)st->_u._ext.nsaddrs[i];
			sl = sizeof(struct sockaddr_in6);
		} else {
			continue;
		}
		if (getnameinfo(sa, sl, out[n].addr, sizeof(out[n].addr), port,
		    sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV) != 0)
			continue;
		out[n].port = atoi(port);
		n++;
	}
	return n;
}

struct question {
	const uint8_t *q;
	size_t qlen;
};

/* A reply to our question: its ID, the QR bit, the question echoed. */
static int
is_reply(void *arg, const uint8_t *p, size_t n)
{
	const struct question *q = arg;

	return n >= 12 && p[0] == q->q[0] && p[1] == q->q[1] &&
	    (p[2] & 0x80);
}

static void
trace_add(struct resolver_trace *tr, const struct ns *s,
    enum netx_proto proto, const struct netx_result *res)
{
	char what[200];

	netx_describe(res, proto, what, sizeof(what));
	strappendf(tr->text, sizeof(tr->text), "%s%s %s:%d: %s",
	    tr->text[0] ? "; " : "", netx_proto_name(proto), s->addr, s->port,
	    what);
}

/* The worst of two failures: garbage over silence over refusal. */
static int
worse(int a, int b)
{
	static const int rank[] = { ERR_REFUSED, ERR_TIMEOUT, ERR_MALFORMED };
	int i, ra = -1, rb = -1;

	for (i = 0; i < 3; i++) {
		if (rank[i] == a)
			ra = i;
		if (rank[i] == b)
			rb = i;
	}
	return rb > ra ? b : a;
}

static int
query(const char *name, int type, uint8_t *ans, size_t anslen,
    double deadline, struct resolver_trace *tr)
{
	struct __res_state st;
	struct netx_result res;
	struct question qq;
	struct ns ns[MAX_NS];
	uint8_t q[NS_PACKETSZ], *reply = NULL;
	size_t rlen = 0;
	double wait, left;
	int qlen, nns, tries, t, i, k, left_n, r, got = -1;

	memset(tr, 0, sizeof(*tr));
	tr->err = ERR_TIMEOUT;
	memset(&st, 0, sizeof(st));
	if (res_ninit(&st) != 0) {
		tr->err = ERR_LIBRARY;
		return -1;
	}
	qlen = res_nmkquery(&st, ns_o_query, name, ns_c_in, type, NULL, 0,
	    NULL, q, sizeof(q));
	nns = name_servers(&st, ns, MAX_NS);
	tries = st.retry < 1 ? 1 : st.retry > 2 ? 2 : st.retry;
	res_nclose(&st);
	if (qlen < 0) {
		tr->err = ERR_USAGE;
		return -1;
	}
	if (nns == 0) {
		tr->err = ERR_NOT_FOUND;
		snprintf(tr->text, sizeof(tr->text), "no name server in "
		    "resolv.conf");
		return -1;
	}
	strlcpy0(tr->server, ns[0].addr, sizeof(tr->server));
	qq.q = q;
	qq.qlen = (size_t)qlen;
	for (t = 0, k = 0; t < tries && got < 0; t++) {
		for (i = 0; i < nns && got < 0; i++, k++) {
			left = deadline - now_mono();
			if (left <= 0)
				goto out;
			/* each server and attempt its share of the time */
			left_n = tries * nns - k;
			wait = left / left_n;
			if (wait > st.retrans && st.retrans > 0)
				wait = st.retrans;
			r = netx_exchange(ns[i].addr, ns[i].port, NETX_UDP, 2, q,
			    (size_t)qlen, DNS_MAX_REPLY, now_mono() + wait,
			    is_reply, &qq, &reply, &rlen, &res);
			tr->at_deadline = res.at_deadline &&
			    deadline - now_mono() <= 0.001;
			if (r != 0) {
				tr->err = k == 0 ? r : worse(tr->err, r);
				trace_add(tr, &ns[i], NETX_UDP, &res);
				continue;
			}
			tr->proto = NETX_UDP;
			strlcpy0(tr->server, ns[i].addr, sizeof(tr->server));
			if (rlen > 2 && (reply[2] & 0x02)) {
				/* truncated: ask again over TCP, with the time
				 * left (glibc's resolver would wait on it
				 * without end) */
				uint8_t *full = NULL;
				size_t flen = 0;

				r = netx_exchange(ns[i].addr, ns[i].port,
				    NETX_TCP, 2, q, (size_t)qlen,
				    DNS_MAX_REPLY, deadline, NULL, NULL, &full,
				    &flen, &res);
				if (r == 0 && !is_reply(&qq, full, flen)) {
					res.outcome = NETX_REJECTED;
					res.rejected = 1;
					r = ERR_MALFORMED;
				}
				free(reply);
				reply = full;
				rlen = flen;
				if (r != 0) {
					tr->err = r;
					tr->at_deadline = res.at_deadline;
					strappendf(tr->text, sizeof(tr->text),
					    "%sUDP %s:%d: a truncated answer",
					    tr->text[0] ? "; " : "",
					    ns[i].addr, ns[i].port);
					trace_add(tr, &ns[i], NETX_TCP, &res);
					goto out;
				}
				tr->proto = NETX_TCP;
			}
			if (rlen > anslen)
				rlen = anslen;
			memcpy(ans, reply, rlen);
			got = (int)rlen;
			tr->err = 0;
			free(reply);
			reply = NULL;
		}
	}
out:
	free(reply);
	return got;
}

int
resolver_reverse_name(const char *addr, char *buf, size_t n)
{
	struct in_addr a4;
	struct in6_addr a6;
	int i;

	buf[0] = '\0';
	if (inet_pton(AF_INET, addr, &a4) == 1) {
		const uint8_t *b = (const uint8_t *)&a4;

		snprintf(buf, n, "%u.%u.%u.%u.in-addr.arpa", b[3], b[2], b[1],
		    b[0]);
		return 0;
	}
	if (inet_pton(AF_INET6, addr, &a6) == 1) {
		for (i = 15; i >= 0; i--)
			strappendf(buf, n, "%x.%x.", a6.s6_addr[i] & 0xf,
			    a6.s6_addr[i] >> 4);
		strappendf(buf, n, "ip6.arpa");
		return 0;
	}
	return ERR_MALFORMED;
}

int
resolver_search_list(char out[][256], int max)
{
	struct __res_state st;
	int n = 0, i;

	memset(&st, 0, sizeof(st));
	if (res_ninit(&st) != 0)
		return 0;
	for (i = 0; i < MAXDNSRCH && st.dnsrch[i] && n < max; i++)
		strlcpy0(out[n++], st.dnsrch[i], 256);
	res_nclose(&st);
	return n;
}

/* One getaddrinfo_a request; left allocated when glibc still works on it
 * after the deadline (its thread writes into it). */
struct gai {
	struct gaicb cb;
	struct addrinfo hints;
	char name[256];
};

static int
system_lookup(const char *name, char addrs[][64], int max, int *n_out,
    char *canon, size_t cn, double deadline)
{
	struct gaicb *list[1];
	struct addrinfo *ai;
	struct timespec ts;
	struct gai *g;
	double left;
	char a[64];
	int n = 0, i, rc;

	*n_out = 0;
	if (canon && cn)
		canon[0] = '\0';
	if ((g = calloc(1, sizeof(*g))) == NULL)
		return ERR_NOMEM;
	strlcpy0(g->name, name, sizeof(g->name));
	g->hints.ai_family = AF_UNSPEC;
	g->hints.ai_socktype = SOCK_STREAM;
	g->hints.ai_flags = AI_CANONNAME;
	g->cb.ar_name = g->name;
	g->cb.ar_request = &g->hints;
	list[0] = &g->cb;
	if (getaddrinfo_a(GAI_NOWAIT, list, 1, NULL) != 0) {
		free(g);
		return ERR_NOMEM;
	}
	while ((rc = gai_error(&g->cb)) == EAI_INPROGRESS) {
		if ((left = deadline - now_mono()) <= 0)
			break;
		ts.tv_sec = (time_t)left;
		ts.tv_nsec = (long)((left - (double)ts.tv_sec) * 1e9);
		gai_suspend((const struct gaicb *const *)list, 1, &ts);
	}
	if (rc == EAI_INPROGRESS) {
		/* the NSS modules still wait: leave them the request */
		switch (gai_cancel(&g->cb)) {
		case EAI_ALLDONE:
			freeaddrinfo(g->cb.ar_result);
			/* FALLTHROUGH */
		case EAI_CANCELED:
			free(g);
			break;
		default:
			break;
		}
		return ERR_TIMEOUT;
	}
	if (rc != 0) {
		free(g);
		return rc == EAI_AGAIN ? ERR_TIMEOUT : rc == EAI_MEMORY ?
		    ERR_NOMEM : ERR_NOT_FOUND;
	}
	ai = g->cb.ar_result;
	if (canon && cn && ai && ai->ai_canonname)
		strlcpy0(canon, ai->ai_canonname, cn);
	for (; ai && n < max; ai = ai->ai_next) {
		if (getnameinfo(ai->ai_addr, ai->ai_addrlen, a, sizeof(a), NULL,
		    0, NI_NUMERICHOST) != 0)
			continue;
		for (i = 0; i < n; i++)
			if (strcmp(addrs[i], a) == 0)
				break;
		if (i == n)
			strlcpy0(addrs[n++], a, 64);
	}
	freeaddrinfo(g->cb.ar_result);
	free(g);
	*n_out = n;
	return n ? 0 : ERR_NOT_FOUND;
}

/*
 * In a run, each question is asked once (src/dnscache.c).  An answer is
 * kept as the server that gave it, how, and its bytes; so is the system
 * resolver's: RC (a byte), CANON\0ADDR\0ADDR\0...  A question no server
 * answered in time is not kept.
 */
struct kept_answer {
	char server[64];
	uint8_t proto;
};

#define SYSTEM_KIND	(-1)

int
resolver_query(const char *name, int type, uint8_t *ans, size_t anslen,
    double deadline, struct resolver_trace *tr)
{
	uint8_t *blob;
	struct kept_answer h;
	size_t got, bn = sizeof(h) + anslen;
	int kept, n;

	if ((blob = malloc(bn)) == NULL)
		return query(name, type, ans, anslen, deadline, tr);
	if ((kept = dnscache_get(name, type, blob, bn, &got, deadline)) == 1 &&
	    got >= sizeof(h)) {
		memcpy(&h, blob, sizeof(h));
		memset(tr, 0, sizeof(*tr));
		strlcpy0(tr->server, h.server, sizeof(tr->server));
		tr->proto = (enum netx_proto)h.proto;
		n = (int)(got - sizeof(h));
		memcpy(ans, blob + sizeof(h), (size_t)n);
		free(blob);
		return n;
	}
	n = query(name, type, ans, anslen, deadline, tr);
	if (kept == 0 && n >= 0) {
		memset(&h, 0, sizeof(h));
		strlcpy0(h.server, tr->server, sizeof(h.server));
		h.proto = (uint8_t)tr->proto;
		memcpy(blob, &h, sizeof(h));
		memcpy(blob + sizeof(h), ans, (size_t)n);
		dnscache_put(name, type, blob, sizeof(h) + (size_t)n);
	} else if (kept == 0) {
		dnscache_drop(name, type);
	}
	free(blob);
	return n;
}

int
resolver_system(const char *name, char addrs[][64], int max, int *n_out,
    char *canon, size_t cn, double deadline)
{
	uint8_t blob[64 * 16 + 300];
	const char *p, *end;
	size_t got, len;
	int kept, rc, i;

	kept = dnscache_get(name, SYSTEM_KIND, blob, sizeof(blob), &got,
	    deadline);
	if (kept == 1 && got > 1) {
		p = (const char *)blob + 1;
		end = (const char *)blob + got;
		if (canon && cn)
			strlcpy0(canon, p, cn);
		*n_out = 0;
		for (p += strlen(p) + 1; p < end && *n_out < max;
		    p += strlen(p) + 1)
			strlcpy0(addrs[(*n_out)++], p, 64);
		return blob[0];
	}
	rc = system_lookup(name, addrs, max, n_out, canon, cn, deadline);
	if (kept != 0)
		return rc;
	/* an answer (none is one), not a failure to get one */
	if (rc != 0 && rc != ERR_NOT_FOUND) {
		dnscache_drop(name, SYSTEM_KIND);
		return rc;
	}
	blob[0] = (uint8_t)rc;
	len = 1;
	len += (size_t)snprintf((char *)blob + len, 256, "%s", canon && cn ?
	    canon : "") + 1;
	for (i = 0; i < *n_out && len + 64 <= sizeof(blob); i++)
		len += (size_t)snprintf((char *)blob + len, 64, "%s",
		    addrs[i]) + 1;
	dnscache_put(name, SYSTEM_KIND, blob, len);
	return rc;
}

void
resolver_bound_libraries(int timeout)
{
	const char *old = getenv("RES_OPTIONS");
	char val[256];

	if (timeout < 1)
		timeout = 1;
	if (timeout > 30)
		timeout = 30;
	/* ours last: glibc takes the last value of each option */
	snprintf(val, sizeof(val), "%.180s%stimeout:%d attempts:1",
	    old ? old : "", old && old[0] ? " " : "", timeout);
	setenv("RES_OPTIONS", val, 1);
}
