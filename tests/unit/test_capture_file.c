/*
 * test_capture_file.c - the saved-capture reader (src/capture_file.c) on
 * captures built here byte by byte: pcapng sections of either byte order
 * with interfaces of different link types and time resolutions, every
 * packet block kind, classic pcap in nanoseconds, and each way a file can
 * stop early or go wrong.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <cmocka.h>

#include "capture.h"
#include "error.h"

/* ---- a capture being built ---- */

struct buf {
	uint8_t b[4096];
	size_t n;
	int big;		/* byte order of what is put */
};

static void
put(struct buf *w, const void *p, size_t n)
{
	assert_true(w->n + n <= sizeof(w->b));
	memcpy(w->b + w->n, p, n);
	w->n += n;
}

static void
put32(struct buf *w, uint32_t v)
{
	uint8_t b[4];
	int i;

	for (i = 0; i < 4; i++)
		b[w->big ? 3 - i : i] = (uint8_t)(v >> (8 * i));
	put(w, b, 4);
}

static void
put16(struct buf *w, uint16_t v)
{
	uint8_t b[2];

	b[w->big ? 1 : 0] = (uint8_t)v;
	b[w->big ? 0 : 1] = (uint8_t)(v >> 8);
	put(w, b, 2);
}

/* A block: type, body (padded to 4), both lengths. */
static void
block(struct buf *w, uint32_t type, const struct buf *body)
{
	size_t pad = (4 - body->n % 4) % 4;
	uint8_t zero[4] = { 0 };

	put32(w, type);
	put32(w, (uint32_t)(12 + body->n + pad));
	put(w, body->b, body->n);
	put(w, zero, pad);
	put32(w, (uint32_t)(12 + body->n + pad));
}

static void
shb(struct buf *w)
{
	struct buf b = { .big = w->big };

	put32(&b, 0x1a2b3c4d);
	put16(&b, 1);
	put16(&b, 0);
	put32(&b, 0xffffffff);
	put32(&b, 0xffffffff);
	block(w, 0x0a0d0d0a, &b);
}

/* An interface; tsresol < 0: none given (microseconds). */
static void
idb(struct buf *w, uint16_t linktype, int tsresol)
{
	struct buf b = { .big = w->big };
	uint8_t r[4] = { (uint8_t)tsresol, 0, 0, 0 };

	put16(&b, linktype);
	put16(&b, 0);
	put32(&b, 65535);
	if (tsresol >= 0) {
		put16(&b, 9);
		put16(&b, 1);
		put(&b, r, 4);
		put16(&b, 0);
		put16(&b, 0);
	}
	block(w, 1, &b);
}

static void
epb(struct buf *w, uint32_t ifid, uint64_t ts, const char *data,
    uint32_t len)
{
	struct buf b = { .big = w->big };

	put32(&b, ifid);
	put32(&b, (uint32_t)(ts >> 32));
	put32(&b, (uint32_t)ts);
	put32(&b, (uint32_t)strlen(data));
	put32(&b, len);
	put(&b, data, strlen(data));
	block(w, 6, &b);
}

/* ---- reading it back ---- */

static int ahead;		/* read on a second thread (capture_src) */

struct mem {
	const uint8_t *p;
	size_t n, at;
	size_t chunk;		/* at most this much a read (a pipe) */
	size_t fail_at;		/* a read past this fails, 0 never */
};

static ssize_t
mem_read(void *arg, void *buf, size_t n)
{
	struct mem *m = arg;

	if (m->fail_at && m->at >= m->fail_at)
		return -1;
	if (n > m->n - m->at)
		n = m->n - m->at;
	if (m->chunk && n > m->chunk)
		n = m->chunk;
	if (m->fail_at && m->at + n > m->fail_at)
		n = m->fail_at - m->at;
	memcpy(buf, m->p + m->at, n);
	m->at += n;
	return (ssize_t)n;
}

static const char *
mem_error(void *arg)
{
	(void)arg;
	return "the disk said no";
}

#define MAXP 16
struct seen {
	int n;
	int linktype[MAXP];
	double t[MAXP];
	unsigned long frame[MAXP];
	size_t caplen[MAXP], len[MAXP];
	char data[MAXP][16];
};

static void
on_pkt(void *arg, const struct capture_pkt *p)
{
	struct seen *s = arg;

	assert_true(s->n < MAXP);
	s->linktype[s->n] = p->linktype;
	s->t[s->n] = p->t;
	s->frame[s->n] = p->frame;
	s->caplen[s->n] = p->caplen;
	s->len[s->n] = p->len;
	memcpy(s->data[s->n], p->data, p->caplen < 15 ? p->caplen : 15);
	s->n++;
}

static int
read_mem(const struct buf *w, size_t n, size_t chunk, size_t fail_at,
    struct seen *s, struct capture_end *end, char *err, size_t errlen)
{
	struct mem m = { w->b, n, 0, chunk, fail_at };
	struct capture_src src = { mem_read, mem_error, NULL, &m, ahead };

	memset(s, 0, sizeof(*s));
	return capture_read(&src, on_pkt, s, end, err, errlen);
}

/* mergecap's output: one section, two interfaces of two link types. */
static void
two_link_types(struct buf *w)
{
	struct buf b = { .big = 0 };

	memset(w, 0, sizeof(*w));
	shb(w);
	idb(w, 1, -1);			/* Ethernet, microseconds */
	idb(w, 113, 9);			/* Linux cooked, nanoseconds */
	epb(w, 0, 1700000000123456ull, "ether", 60);
	epb(w, 1, 1700000001500000000ull, "sll", 3);
	put32(&b, 5);			/* a simple packet block: iface 0 */
	put(&b, "simple", 6);
	block(w, 3, &b);
	b.n = 0;
	put32(&b, 0);			/* statistics: skipped */
	put32(&b, 0);
	put32(&b, 0);
	block(w, 5, &b);
	w->big = 1;			/* a second section, big-endian */
	shb(w);
	idb(w, 101, 0x80 | 10);		/* raw IP, 2^-10 s */
	epb(w, 0, 1024ull * 1700000002 + 512, "raw", 3);
}

static void
test_pcapng_link_types(void **state)
{
	struct capture_end end;
	struct seen s;
	struct buf w;
	char err[256];

	(void)state;
	two_link_types(&w);
	assert_int_equal(read_mem(&w, w.n, 7, 0, &s, &end, err, sizeof(err)),
	    0);
	assert_int_equal(end.cut, 0);
	assert_int_equal(end.frames, 4);
	assert_int_equal(end.offset, w.n);
	assert_int_equal(s.n, 4);
	assert_int_equal(s.linktype[0], 1);
	assert_int_equal(s.linktype[1], 113);
	assert_int_equal(s.linktype[2], 1);
	assert_int_equal(s.linktype[3], 101);
	assert_string_equal(s.data[0], "ether");
	assert_string_equal(s.data[1], "sll");
	assert_int_equal(s.len[0], 60);
	assert_int_equal(s.caplen[1], 3);
	/* a simple packet block: as much of the packet as the block holds */
	assert_int_equal(s.caplen[2], 5);
	assert_int_equal(s.len[2], 5);
	assert_true(s.t[0] > 1700000000.1234 && s.t[0] < 1700000000.1235);
	assert_true(s.t[1] > 1700000001.4999 && s.t[1] < 1700000001.5001);
	assert_true(s.t[3] > 1700000002.4999 && s.t[3] < 1700000002.5001);
	assert_int_equal(s.frame[3], 4);
}

static void
test_pcapng_cut(void **state)
{
	struct capture_end end;
	struct seen s;
	struct buf w;
	char err[256];
	size_t full;

	(void)state;
	two_link_types(&w);
	full = w.n;
	/* cut inside the last block: the three before it stand */
	assert_int_equal(read_mem(&w, full - 6, 0, 0, &s, &end, err,
	    sizeof(err)), 0);
	assert_int_equal(end.cut, 1);
	assert_int_equal(s.n, 3);
	assert_non_null(strstr(end.why, "after frame 3: inside a block"));
	/* a read error: the source's reason */
	assert_int_equal(read_mem(&w, full, 0, 150, &s, &end, err,
	    sizeof(err)), 0);
	assert_int_equal(end.cut, 1);
	assert_non_null(strstr(end.why, "the disk said no"));
	/* the trailing length of the second packet block is wrong */
	w.b[28 + 20 + 32 + 40 + 36 - 1] ^= 0x40;	/* SHB IDB IDB EPB EPB */
	assert_int_equal(read_mem(&w, full, 0, 0, &s, &end, err, sizeof(err)),
	    0);
	assert_int_equal(end.cut, 1);
	assert_int_equal(s.n, 1);
	assert_non_null(strstr(end.why, "two lengths differ"));
}

static void
test_pcapng_unknown_interface(void **state)
{
	struct capture_end end;
	struct buf w = { .big = 0 };
	struct seen s;
	char err[256];

	(void)state;
	shb(&w);
	idb(&w, 1, -1);
	epb(&w, 0, 1, "a", 1);
	epb(&w, 3, 2, "b", 1);
	assert_int_equal(read_mem(&w, w.n, 0, 0, &s, &end, err, sizeof(err)),
	    0);
	assert_int_equal(s.n, 1);
	assert_int_equal(end.cut, 1);
	assert_non_null(strstr(end.why, "interface never described"));
}

/* Classic pcap, big-endian, nanoseconds; one record cut short. */
static void
test_pcap_nsec(void **state)
{
	struct capture_end end;
	struct buf w = { .big = 1 };
	struct seen s;
	char err[256];

	(void)state;
	put32(&w, 0xa1b23c4d);
	put16(&w, 2);
	put16(&w, 4);
	put32(&w, 0);
	put32(&w, 0);
	put32(&w, 65535);
	put32(&w, 0x04000000 | 1);	/* Ethernet, FCS length bits set */
	put32(&w, 1700000000);
	put32(&w, 250000000);
	put32(&w, 4);
	put32(&w, 64);
	put(&w, "abcd", 4);
	put32(&w, 1700000001);
	put32(&w, 0);
	put32(&w, 8);
	put32(&w, 8);
	put(&w, "efghijkl", 8);
	assert_int_equal(read_mem(&w, w.n, 5, 0, &s, &end, err, sizeof(err)),
	    0);
	assert_int_equal(end.cut, 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.linktype[0], 1);
	assert_true(s.t[0] > 1700000000.2499 && s.t[0] < 1700000000.2501);
	assert_int_equal(s.len[0], 64);
	assert_string_equal(s.data[1], "efghijkl");
	assert_int_equal(read_mem(&w, w.n - 3, 0, 0, &s, &end, err,
	    sizeof(err)), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(end.cut, 1);
	assert_int_equal(end.offset, 44);
	assert_string_equal(end.why, "ends at byte 44, after frame 1: inside "
	    "a record (21 of its 24 bytes)");
}

static void
test_not_a_capture(void **state)
{
	struct capture_end end;
	struct buf w = { .big = 0 };
	struct seen s;
	char err[256];

	(void)state;
	put32(&w, 0xa1b2c3d4);
	put16(&w, 3);
	assert_int_equal(read_mem(&w, w.n, 0, 0, &s, &end, err, sizeof(err)),
	    ERR_IO);
	assert_string_equal(err, "too short for a capture's header");
	put(&w, "0123456789012345678", 18);
	assert_int_equal(read_mem(&w, w.n, 0, 0, &s, &end, err, sizeof(err)),
	    ERR_IO);
	assert_string_equal(err, "pcap version 3, not 2");
	w.b[0] = 'X';
	assert_int_equal(read_mem(&w, w.n, 0, 0, &s, &end, err, sizeof(err)),
	    ERR_IO);
	assert_string_equal(err, "not a pcap or pcapng capture");
	assert_int_equal(s.n, 0);
}

/*
 * Records of every size up to 70,000 bytes, over several of the reader's
 * blocks, and a pcapng block of 2.5 MB (longer than a block): every byte
 * arrives where it belongs, whether read here or on a second thread.
 */
struct big_seen {
	unsigned long n, bad;
	size_t bytes;
};

static void
on_big(void *arg, const struct capture_pkt *p)
{
	struct big_seen *s = arg;
	size_t i;

	for (i = 0; i < p->caplen; i++)
		if (p->data[i] != (uint8_t)p->frame) {
			s->bad++;
			break;
		}
	s->n++;
	s->bytes += p->caplen;
}

static uint8_t *
le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
	return p + 4;
}

static void
test_big(void **state)
{
	size_t cap = 8u << 20, n, want = 0;
	uint8_t *b = malloc(cap), *p;
	struct capture_end end;
	struct big_seen s;
	struct mem m;
	struct capture_src src = { mem_read, mem_error, NULL, &m, 0 };
	char err[256];
	uint32_t i, len;

	(void)state;
	assert_non_null(b);
	/* classic pcap */
	p = le32(b, 0xa1b2c3d4);
	p = le32(p, 2 | 4 << 16);
	p = le32(le32(le32(p, 0), 0), 262144);
	p = le32(p, 1);
	for (i = 1; i <= 200; i++) {
		len = (i * 7919u) % 70000u + 1;
		p = le32(le32(p, 1700000000 + i), 0);
		p = le32(le32(p, len), len);
		memset(p, (int)(uint8_t)i, len);
		p += len;
		want += len;
	}
	n = (size_t)(p - b);
	assert_true(n > 3 * (1u << 20));
	for (src.ahead = 0; src.ahead < 2; src.ahead++) {
		memset(&m, 0, sizeof(m));
		m.p = b;
		m.n = n;
		m.chunk = 100000;
		memset(&s, 0, sizeof(s));
		assert_int_equal(capture_read(&src, on_big, &s, &end, err,
		    sizeof(err)), 0);
		assert_int_equal(end.cut, 0);
		assert_int_equal(s.n, 200);
		assert_int_equal(s.bad, 0);
		assert_int_equal(s.bytes, want);
		assert_int_equal(end.offset, n);
	}
	/* pcapng: a section, an interface, a packet of 2.5 MB, a small one */
	p = le32(b, 0x0a0d0d0a);
	p = le32(p, 28);
	p = le32(p, 0x1a2b3c4d);
	p = le32(p, 1);
	p = le32(le32(p, 0xffffffff), 0xffffffff);
	p = le32(p, 28);
	p = le32(le32(p, 1), 20);
	p = le32(le32(p, 1), 65535);
	p = le32(p, 20);
	for (i = 1; i <= 2; i++) {
		len = i == 1 ? 2500000 : 12;
		p = le32(le32(p, 6), 32 + len);
		p = le32(le32(le32(p, 0), 0), i);
		p = le32(le32(p, len), len);
		memset(p, (int)i, len);
		p += len;
		p = le32(p, 32 + len);
	}
	n = (size_t)(p - b);
	for (src.ahead = 0; src.ahead < 2; src.ahead++) {
		memset(&m, 0, sizeof(m));
		m.p = b;
		m.n = n;
		memset(&s, 0, sizeof(s));
		assert_int_equal(capture_read(&src, on_big, &s, &end, err,
		    sizeof(err)), 0);
		assert_int_equal(end.cut, 0);
		assert_int_equal(s.n, 2);
		assert_int_equal(s.bad, 0);
		assert_int_equal(s.bytes, 2500012);
		/* cut inside the big one */
		memset(&m, 0, sizeof(m));
		m.p = b;
		m.n = 2000000;
		memset(&s, 0, sizeof(s));
		assert_int_equal(capture_read(&src, on_big, &s, &end, err,
		    sizeof(err)), 0);
		assert_int_equal(end.cut, 1);
		assert_int_equal(s.n, 0);
		assert_non_null(strstr(end.why, "ends at byte 48, after frame "
		    "0: inside a block (1999952 of its 2500032 bytes)"));
	}
	free(b);
}

static int
with_ahead(void **state)
{
	(void)state;
	ahead = 1;
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pcapng_link_types),
		cmocka_unit_test(test_pcapng_cut),
		cmocka_unit_test(test_pcapng_unknown_interface),
		cmocka_unit_test(test_pcap_nsec),
		cmocka_unit_test(test_not_a_capture),
	};

	const struct CMUnitTest big[] = {
		cmocka_unit_test(test_big),
	};

	/* the small captures fit in one block: read here, then ahead */
	return cmocka_run_group_tests(tests, NULL, NULL) |
	    cmocka_run_group_tests(tests, with_ahead, NULL) |
	    cmocka_run_group_tests(big, NULL, NULL);
}
