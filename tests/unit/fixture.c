/* fixture.c - load decoder test inputs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"

#ifndef TEST_DATA_DIR
#define TEST_DATA_DIR "tests/data"
#endif

uint8_t *
fixture_load(const char *rel, size_t *n)
{
	const char *dir = getenv("TEST_DATA_DIR");
	char path[1024];
	uint8_t *buf = NULL;
	long len = 0;
	FILE *f;

	if (dir == NULL || *dir == '\0')
		dir = TEST_DATA_DIR;
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	if ((f = fopen(path, "rb")) == NULL)
		fail_msg("cannot open fixture %s", path);
	if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0)
		fail_msg("cannot size fixture %s", path);
	buf = malloc(len > 0 ? (size_t)len : 1);
	assert_non_null(buf);
	if (fread(buf, 1, (size_t)len, f) != (size_t)len)
		fail_msg("short read on fixture %s", path);
	fclose(f);
	*n = (size_t)len;
	return buf;
}

uint8_t *
fixture_dup(const uint8_t *p, size_t n)
{
	uint8_t *q = malloc(n);	/* ASan flags any read of a 0-byte block */

	if (n > 0) {
		assert_non_null(q);
		memcpy(q, p, n);
	}
	return q;
}
