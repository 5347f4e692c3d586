/*
 * ingest.h - offline inputs turned into events: captures, IIS logs, CM
 * logs, SQL traces.  Each reader appends events to the report (with source
 * "frame N" or "FILE:LINE") and sets the report's realm/MP hints when it
 * learns them; the engine then applies the same rules as for a live probe.
 *
 * Adding a reader: a file ingest/<kind>.c exporting one
 * `const struct ingest_reader ingest_<kind>`, a row in ingest/registry.c,
 * a fuzz target, and a test in tests/.
 */
#ifndef CCMDIAG_INGEST_H
#define CCMDIAG_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "report.h"

struct ingest_reader {
	const char *name;		/* "pcap", "iis", "cmlog", "sql" */
	/* Does this file start like our format?  head: up to 4 KiB. */
	int (*sniff)(const uint8_t *head, size_t n);
	/* Read path; 0, or an ERR_ code with a one-line reason in errbuf
	 * (the file could not be read at all: exit 3). */
	int (*read)(const char *path, struct report *r, char *errbuf,
	    size_t errlen);
	/* Optional: after every input was read, finish what read() left
	 * for the whole set (IIS: one story per client across files); 0, or
	 * an ERR_ code with a one-line reason in errbuf. */
	int (*finish)(struct report *r, char *errbuf, size_t errlen);
};

extern const struct ingest_reader ingest_iis, ingest_cmlog, ingest_sql,
    ingest_pcap;

/* The reader whose format head (the first bytes of a file) starts like,
 * or NULL. */
const struct ingest_reader *ingest_reader_for(const uint8_t *head, size_t n);
/* The reader for the file at path, or NULL with the reason in errbuf. */
const struct ingest_reader *ingest_sniff(const char *path, char *errbuf,
    size_t n);
/* Every reader's finish, after the last input; the first error. */
int ingest_finish(struct report *r, char *errbuf, size_t n);

#endif
