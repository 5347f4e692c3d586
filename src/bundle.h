/* bundle.h - the evidence bundle: one directory an engineer can attach to
 * an escalation. */
#ifndef CCMDIAG_BUNDLE_H
#define CCMDIAG_BUNDLE_H

#include <stddef.h>

#include "report.h"

/* What to do with one input: logs give excerpts, captures are copied
 * whole, a file already in the directory (the probe's capture.pcap) is
 * only hashed. */
enum bundle_kind { BUNDLE_LOG, BUNDLE_CAPTURE, BUNDLE_IN_DIR };

struct bundle_input {
	const char *path;	/* BUNDLE_IN_DIR: a name inside dir */
	enum bundle_kind kind;
};

/*
 * Write into dir (which exists): report.txt, report.json, report.md and
 * report.html (the whole timeline in each), capture-<name> for every
 * capture input, log-<name>.txt with the lines the events cite for every
 * log input (base64 runs of 40 characters or more redacted), and MANIFEST
 * with the SHA-256 of every file written or named BUNDLE_IN_DIR.  Returns 0, or an ERR_ code with a reason in errbuf.
 */
int bundle_write(struct report *r, const char *dir,
    const struct bundle_input *inputs, size_t n_inputs, char *errbuf,
    size_t errlen);

#endif
