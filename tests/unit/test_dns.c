/* test_dns.c - DNS decoder: captured answers, compression traps, limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dns.h"
#include "error.h"
#include "fixture.h"

static const char *const all[] = {
	"dns/srv_query.bin", "dns/srv_answer.bin", "dns/txt.bin",
	"dns/mx.bin", "dns/ptr.bin", "dns/aaaa.bin", "dns/cname.bin",
	"dns/nxdomain_srv.bin", "dns/any.bin", "dns/ns.bin",
};

static struct dns_msg m;

static int
decode(const char *rel)
{
	uint8_t *p;
	size_t n;
	int r;

	p = fixture_load(rel, &n);
	r = dns_decode(p, n, &m);
	free(p);
	return r;
}

/* suricata-verify dns-udp-eve-log-srv: query (frame 1) and answer (2) */
static void
test_srv(void **state)
{
	(void)state;
	assert_int_equal(decode("dns/srv_answer.bin"), 0);
	assert_int_equal(m.id, 0xeb56);
	assert_int_equal(m.qr, 1);
	assert_int_equal(m.opcode, 0);
	assert_int_equal(m.rd, 1);
	assert_int_equal(m.ra, 1);
	assert_int_equal(m.aa, 0);
	assert_int_equal(m.tc, 0);
	assert_int_equal(m.rcode, 0);
	assert_string_equal(dns_rcode_name(m.rcode), "NOERROR");
	assert_string_equal(m.qname, "_sip._udp.sip.voice.google.com");
	assert_int_equal(m.qtype, 33);
	assert_string_equal(dns_type_name(m.qtype), "SRV");
	assert_int_equal(m.qclass, 1);
	assert_int_equal(m.n_an, 2);
	assert_int_equal(m.n_an_total, 2);
	assert_int_equal(m.n_ns, 0);
	assert_int_equal(m.n_ar, 1);
	assert_string_equal(m.an[0].name, "_sip._udp.sip.voice.google.com");
	assert_int_equal(m.an[0].type, 33);
	assert_int_equal(m.an[0].cls, 1);
	assert_int_equal(m.an[0].ttl, 275);
	assert_string_equal(m.an[0].data,
	    "20 1 5060 sip-anycast-2.voice.google.com");
	assert_string_equal(m.an[1].data,
	    "10 1 5060 sip-anycast-1.voice.google.com");

	assert_int_equal(decode("dns/srv_query.bin"), 0);
	assert_int_equal(m.qr, 0);
	assert_int_equal(m.n_an, 0);
	assert_int_equal(m.n_ar, 1);		/* OPT */
	assert_int_equal(m.qtype, 33);
}

/* wswiki dns.cap frame 32: a DC locator query that failed */
static void
test_nxdomain(void **state)
{
	(void)state;
	assert_int_equal(decode("dns/nxdomain_srv.bin"), 0);
	assert_int_equal(m.id, 0xf161);
	assert_int_equal(m.rcode, 3);
	assert_string_equal(dns_rcode_name(m.rcode), "NXDOMAIN");
	assert_int_equal(m.aa, 1);
	assert_string_equal(m.qname, "_ldap._tcp.dc._msdcs.utelsystems.local");
	assert_int_equal(m.qtype, 33);
	assert_int_equal(m.n_an, 0);
	assert_int_equal(m.n_an_total, 0);
}

/* wswiki dns.cap frames 2, 4, 8, 12, 16, 24, 29 */
static void
test_types(void **state)
{
	(void)state;
	assert_int_equal(decode("dns/cname.bin"), 0);
	assert_string_equal(m.qname, "www.google.com");
	assert_int_equal(m.qtype, 28);
	assert_int_equal(m.n_an, 1);
	assert_int_equal(m.an[0].type, 5);
	assert_string_equal(m.an[0].name, "www.google.com");
	assert_string_equal(m.an[0].data, "www.l.google.com");

	assert_int_equal(decode("dns/aaaa.bin"), 0);
	assert_string_equal(m.an[0].data, "2001:4f8:4:7:2e0:81ff:fe52:9a6b");
	assert_int_equal(m.an[0].ttl, 86400);

	assert_int_equal(decode("dns/ptr.bin"), 0);
	assert_string_equal(m.qname, "104.9.192.66.in-addr.arpa");
	assert_int_equal(m.an[0].type, 12);
	assert_string_equal(m.an[0].data, "66-192-9-104.gen.twtelecom.net");

	assert_int_equal(decode("dns/any.bin"), 0);
	assert_int_equal(m.n_an, 2);
	assert_string_equal(m.an[0].data, "2001:4f8:0:2::d");
	assert_int_equal(m.an[1].type, 1);
	assert_string_equal(m.an[1].data, "204.152.184.88");

	assert_int_equal(decode("dns/mx.bin"), 0);
	assert_int_equal(m.n_an, 6);
	assert_int_equal(m.n_ar, 6);
	assert_string_equal(m.an[0].data, "40 smtp4.google.com");

	assert_int_equal(decode("dns/ns.bin"), 0);
	assert_int_equal(m.n_an, 4);
	assert_string_equal(m.an[2].data, "ns-ext.isc.org");

	assert_int_equal(decode("dns/txt.bin"), 0);
	assert_int_equal(m.an[0].type, 16);
	assert_string_equal(m.an[0].data, "v=spf1 ptr ?all");
}

/* Header for a response with one question and an answers. */
static size_t
header(uint8_t *b, int an, int ar)
{
	static const uint8_t h[12] = { 0x12, 0x34, 0x81, 0x80, 0, 1 };

	memcpy(b, h, sizeof(h));
	b[7] = (uint8_t)an;
	b[11] = (uint8_t)ar;
	return sizeof(h);
}

static int
decode_buf(const uint8_t *b, size_t n)
{
	uint8_t *q = fixture_dup(b, n);
	int r = dns_decode(q, n, &m);

	free(q);
	return r;
}

static void
test_compression_traps(void **state)
{
	uint8_t b[64];
	size_t n;

	(void)state;
	/* pointer to itself */
	n = header(b, 0, 0);
	b[n++] = 0xc0;
	b[n++] = 12;
	memset(b + n, 0, 4);
	assert_int_equal(decode_buf(b, n + 4), ERR_MALFORMED);
	/* pointer forwards */
	n = header(b, 0, 0);
	b[n++] = 0xc0;
	b[n++] = 16;
	memcpy(b + n, "\0\0\0\0\0", 5);
	assert_int_equal(decode_buf(b, n + 5), ERR_MALFORMED);
	/* a label, then a pointer back to that same label: a loop */
	n = header(b, 0, 0);
	memcpy(b + n, "\001a\300\014", 4);
	assert_int_equal(decode_buf(b, n + 4 + 4), ERR_MALFORMED);
	/* pointer past the end */
	n = header(b, 0, 0);
	memcpy(b + n, "\377\377", 2);
	assert_int_equal(decode_buf(b, n + 2 + 4), ERR_MALFORMED);
	/* extended label type */
	n = header(b, 0, 0);
	memcpy(b + n, "\101a\0\0\1\0\1", 7);
	assert_int_equal(decode_buf(b, n + 7), ERR_UNSUPPORTED);
}

static void
test_escapes(void **state)
{
	uint8_t b[300];
	size_t n, i;

	(void)state;
	n = header(b, 0, 0);
	memcpy(b + n, "\003a.b\002\001\377\001\\\000\000\001\000\001", 14);
	assert_int_equal(decode_buf(b, n + 14), 0);
	assert_string_equal(m.qname, "a\\.b.\\001\\255.\\\\");
	/* root */
	n = header(b, 0, 0);
	memcpy(b + n, "\000\000\002\000\001", 5);
	assert_int_equal(decode_buf(b, n + 5), 0);
	assert_string_equal(m.qname, ".");
	assert_int_equal(m.qtype, 2);
	/* three 63-byte labels of \255 make 756 chars of text: cut at 255 */
	n = header(b, 0, 0);
	for (i = 0; i < 3; i++) {
		b[n++] = 63;
		memset(b + n, 0xff, 63);
		n += 63;
	}
	memcpy(b + n, "\000\000\001\000\001", 5);
	assert_int_equal(decode_buf(b, n + 5), 0);
	assert_int_equal(strlen(m.qname), 255);
	/* four of them are over the 255-octet limit for a name */
	n = header(b, 0, 0);
	for (i = 0; i < 4; i++) {
		b[n++] = 63;
		memset(b + n, 'x', 63);
		n += 63;
	}
	memcpy(b + n, "\000\000\001\000\001", 5);
	assert_int_equal(decode_buf(b, n + 5), ERR_MALFORMED);
}

static void
test_many_answers_and_edns(void **state)
{
	static const uint8_t q[] = "\002mp\003lab\000\000\001\000\001";
	static const uint8_t a[] = { 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4,
	    10, 0, 0, 0 };
	static const uint8_t opt[] = { 0, 0, 41, 0x10, 0, 0x01, 0, 0, 0, 0,
	    0 };
	uint8_t b[1024];
	size_t n;
	int i;

	(void)state;
	n = header(b, 40, 1);
	memcpy(b + n, q, sizeof(q) - 1);
	n += sizeof(q) - 1;
	for (i = 0; i < 40; i++) {
		memcpy(b + n, a, sizeof(a));
		b[n + sizeof(a) - 1] = (uint8_t)i;
		n += sizeof(a);
	}
	memcpy(b + n, opt, sizeof(opt));
	n += sizeof(opt);
	assert_int_equal(decode_buf(b, n), 0);
	assert_int_equal(m.n_an, 32);
	assert_int_equal(m.n_an_total, 40);
	assert_string_equal(m.an[31].name, "mp.lab");
	assert_string_equal(m.an[31].data, "10.0.0.31");
	assert_int_equal(m.rcode, 16);		/* extended by OPT */
	assert_string_equal(dns_rcode_name(m.rcode), "BADVERS");
	/* A record of the wrong size */
	b[12 + sizeof(q) - 1 + 11] = 5;
	assert_int_equal(decode_buf(b, n), ERR_MALFORMED);
	assert_int_equal(m.n_an, 0);
	assert_string_equal(m.qname, "mp.lab");	/* partial result */
}

static void
test_prefixes(void **state)
{
	uint8_t *p;
	size_t n, i, k;

	(void)state;
	for (k = 0; k < sizeof(all) / sizeof(all[0]); k++) {
		p = fixture_load(all[k], &n);
		for (i = 0; i < n; i++)
			if (decode_buf(p, i) == 0)
				fail_msg("%s: prefix %zu decoded", all[k], i);
		assert_int_equal(decode_buf(p, n), 0);
		free(p);
	}
}

static void
test_mutations(void **state)
{
	static const uint8_t vals[] = { 0x00, 0x3f, 0x40, 0xc0, 0xff };
	uint8_t *p, *q;
	size_t n, i, k, v;

	(void)state;
	for (k = 0; k < sizeof(all) / sizeof(all[0]); k++) {
		p = fixture_load(all[k], &n);
		q = fixture_dup(p, n);
		for (i = 0; i < n; i++) {
			for (v = 0; v < sizeof(vals); v++) {
				q[i] = vals[v];
				(void)dns_decode(q, n, &m);
			}
			q[i] = p[i];
		}
		free(q);
		free(p);
	}
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(dns_rcode_name(2), "SERVFAIL");
	assert_string_equal(dns_rcode_name(5), "REFUSED");
	assert_null(dns_rcode_name(12));
	assert_null(dns_rcode_name(-1));
	assert_null(dns_rcode_name(4096));
	assert_string_equal(dns_type_name(1), "A");
	assert_string_equal(dns_type_name(28), "AAAA");
	assert_string_equal(dns_type_name(5), "CNAME");
	assert_string_equal(dns_type_name(12), "PTR");
	assert_null(dns_type_name(9999));
	assert_int_equal(dns_decode(NULL, 0, &m), ERR_TRUNCATED);
	assert_int_equal(m.qtype, -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_srv),
		cmocka_unit_test(test_nxdomain),
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_compression_traps),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_many_answers_and_edns),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests_name("dns", tests, NULL, NULL);
}
