/* resolver.c - the libresolv wrapper: DNS questions with exact answers. */
#include <sys/types.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <errno.h>
#include <resolv.h>
#include <stdio.h>
#include <string.h>

#include "dnscache.h"
#include "error.h"
#include "resolver.h"
#include "util.h"

static int
query(const char *name, int type, uint8_t *ans, size_t anslen,
    double timeout, int *err)
{
	struct __res_state st;
	uint8_t q[NS_PACKETSZ];
	int qlen, n, t = (int)timeout;

	*err = 0;
	memset(&st, 0, sizeof(st));
	if (res_ninit(&st) != 0) {
		*err = ERR_LIBRARY;
		return -1;
	}
	if (t < 1)
		t = 1;
	st.retrans = t > 2 ? 2 : t;
	st.retry = 1;
	st.options &= ~(RES_DNSRCH | RES_DEFNAMES);
	/* hand back SERVFAIL and REFUSED replies as they came, as glibc
	 * does for dig, instead of "no answer" */
	st.pfcode = RES_PRF_HEAD1;
	qlen = res_nmkquery(&st, ns_o_query, name, ns_c_in, type, NULL, 0,
	    NULL, q, sizeof(q));
	if (qlen < 0) {
		*err = ERR_USAGE;
		res_nclose(&st);
		return -1;
	}
	/* res_nsend returns the reply whatever its rcode */
	errno = 0;
	n = res_nsend(&st, q, qlen, ans, (int)anslen);
	if (n < 0)
		*err = errno == ECONNREFUSED ? ERR_REFUSED : ERR_TIMEOUT;
	res_nclose(&st);
	return n;
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

static int
system_lookup(const char *name, char addrs[][64], int max, int *n_out,
    char *canon, size_t cn)
{
	struct addrinfo hints, *res = NULL, *ai;
	char a[64];
	int n = 0, i, rc;

	*n_out = 0;
	if (canon && cn)
		canon[0] = '\0';
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_CANONNAME;
	if ((rc = getaddrinfo(name, NULL, &hints, &res)) != 0)
		return rc == EAI_AGAIN ? ERR_TIMEOUT : rc == EAI_MEMORY ?
		    ERR_NOMEM : ERR_NOT_FOUND;
	if (canon && cn && res->ai_canonname)
		strlcpy0(canon, res->ai_canonname, cn);
	for (ai = res; ai && n < max; ai = ai->ai_next) {
		if (getnameinfo(ai->ai_addr, ai->ai_addrlen, a, sizeof(a), NULL,
		    0, NI_NUMERICHOST) != 0)
			continue;
		for (i = 0; i < n; i++)
			if (strcmp(addrs[i], a) == 0)
				break;
		if (i == n)
			strlcpy0(addrs[n++], a, 64);
	}
	freeaddrinfo(res);
	*n_out = n;
	return n ? 0 : ERR_NOT_FOUND;
}

/* In a run, each question is asked once (src/dnscache.c). */
int
resolver_query(const char *name, int type, uint8_t *ans, size_t anslen,
    double timeout, int *err)
{
	size_t got;
	int kept, n;

	*err = 0;
	if ((kept = dnscache_get(name, type, ans, anslen, &got, now_mono() +
	    timeout)) == 1)
		return (int)got;
	n = query(name, type, ans, anslen, timeout, err);
	if (kept == 0 && n >= 0)
		dnscache_put(name, type, ans, (size_t)n);
	else if (kept == 0)
		dnscache_drop(name, type);
	return n;
}

/* The system resolver's answer, kept as RC (a byte), CANON\0ADDR\0...
 * (an answer is kept, not a time-out). */
#define SYSTEM_KIND	(-1)

int
resolver_system(const char *name, char addrs[][64], int max, int *n_out,
    char *canon, size_t cn)
{
	uint8_t blob[64 * 16 + 300];
	const char *p, *end;
	size_t got, len;
	int kept, rc, i;

	kept = dnscache_get(name, SYSTEM_KIND, blob, sizeof(blob), &got,
	    now_mono() + 30);
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
	rc = system_lookup(name, addrs, max, n_out, canon, cn);
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

int
resolver_is_address(const char *name)
{
	struct in_addr a4;
	struct in6_addr a6;

	return inet_pton(AF_INET, name, &a4) == 1 ||
	    inet_pton(AF_INET6, name, &a6) == 1;
}
