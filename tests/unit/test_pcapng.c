/* test_pcapng.c - what the pcapng writer writes, libpcap reads back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "capture.h"
#include "pcapng.h"

struct seen {
	int n, linktype;
	double t[4];
	size_t caplen[4], len[4];
	uint8_t first[4];
};

static void
on_pkt(void *arg, const struct capture_pkt *p)
{
	struct seen *s = arg;

	if (s->n < 4) {
		s->linktype = p->linktype;
		s->t[s->n] = p->t;
		s->caplen[s->n] = p->caplen;
		s->len[s->n] = p->len;
		s->first[s->n] = p->caplen ? p->data[0] : 0;
	}
	s->n++;
}

static void
test_roundtrip(void **state)
{
	char path[] = "/tmp/test-pcapng-XXXXXX", err[256];
	struct pcapng_writer *w;
	uint8_t a[5] = { 0xaa, 1, 2, 3, 4 }, b[64];
	struct seen s;
	int fd, cut;

	(void)state;
	memset(b, 0xbb, sizeof(b));
	memset(&s, 0, sizeof(s));
	assert_true((fd = mkstemp(path)) >= 0);
	close(fd);
	/* 113: Linux cooked, what a capture on "any" gives */
	assert_int_equal(pcapng_open(&w, path, 113, "unit test"), 0);
	assert_int_equal(pcapng_write(w, 1795307000.25, a, sizeof(a), 60,
	    "first frame, with a comment of odd length"), 0);
	assert_int_equal(pcapng_write(w, 1795307001.5, b, sizeof(b),
	    sizeof(b), NULL), 0);
	assert_int_equal(pcapng_write(w, 1795307002.0, b, 0, 0, ""), 0);
	assert_int_equal(pcapng_close(w), 0);

	assert_int_equal(capture_read_file(path, on_pkt, &s, &cut, err,
	    sizeof(err)), 0);
	assert_int_equal(cut, 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.linktype, 113);
	assert_int_equal(s.caplen[0], 5);
	assert_int_equal(s.len[0], 60);
	assert_int_equal(s.first[0], 0xaa);
	assert_int_equal(s.caplen[1], 64);
	assert_int_equal(s.first[1], 0xbb);
	assert_int_equal(s.caplen[2], 0);
	assert_true(s.t[0] > 1795307000.24 && s.t[0] < 1795307000.26);
	assert_true(s.t[1] > 1795307001.49 && s.t[1] < 1795307001.51);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
	};

	return cmocka_run_group_tests_name("pcapng", tests, NULL, NULL);
}
