/* fuzz_sql.c - libFuzzer entry point for the SQL trace reader (sniff and
 * read, through an in-memory file so the logread paths are reached too). */
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

extern const struct ingest_reader ingest_sql;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64], err[256];
	struct report r;
	size_t i;
	int fd;

	(void)ingest_sql.sniff(data, size < 4096 ? size : 4096);
	if ((fd = memfd_create("fuzz_sql", 0)) < 0)
		return 0;
	if (size > 0 && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	report_init(&r, "analyze", "fuzz");
	if (ingest_sql.read(path, &r, err, sizeof(err)) == 0) {
		for (i = 0; i < r.n_events; i++) {
			char line[1024];

			event_describe(&r.events[i], line, sizeof(line));
		}
	}
	report_release(&r);
	close(fd);
	return 0;
}
