/* fuzz_reader.h - one libFuzzer body for every offline reader: sniff, then
 * read the bytes as an input opened in memory (so gzip, UTF-16 and line
 * paths are reached), finish the set, then render every event. */
#ifndef CCMDIAG_FUZZ_READER_H
#define CCMDIAG_FUZZ_READER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ingest.h"
#include "report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* check, when not NULL, asserts invariants of the finished report. */
static inline int
fuzz_reader(const struct ingest_reader *rd, const uint8_t *data, size_t size,
    void (*check)(const struct report *))
{
	char err[256], line[1024];
	struct ingest_file f;
	struct input res;
	struct report r;
	size_t i;

	(void)rd->sniff(data, size < INGEST_HEAD ? size : INGEST_HEAD);
	if (ingest_open_mem(&f, rd->name, data, size, err, sizeof(err)) != 0)
		return 0;
	report_init(&r, "analyze", "fuzz");
	memset(&res, 0, sizeof(res));
	if (rd->read(&f, &r, &res) == 0 &&
	    (rd->finish == NULL || rd->finish(&r, err, sizeof(err)) == 0)) {
		for (i = 0; i < r.n_events; i++)
			event_describe(&r.events[i], line, sizeof(line));
		if (check)
			check(&r);
		if (!memchr(res.detail, '\0', sizeof(res.detail)))
			__builtin_trap();
	}
	report_release(&r);
	ingest_close(&f);
	return 0;
}

#endif
