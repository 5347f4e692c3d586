/*
 * test_input.c - opening an input once (ingest/input.c): the head is
 * handed out again before the rest, whatever the descriptor (a file, a
 * pipe that gives a few bytes at a time); gzip undone, members and all;
 * a gzip file cut short, and a file cut while it is read, fail with the
 * reason after the bytes that were there.
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
#include <pthread.h>
#include <zlib.h>

#include "error.h"
#include "ingest.h"

#define BIG (3 * INGEST_HEAD + 123)

static uint8_t content[BIG];
static char dir[] = "/tmp/test-input-XXXXXX";

static int
setup(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(content); i++)
		content[i] = (uint8_t)(i * 7 + i / 251);
	return mkdtemp(dir) ? 0 : -1;
}

static int
teardown(void **state)
{
	char cmd[64];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *
write_file(const char *name, const void *p, size_t n)
{
	static char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "wb"));
	assert_int_equal(fwrite(p, 1, n, f), n);
	fclose(f);
	return path;
}

/* Read f to its end in reads of step bytes; the byte count, -1 on error. */
static long
drain(struct ingest_file *f, uint8_t *out, size_t cap, size_t step)
{
	size_t have = 0;
	ssize_t got;

	while ((got = ingest_read(f, out + have, step)) > 0) {
		have += (size_t)got;
		assert_true(have <= cap);
	}
	return got < 0 ? -1 : (long)have;
}

static void
test_file(void **state)
{
	static uint8_t out[BIG];
	struct ingest_file f;
	char err[256];

	(void)state;
	assert_int_equal(ingest_open(&f, write_file("plain.pcap", content,
	    sizeof(content)), err, sizeof(err)), 0);
	assert_string_equal(f.name, "plain.pcap");
	assert_int_equal(f.head_len, INGEST_HEAD);
	assert_memory_equal(f.head, content, INGEST_HEAD);
	assert_int_equal(f.size, sizeof(content));
	assert_null(f.packing);
	assert_true(f.reopen);
	assert_int_equal(drain(&f, out, sizeof(out), 1000), sizeof(content));
	assert_memory_equal(out, content, sizeof(content));
	assert_int_equal(ingest_offset(&f), sizeof(content));
	ingest_close(&f);
	assert_int_not_equal(ingest_open(&f, "/nonexistent/x", err,
	    sizeof(err)), 0);
	assert_string_equal(err, "cannot open: No such file or directory");
	assert_int_not_equal(ingest_open(&f, dir, err, sizeof(err)), 0);
}

/* A writer that hands the content to a pipe 100 bytes at a time. */
static void *
writer(void *arg)
{
	int fd = *(int *)arg;
	size_t at;

	for (at = 0; at < sizeof(content); at += 100)
		if (write(fd, content + at, sizeof(content) - at < 100 ?
		    sizeof(content) - at : 100) < 0)
			break;
	close(fd);
	return NULL;
}

static void
test_pipe(void **state)
{
	static uint8_t out[BIG];
	struct ingest_file f;
	char err[256], path[64];
	pthread_t t;
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(pthread_create(&t, NULL, writer, &p[1]), 0);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", p[0]);
	assert_int_equal(ingest_open(&f, path, err, sizeof(err)), 0);
	assert_int_equal(f.head_len, INGEST_HEAD);	/* not one write */
	assert_int_equal(f.size, 0);
	assert_false(f.reopen);
	assert_int_equal(drain(&f, out, sizeof(out), 333), sizeof(content));
	assert_memory_equal(out, content, sizeof(content));
	ingest_close(&f);
	pthread_join(t, NULL);
	close(p[0]);
}

/* content gzip'd: as two members when split, n bytes of it in *len */
static uint8_t *
gzipped(size_t split, size_t *len)
{
	uint8_t *out = malloc(2 * BIG + 256);
	size_t o = 0, part[2] = { split, sizeof(content) - split };
	const uint8_t *in[2] = { content, content + split };
	z_stream zs;
	int k;

	assert_non_null(out);
	for (k = 0; k < (split ? 2 : 1); k++) {
		memset(&zs, 0, sizeof(zs));
		assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 16 + 15, 8,
		    Z_DEFAULT_STRATEGY), Z_OK);
		zs.next_in = (Bytef *)(uintptr_t)in[k];
		zs.avail_in = (uInt)(split ? part[k] : sizeof(content));
		zs.next_out = out + o;
		zs.avail_out = (uInt)(2 * BIG + 256 - o);
		assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
		o = 2 * BIG + 256 - zs.avail_out;
		deflateEnd(&zs);
	}
	*len = o;
	return out;
}

static void
test_gzip(void **state)
{
	static uint8_t out[BIG];
	struct ingest_file f;
	uint8_t *gz;
	char err[256];
	size_t n;

	(void)state;
	gz = gzipped(5000, &n);
	assert_int_equal(ingest_open(&f, write_file("two.gz", gz, n), err,
	    sizeof(err)), 0);
	assert_string_equal(f.packing, "gzip");
	assert_memory_equal(f.head, content, f.head_len);
	assert_int_equal(drain(&f, out, sizeof(out), 4096), sizeof(content));
	assert_memory_equal(out, content, sizeof(content));
	assert_int_equal(ingest_disk_offset(&f), n);
	ingest_close(&f);
	/* cut short: what was there, then the reason, again and again */
	assert_int_equal(ingest_open_mem(&f, "cut.gz", gz, n - 40, err,
	    sizeof(err)), 0);
	assert_int_equal(drain(&f, out, sizeof(out), 1000), -1);
	assert_true(ingest_offset(&f) > INGEST_HEAD);
	assert_non_null(strstr(ingest_error(&f), "gzip data ends early"));
	assert_int_equal(ingest_read(&f, out, 10), -1);
	ingest_close(&f);
	free(gz);
}

static void
test_shrinks_while_read(void **state)
{
	static uint8_t out[BIG];
	struct ingest_file f;
	const char *path;
	char err[256];

	(void)state;
	path = write_file("shrinks.log", content, sizeof(content));
	assert_int_equal(ingest_open(&f, path, err, sizeof(err)), 0);
	assert_int_equal(truncate(path, 2 * INGEST_HEAD), 0);
	assert_int_equal(drain(&f, out, sizeof(out), 1000), -1);
	assert_int_equal(ingest_offset(&f), 2 * INGEST_HEAD);
	assert_memory_equal(out, content, 2 * INGEST_HEAD);
	assert_non_null(strstr(ingest_error(&f), "cut while being read"));
	ingest_close(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_pipe),
		cmocka_unit_test(test_gzip),
		cmocka_unit_test(test_shrinks_while_read),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
