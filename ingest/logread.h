/*
 * logread.h - read a text log line by line with bounded memory from an
 * open input (ingest.h: gzip already undone there), UTF-8/ASCII or UTF-16
 * with a byte-order mark (decoded to UTF-8), LF or CRLF.  Lines longer
 * than the bound are skipped and counted, never held.
 */
#ifndef CCMDIAG_LOGREAD_H
#define CCMDIAG_LOGREAD_H

#include <stddef.h>
#include <stdint.h>

#include "cursor.h"

struct ingest_file;
struct input;

#define LOGREAD_MAX_LINE	(64 * 1024)
#define LOGREAD_MAX_FIELDS	64

enum logread_enc { LOGREAD_BYTES, LOGREAD_UTF16LE, LOGREAD_UTF16BE };

struct logread {
	struct ingest_file *in;	/* what is read */
	struct ingest_file *own;	/* ... when logread_open opened it */
	enum logread_enc enc;
	int gzipped;
	uint8_t *buf;		/* decoded text */
	size_t cap, len, pos;
	size_t scanned;		/* bytes after pos known to hold no LF */
	uint8_t *raw;		/* UTF-16 only: bytes before decoding */
	uint64_t size;		/* of the file on disk, 0 unknown */
	int failed;		/* a read failed: logread_error says why */
	int progress;		/* drawing a progress bar (progress.h) */
	uint8_t carry[2];	/* odd UTF-16 byte left from the last read */
	size_t n_carry;
	int eof;
	unsigned long lineno;	/* of the line last returned */
	unsigned long n_long;	/* lines over the bound, skipped */
	unsigned long first_long;	/* line number of the first one */
};

/*
 * Read the open input f (which stays the caller's); 0, or an ERR_ code
 * with a reason in errbuf.  Who frees: the caller, with logread_close
 * (which accepts a closed or zeroed reader).
 */
int logread_start(struct logread *lr, struct ingest_file *f, char *errbuf,
    size_t errlen);
/* The same for the file at path, opened here. */
int logread_open(struct logread *lr, const char *path, char *errbuf,
    size_t errlen);
/*
 * Next line (without its LF or CRLF) as a cursor into the reader's buffer,
 * valid until the next call.  Returns 1 for a line, 0 at the end, or
 * -ERR_IO.  A line over LOGREAD_MAX_LINE comes back empty with *too_long set.
 */
int logread_next(struct logread *lr, struct cursor *line, int *too_long);
void logread_close(struct logread *lr);
/*
 * For readers that split lines themselves, instead of logread_next: fill
 * buf (cap bytes) with whole lines, LF
 * included: about want bytes of them, or more when a line goes on past
 * want; the file's last line may lack its LF.  Returns 1 with *len set, 0
 * at the end, 2 when one line was longer than cap (it was skipped and
 * counts as a line; shorter lines over LOGREAD_MAX_LINE are the caller's
 * to skip), or -ERR_IO or -ERR_NOMEM.  lineno and the long-line counts are
 * left to the caller.
 */
int logread_block(struct logread *lr, uint8_t *buf, size_t cap, size_t want,
    size_t *len);

const char *logread_enc_name(enum logread_enc enc);
/*
 * Show a progress bar for this file while it is read (when stderr is a
 * terminal; see progress.h), ended by logread_close.
 */
void logread_progress(struct logread *lr, const char *label);
/* One line as logread_scan found it. */
struct logread_line {
	size_t len;		/* bytes before its LF (a CR stays), or all */
	size_t next;		/* where the next line starts */
	int n_sep;		/* separators in the line */
	int n_rec;		/* the first of them, recorded */
};
/*
 * Find the end of the line at p (avail bytes) and its separators in one
 * pass: the offsets of the first max (at most LOGREAD_MAX_FIELDS) go to
 * sep, which has room for LOGREAD_SCAN_SEP, all are counted.  For readers
 * that take lines from logread_block.
 */
#define LOGREAD_SCAN_SEP	(LOGREAD_MAX_FIELDS + 64 + 4)
void logread_scan(const uint8_t *p, size_t avail, uint8_t sepc,
    uint32_t *sep, int max, struct logread_line *out);
/*
 * How logread_scan reads: a byte at a time, SSE2, or AVX2.  It takes the
 * best the CPU has; tests ask for a lower level (-1: the best again).
 * Returns the level in use.
 */
enum { LOGREAD_SCAN_BYTES, LOGREAD_SCAN_SSE2, LOGREAD_SCAN_AVX2 };
int logread_scan_level(int level);
/*
 * How the read of a log went, for the report's list of inputs: read whole
 * (lines of them), or cut after that many lines when a read failed.
 */
void logread_result(struct logread *lr, unsigned long lines,
    struct input *res);
/* The reason the last read failed. */
const char *logread_error(struct logread *lr);

/*
 * For sniffers: the first bytes of a file as text, gunzipped and decoded
 * from UTF-16 when it has a BOM.  Returns the number of bytes in out.
 */
size_t logread_head(const uint8_t *raw, size_t n, uint8_t *out, size_t outsz);

#endif
