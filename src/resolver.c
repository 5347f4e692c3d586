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

#include "error.h"
#include "resolver.h"
#include "util.h"

int
resolver_query(const char *name, int type, uint8_t *ans, size_t anslen,
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

int
resolver_system(const char *name, char addrs[][64], int max, int *n_out,
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

int
resolver_is_address(const char *name)
{
	struct in_addr a4;
	struct in6_addr a6;

	return inet_pton(AF_INET, name, &a4) == 1 ||
	    inet_pton(AF_INET6, name, &a6) == 1;
}
