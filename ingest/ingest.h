/*
 * ingest.h - offline inputs turned into events: captures, IIS logs, CM
 * logs, SQL traces.  Each input is opened once (ingest/input.c): its
 * first bytes are read to tell its format, and the reader then reads on
 * from the same descriptor, the head included, so standard input, pipes
 * and FIFOs work like files.  gzip is undone on the way; zip archives and
 * directories are walked (ingest/registry.c).  Each reader appends events
 * to the report (with source "NAME frame N" or "NAME:LINE", NAME the
 * file's base name) and sets the report's realm/MP hints when it learns
 * them; the engine then applies the same rules as for a live probe.
 *
 * Adding a reader: a file ingest/<kind>.c exporting one
 * `const struct ingest_reader ingest_<kind>`, a row in ingest/registry.c,
 * a fuzz target, and a test in tests/.
 */
#ifndef CCMDIAG_INGEST_H
#define CCMDIAG_INGEST_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include "report.h"

#define INGEST_HEAD	4096	/* bytes read to tell a format */

struct ingest_src;

/*
 * One input being read.  Who frees: ingest_close (which accepts a zeroed
 * or closed one).
 */
struct ingest_file {
	char path[1024];	/* as given; DIR/FILE in a directory,
				 * ARCHIVE:MEMBER in a zip */
	char name[128];		/* for event sources: the base name as
				 * given, "stdin" for "-" */
	int index;		/* its place in the report's inputs */
	int fd;			/* the descriptor, -1 for a zip member */
	const uint8_t *head;	/* the first head_len bytes of the content
				 * (after gzip), which ingest_read hands out
				 * first */
	size_t head_len;
	uint64_t size;		/* bytes on disk of a regular file, else 0 */
	const char *packing;	/* "gzip", "zip" (a member), or NULL */
	int reopen;		/* path names a file that can be read again */
	struct ingest_src *src;	/* private to input.c */
};

struct ingest_reader {
	const char *name;		/* "pcap", "iis", "cmlog", "sql" */
	const char *kind;		/* in the report's inputs: "capture",
					 * "iis", "cmlog", "sql" */
	/* Does this file start like our format?  head: up to 4 KiB. */
	int (*sniff)(const uint8_t *head, size_t n);
	/*
	 * Read f with ingest_read.  0 with res->status INPUT_READ (read to
	 * its end) or INPUT_CUT (it stops early: res->detail says where and
	 * why; what came before is in the report), or an ERR_ code with the
	 * reason in res->detail when nothing could be read.
	 */
	int (*read)(struct ingest_file *f, struct report *r,
	    struct input *res);
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
/* Every reader's finish, after the last input; the first error. */
int ingest_finish(struct report *r, char *errbuf, size_t n);

/*
 * Everything under path ("-" standard input, a file, a FIFO, a directory:
 * its files by name, two levels down; gzip undone; a zip's members in
 * order): each file read by its reader into r, and listed in r's inputs.
 * A file that cannot be read is listed as unreadable, becomes an EV_INPUT
 * event and a line on stderr (a file of another kind inside a directory
 * or zip is only listed); a cut one is listed and an event.  on_file,
 * when not NULL, sees each file after it was read.  Returns the number of
 * files read (whole or cut).
 */
typedef void ingest_file_fn(void *arg, const struct ingest_file *f,
    const struct ingest_reader *rd, const struct input *res);
int ingest_path(struct report *r, const char *path, ingest_file_fn *on_file,
    void *arg);

/* For tests: read path with rd; 0, or an ERR_ code with the reason. */
int ingest_read_path(const struct ingest_reader *rd, const char *path,
    struct report *r, char *errbuf, size_t errlen);

/* ---- input.c: opening and reading one input ---- */

/* The libarchive in use, as it names itself. */
const char *ingest_archive_version(void);
/*
 * Open path ("-": standard input) and read its head, undoing gzip.  0, or
 * an ERR_ code with a one-line reason in errbuf.
 */
int ingest_open(struct ingest_file *f, const char *path, char *errbuf,
    size_t errlen);
/* The same over bytes in memory (not copied: they must outlive f). */
int ingest_open_mem(struct ingest_file *f, const char *name,
    const uint8_t *data, size_t n, char *errbuf, size_t errlen);
/*
 * The content's next bytes, the head first: up to n, 0 at the end, -1 on
 * an error (ingest_error says which; a regular file that shrank while
 * being read is one).
 */
ssize_t ingest_read(struct ingest_file *f, void *buf, size_t n);
/* Why the last ingest_read failed. */
const char *ingest_error(const struct ingest_file *f);
/* Content bytes handed out so far. */
uint64_t ingest_offset(const struct ingest_file *f);
/* Bytes of the file on disk consumed so far (for progress, see size). */
uint64_t ingest_disk_offset(const struct ingest_file *f);
void ingest_close(struct ingest_file *f);

/* A zip archive: its members one after the other. */
struct ingest_archive;
/* f's head is a zip archive's: 1, else 0. */
int ingest_is_archive(const struct ingest_file *f);
/* Walk f's members; 0, or an ERR_ code with the reason in errbuf. */
int ingest_archive_open(struct ingest_archive **out, struct ingest_file *f,
    char *errbuf, size_t errlen);
/*
 * The next regular member, opened (its head read, gzip undone) as *m,
 * which the archive owns until the next call: 1; 2 when the member
 * cannot be read (*m names it, the reason in errbuf); 0 at the end; -1
 * when the archive cannot be read further (the reason in errbuf).
 */
int ingest_archive_next(struct ingest_archive *a, struct ingest_file **m,
    char *errbuf, size_t errlen);
void ingest_archive_close(struct ingest_archive *a);

#endif
