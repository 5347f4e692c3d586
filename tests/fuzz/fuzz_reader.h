/* fuzz_reader.h - one libFuzzer body for every offline reader: sniff, then
 * read the bytes as a file (an in-memory one, so gzip, UTF-16 and line
 * paths are reached), finish the set, then render every event. */
#ifndef CCMDIAG_FUZZ_READER_H
#define CCMDIAG_FUZZ_READER_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE		/* memfd_create */
#endif
#include <sys/mman.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ingest.h"
#include "report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* check, when not NULL, asserts invariants of the finished report. */
static inline int
fuzz_reader(const struct ingest_reader *rd, const uint8_t *data, size_t size,
    void (*check)(const struct report *))
{
	char path[64], err[256], line[1024];
	struct report r;
	size_t i;
	int fd;

	(void)rd->sniff(data, size < 4096 ? size : 4096);
	if ((fd = memfd_create(rd->name, 0)) < 0)
		return 0;
	if (size > 0 && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	report_init(&r, "analyze", "fuzz");
	if (rd->read(path, &r, err, sizeof(err)) == 0 &&
	    (rd->finish == NULL || rd->finish(&r, err, sizeof(err)) == 0)) {
		for (i = 0; i < r.n_events; i++)
			event_describe(&r.events[i], line, sizeof(line));
		if (check)
			check(&r);
	}
	report_release(&r);
	close(fd);
	return 0;
}

#endif
