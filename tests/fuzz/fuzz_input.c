/* fuzz_input.c - libFuzzer entry point for opening an input: gzip undone,
 * a zip's members walked (libarchive) and each read to its end. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ingest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Read f to its end; the content never comes back longer than asked. */
static void
drain(struct ingest_file *f)
{
	uint8_t buf[8192];
	ssize_t got;

	if (f->head_len > INGEST_HEAD)
		__builtin_trap();
	while ((got = ingest_read(f, buf, sizeof(buf))) > 0)
		if ((size_t)got > sizeof(buf))
			__builtin_trap();
	if (got < 0 && strlen(ingest_error(f)) == 0)
		__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ingest_archive *z;
	struct ingest_file f, *m;
	char err[256];
	int rc, n = 0;

	if (ingest_open_mem(&f, "fuzz", data, size, err, sizeof(err)) != 0)
		return 0;
	if (ingest_is_archive(&f) &&
	    ingest_archive_open(&z, &f, err, sizeof(err)) == 0) {
		while (n++ < 64 &&
		    (rc = ingest_archive_next(z, &m, err, sizeof(err))) > 0)
			if (rc == 1)
				drain(m);
		ingest_archive_close(z);
	} else {
		drain(&f);
	}
	ingest_close(&f);
	return 0;
}
