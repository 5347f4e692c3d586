/* resolver.c - the libresolv wrapper: DNS questions with exact answers. */
#include <sys/types.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>
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
	qlen = res_nmkquery(&st, ns_o_query, name, ns_c_in, type, NULL, 0,
	    NULL, q, sizeof(q));
	if (qlen < 0) {
		*err = ERR_USAGE;
		res_nclose(&st);
		return -1;
	}
	/* res_nsend returns the reply whatever its rcode */
	n = res_nsend(&st, q, qlen, ans, (int)anslen);
	if (n < 0)
		*err = ERR_TIMEOUT;
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
