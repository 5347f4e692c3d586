/* dns.h - decode one DNS message (RFC 1035) as carried in a UDP payload. */
#ifndef CCMDIAG_DNS_H
#define CCMDIAG_DNS_H

#include <stddef.h>
#include <stdint.h>

/*
 * Names are text without the final dot ("." for the root); a dot or
 * backslash inside a label is written "\." or "\\", other bytes outside
 * '!'..'~' as "\DDD" (decimal), as in zone files.  Text longer than the
 * buffer is cut.  data holds: A "10.0.0.1"; AAAA as inet_ntop writes it;
 * CNAME, NS, PTR the target name; SRV "priority weight port target";
 * MX "preference exchange"; TXT the first string ('?' for non-printables);
 * empty for other types.
 */
struct dns_rr {
	char name[256];
	int type;
	int cls;
	uint32_t ttl;
	char data[300];
};

/*
 * Header counts are as sent: an[] keeps the first 32 answers that were
 * read whole (n_an of the n_an_total announced).  rcode includes the EDNS
 * extended bits when an OPT record is present.  qname/qtype/qclass are the
 * first question; "" and -1 when there is none.
 */
struct dns_msg {
	uint16_t id;
	int qr;
	int opcode;
	int rcode;
	int aa, tc, rd, ra;
	char qname[256];
	int qtype;
	int qclass;
	struct dns_rr an[32];
	int n_an;
	int n_an_total;
	int n_ns;
	int n_ar;
};

/*
 * Decode a DNS message (for DNS over TCP, strip the 2-byte length first).
 * Returns 0 or an ERR_ code; *out is always initialised and on error holds
 * what was read before it.
 */
int dns_decode(const uint8_t *p, size_t n, struct dns_msg *out);

const char *dns_rcode_name(int rcode);	/* "NXDOMAIN"; NULL unknown */
const char *dns_type_name(int type);	/* "SRV"; NULL unknown */

#endif
