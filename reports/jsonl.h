/*
 * jsonl.h - a report as one line of JSON (JSON Lines): the ccmdiag/1
 * document of --format json, with what a search engine needs to merge the
 * lines of many runs on many hosts: when (time, @timestamp), who asked
 * (principal), what came of it (state) and which run on which host (run).
 * docs/json.md and docs/ccmdiag-1.schema.json describe the fields.
 */
#ifndef CCMDIAG_JSONL_H
#define CCMDIAG_JSONL_H

#include <stdio.h>

#include "report.h"

struct json_object;

/* The run a document belongs to; every member may be NULL or 0. */
struct jsonl_run {
	const char *id;		/* one id per run: "HOST-20261203T101112Z-4242" */
	const char *host;	/* the machine that ran it (NULL: this one) */
	const char *principal;	/* the identity the target names, as given */
	const char *error;	/* the check could not run: why */
	unsigned long line;	/* the target's line in the targets file */
	int index, of;		/* the target's number in the run, from 1 */
};

/* r's document with the run's members; NULL when out of memory.  The
 * caller releases it with json_object_put. */
struct json_object *jsonl_document(const struct report *r,
    const struct jsonl_run *run);
/* The document on one line; 0, or -1 when it could not be written. */
int jsonl_write(const struct report *r, const struct jsonl_run *run,
    FILE *out);
/* "HOST-20261203T101112Z-PID" for a run started at t on host. */
void jsonl_run_id(const char *host, double t, char *buf, size_t n);
/* This machine's name (gethostname), "localhost" when it has none. */
void jsonl_host(char *buf, size_t n);

#endif
