/*
 * test_logread.c - the block reader and the line scanner the IIS reader
 * splits its lines with: every scanning level (bytes, SSE2, AVX2) against
 * a plain reference on random lines, and blocks that give back the file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "logread.h"

/* What logread_scan must find, a byte at a time. */
static void
reference(const uint8_t *p, size_t avail, uint32_t *sep, int max,
    struct logread_line *out)
{
	size_t i;
	int n = 0;

	for (i = 0; i < avail && p[i] != '\n'; i++)
		if (p[i] == ' ') {
			if (n < max)
				sep[n] = (uint32_t)i;
			n++;
		}
	out->len = i;
	out->next = i < avail ? i + 1 : avail;
	out->n_rec = n < max ? n : max;
	out->n_sep = n;
}

static uint64_t rng = 0x9E3779B97F4A7C15ULL;

static uint32_t
next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

static void
test_scan_levels(void **state)
{
	static const uint8_t alphabet[] = { ' ', ' ', ' ', '\n', 'a', '\r',
	    '\0', 0xff, '0', '-' };
	static const int maxes[] = { 0, 1, 5, 13, 64, 99 };
	uint8_t buf[400];
	uint32_t want[LOGREAD_SCAN_SEP], got[LOGREAD_SCAN_SEP];
	struct logread_line w, g;
	int level, best, round, m, k;
	size_t len, i;

	best = logread_scan_level(-1);
	assert_true(best >= LOGREAD_SCAN_BYTES);
	for (level = LOGREAD_SCAN_BYTES; level <= best; level++) {
		assert_int_equal(logread_scan_level(level), level);
		for (round = 0; round < 4000; round++) {
			/* runs of one byte make long fields and many spaces */
			len = next() % sizeof(buf);
			for (i = 0; i < len; i++)
				buf[i] = next() % 4 == 0 && i > 0 ? buf[i - 1] :
				    alphabet[next() % sizeof(alphabet)];
			if (round % 3 == 0)	/* mostly spaces, no LF */
				for (i = 0; i < len; i++)
					buf[i] = i % 5 ? ' ' : 'x';
			for (m = 0; m < (int)(sizeof(maxes) /
			    sizeof(maxes[0])); m++) {
				int max = maxes[m] > LOGREAD_MAX_FIELDS ?
				    LOGREAD_MAX_FIELDS : maxes[m];

				reference(buf, len, want, max, &w);
				memset(&g, 0xa5, sizeof(g));
				logread_scan(buf, len, ' ', got, maxes[m], &g);
				assert_int_equal(g.len, w.len);
				assert_int_equal(g.next, w.next);
				assert_int_equal(g.n_sep, w.n_sep);
				assert_int_equal(g.n_rec, w.n_rec);
				for (k = 0; k < w.n_rec; k++)
					assert_int_equal(got[k], want[k]);
			}
		}
	}
	logread_scan_level(-1);
	(void)state;
}

/* Blocks of a file made of lines of many lengths give back the file. */
static void
test_blocks(void **state)
{
	char path[] = "/tmp/test_logread.XXXXXX";
	static uint8_t file[200000], out[200000];
	uint8_t *buf;
	const size_t cap = 8192;
	size_t flen = 0, olen = 0, len, i, line_start = 0;
	size_t long_at = 0, long_end = 0;
	struct logread lr;
	char err[256];
	int fd, rc, n_long = 0;

	/* short and long lines; one longer than a block; no final LF */
	while (flen < sizeof(file) - 20000) {
		size_t n = next() % 300;

		if (long_at == 0 && flen > 50000) {
			n = 3 * cap;
			long_at = flen;
			long_end = flen + n + 1;
		}
		for (i = 0; i < n; i++)
			file[flen++] = (uint8_t)('a' + next() % 26);
		file[flen++] = '\n';
	}
	memcpy(file + flen, "last line", 9);
	flen += 9;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, file, flen), (ssize_t)flen);
	close(fd);

	buf = malloc(cap);
	assert_non_null(buf);
	assert_int_equal(logread_open(&lr, path, err, sizeof(err)), 0);
	while ((rc = logread_block(&lr, buf, cap, 1000 + next() % 4000,
	    &len)) > 0) {
		if (rc == 2) {	/* the long line, skipped whole */
			n_long++;
			assert_int_equal(olen, long_at);
			memcpy(out + olen, file + long_at, long_end - long_at);
			olen += long_end - long_at;
			continue;
		}
		assert_true(len > 0 && len <= cap);
		/* whole lines only, but for the file's last */
		if (olen + len < flen)
			assert_int_equal(buf[len - 1], '\n');
		memcpy(out + olen, buf, len);
		olen += len;
		line_start = olen;
	}
	assert_int_equal(rc, 0);
	logread_close(&lr);
	unlink(path);
	free(buf);
	assert_int_equal(n_long, 1);
	assert_int_equal(olen, flen);
	assert_memory_equal(out, file, flen);
	(void)line_start;
	(void)state;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scan_levels),
		cmocka_unit_test(test_blocks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
