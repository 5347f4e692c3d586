/*
 * ingest_iis.h - the IIS log reader's own types, shared by its three
 * files: iis.c reads the logs (all given to one report, in order of
 * their first request) in blocks on two threads and splits their lines
 * into requests, iis_clients.c follows each client through them,
 * iis_report.c turns the clients into verdicts, events and notes.
 */
#ifndef CCMDIAG_INGEST_IIS_H
#define CCMDIAG_INGEST_IIS_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "finding.h"
#include "logread.h"
#include "report.h"

#define MAX_FIELDS	LOGREAD_MAX_FIELDS
#define MAX_CLIENTS	100000
#define MAX_EVENTS	600		/* representative events, all clients */
#define NTLM_CHALLENGE	0x8009030EU	/* 401.1 with this: NTLM's 2nd leg */
/* A request's place: its file's number above FILE_SHIFT, its line below. */
#define FILE_SHIFT	48
#define LINE_MASK	((UINT64_C(1) << FILE_SHIFT) - 1)
#define MAX_FILES	65535

enum field {
	F_DATE, F_TIME, F_CIP, F_USER, F_METHOD, F_URI, F_STATUS, F_SUB,
	F_WIN32, F__N
};

static const char *const field_names[F__N] = {
	"date", "time", "c-ip", "cs-username", "cs-method", "cs-uri-stem",
	"sc-status", "sc-substatus", "sc-win32-status",
};

enum outcome {
	OUT_NONE, OUT_KERBEROS, OUT_NTLM, OUT_REJECTED, OUT_ANONYMOUS,
	OUT_OTHER
};

/* What one request left behind: enough to describe it later. */
struct snap {
	unsigned file;			/* in the set's files */
	unsigned long line;		/* 0: none */
	char when[24];			/* "2009-05-20 19:35:11", as logged */
	int status, sub, authed;
	uint32_t win32;
};

/*
 * A client as the report sees it.  Keys are kept as logged (cut to the
 * buffer) and compared as bytes, the user without regard to ASCII case;
 * they are made printable on output.
 */
struct client {
	uint8_t ip_len, user_len;
	char ip[64], user[128];
	int n;
	enum outcome outcome;
	int ntlm_leg;			/* challenge seen since last outcome */
	int saw_401_2;
	struct snap first, first401, decisive, last;
};

/*
 * While the file is read, a request is a snapshot in 32 bytes: the time
 * packed a digit a nibble when it was logged as "YYYY-MM-DD hh:mm:ss" (else
 * 0, and the text is kept with the client's cold part).
 */
struct csnap {
	uint64_t line;			/* file << FILE_SHIFT | line; 0: none */
	uint64_t when;			/* packed, or 0 */
	int32_t status, sub;
	uint32_t win32, authed;
};

enum { SN_FIRST, SN_FIRST401, SN_DECISIVE, SN_LAST, SN__N };

/*
 * What every request reads and writes, in two cache lines: with many
 * clients each request misses the cache, and a record this size can be
 * fetched ahead for several requests at once.  Keys that do not fit go
 * to the shard's key store.
 */
#define HOT_KEYS	48
#define HF_NTLM_LEG	0x01		/* challenge seen since last outcome */
#define HF_SAW_401_2	0x02
#define HF_HAVE_401	0x04
#define HF_SPILLED	0x08		/* keys in the key store */

struct hot {
	uint32_t n;
	uint8_t ip_len, user_len, outcome, flags;
	uint32_t spill;			/* offset in the key store */
	uint32_t seen;			/* tag of the last file it was seen in */
	struct csnap decisive, last;
	uint8_t keys[HOT_KEYS];		/* ip, then user */
} __attribute__((aligned(64)));

/* What a client's first requests leave, seldom touched again. */
struct cold {
	struct csnap first, first401;
	char raw[SN__N][20];		/* times not packed, as logged */
};

/* Open-addressing index of clients; key is ip (latest) or ip+user. */
struct slot {
	uint32_t hash;
	uint32_t idx;			/* client number + 1, 0 empty */
};

struct index {
	struct slot *slot;
	size_t cap, n;
};

/* A key as it appears in the line. */
struct key {
	const uint8_t *p;
	size_t n;
};

/* The columns of the #Fields directive in force. */
struct fmt {
	int col[F__N];			/* field -> column, -1 absent */
	int n_cols;
	int n_need;			/* columns up to the last one used */
	int n_key;			/* columns up to the method and URI */
	int have_fields;
};

/*
 * The file is read in blocks of whole lines, two at a time: each thread
 * splits one block's lines into requests, then each follows the clients
 * of half the addresses (a shard, by the address's hash) through the
 * requests of both blocks, in file order.  A client's requests all fall
 * in one shard, so the two never touch the same client, and the result
 * does not depend on which thread ran first.
 */
#define NSHARD		2
#define SHARD_OF(h)	((h) >> 31)
#define BLOCK		(2 * 1024 * 1024)	/* a block's buffer */
#define WANT		(BLOCK - 256 * 1024)	/* and what is read into it */
#define AHEAD		8		/* requests fetched ahead when applying */
#define SPIN		(1L << 13)	/* waits, a fraction of a ms, then sleep */

/* A request on ccm_system_windowsauth; its keys point into its block. */
struct req {
	uint32_t h_ip, h_user;
	uint32_t line;			/* within the block, from 1 */
	uint8_t ip_len, user_len, date_len, time_len;
	const uint8_t *ip, *user, *date, *time;
	uint64_t when;			/* packed, or 0: see date, time */
	int32_t status, sub;
	uint32_t win32;
};

/* One block and what its lines held. */
struct part {
	uint8_t *buf;
	size_t len;
	int rc;				/* logread_block's */
	struct fmt fmt_in, fmt;		/* in force at the start, at the end */
	struct req *q[NSHARD];
	size_t n_q[NSHARD], cap_q[NSHARD];
	int nomem;			/* requests lost: no room for them */
	uint64_t base;			/* file << FILE_SHIFT | lines before */
	unsigned long n_lines, n_relevant, n_no_fields, n_short, n_long;
	unsigned long first_long;	/* within the block, 0 none */
	char first_when[24];
};

/* The clients of one shard. */
struct shard {
	struct hot *hot;
	struct cold *cold;
	size_t n_clients, cap_clients;
	uint8_t *store;			/* keys too long for their hot record */
	size_t n_store, cap_store;
	struct index by_ip, by_user;
	unsigned long n_dropped;	/* requests of clients over the cap */
	uint32_t tag;			/* the file being read, from 1 */
	unsigned long n_seen;		/* its clients seen in that file */
} __attribute__((aligned(64)));

/* One log of the set, and what reading it found. */
struct iis_file {
	char *path;
	struct ingest_file *in;		/* read from it now (it cannot be
					 * opened again), else path later */
	int input;			/* its place in the report's inputs,
					 * -1 */
	const char *base;		/* as sources name it: its name, or label */
	char label[48];			/* "mp2/u_ex090520.log": two of a name */
	double first;			/* its first time logged, 0 unknown */
	size_t given;			/* its place among the inputs */
	unsigned long n_lines, n_relevant, n_no_fields, n_short, n_long;
	unsigned long first_long, n_nomem, n_dropped;
	size_t n_clients;		/* clients with a request in it */
	char first_when[24], last_when[24];	/* of its requests */
	int read_rc;			/* < 0: not read to its end */
	char read_error[96];
	int gzipped;
	enum logread_enc enc;
};

struct iis {
	struct iis_file *files;		/* in order of their first request */
	size_t n_files;
	struct iis_file *f;		/* the one being read */
	uint32_t file;			/* its number */
	struct report *r;
	struct fmt fmt;
	struct part pool[2 * NSHARD];
	struct part *cur[NSHARD];	/* this round's blocks */
	struct part *next[NSHARD];	/* the next round's, being read */
	size_t want[NSHARD];		/* bytes to read into the next ones */
	double t_parse[NSHARD], t_read;	/* this round's, to balance them */
	struct shard shard[NSHARD];
	/* every shard's clients in order of their first request */
	struct client_ref {
		uint32_t shard, idx;
	} *order;
	size_t n_clients;
	unsigned long n_dropped;
	int read_rc;			/* < 0: the file was not read to its end */
	/* the second thread, given one half of each job */
	int job, gen, gen_done, quit, threaded;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t worker;
	struct logread *lr;
};

/*
 * Helpers of both files that read a log: inline, since they run for every
 * request.
 */
static inline int
lower(int ch)
{
	return ch >= 'A' && ch <= 'Z' ? ch + ('a' - 'A') : ch;
}

/* The same n bytes without regard to ASCII case? */
static inline int
same_ci(const uint8_t *a, const uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (a[i] != b[i] && lower(a[i]) != lower(b[i]))
			return 0;
	return 1;
}

/*
 * The same n >= 8 bytes?  Eight at a time, the last eight overlapping:
 * for a short field, cheaper than a call to memcmp.
 */
static inline int
same8(const uint8_t *a, const uint8_t *b, size_t n)
{
	uint64_t x, y, diff = 0;
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		diff |= x ^ y;
	}
	memcpy(&x, a + n - 8, 8);
	memcpy(&y, b + n - 8, 8);
	return (diff | (x ^ y)) == 0;
}

/*
 * Copy n bytes of a field: a few fixed-size moves, where memcpy with a
 * size known only at run time costs more than the copy for such short
 * keys.
 */
static inline void
copy_small(uint8_t *dst, const uint8_t *src, size_t n)
{
	size_t i;

	if (n >= 8) {
		for (i = 0; i + 8 <= n; i += 8)
			memcpy(dst + i, src + i, 8);
		memcpy(dst + n - 8, src + n - 8, 8);
	} else if (n >= 4) {
		memcpy(dst, src, 4);
		memcpy(dst + n - 4, src + n - 4, 4);
	} else {
		for (i = 0; i < n; i++)
			dst[i] = src[i];
	}
}

/* "%.10s %.8s" of date and time, as logged. */
static inline void
when_of(char when[24], const struct req *q)
{
	size_t d = q->date_len, t = q->time_len;

	copy_small((uint8_t *)when, q->date, d);
	when[d] = ' ';
	copy_small((uint8_t *)when + d + 1, q->time, t);
	when[d + 1 + t] = '\0';
}

/* Apply shard k's requests of one block to shard s, in order. */
void iis_apply_part(struct shard *s, const struct part *pt, int k);
/* Every shard's clients, in order of their first request; 0 or -1. */
int iis_merge_shards(struct iis *s);
void iis_free_shard(struct shard *s);

/*
 * The logs given to one report (iis_set.c).  A report released without
 * finish() leaves its set behind; a new report at the same address is told
 * apart by its start time.
 */
struct iis_set {
	size_t at;			/* where the events go in the timeline */
	struct iis_file *files;
	size_t n_files, cap_files;
	const struct report *r;
	double started;			/* r's, when the set was made */
	struct iis_set *next;
};

/* Note the log at path and the time of its first request, for r. */
int iis_set_add(struct report *r, const char *path, const char *name,
    int input, char *errbuf, size_t errlen);
/* r's logs, oldest first (those without a time first); NULL none.  Who
 * frees: the caller, with iis_set_free. */
struct iis_set *iis_set_take(const struct report *r);
void iis_set_free(struct iis_set *set);
/* Move the events from `from` on to `at`, both runs keeping their order. */
void iis_move_events(struct report *r, size_t at, size_t from);

/* The whole of c as text; an empty or failed cursor gives "". */
struct cursor;
void iis_text_of(struct cursor *c, char *buf, size_t n);
/* Does the line start with p (ASCII, any case)? */
int iis_has_prefix(const struct cursor *c, const char *p);
/* "#Fields: date time ..." (after its name): the columns in use. */
void iis_fields(struct fmt *m, struct cursor *c);
/* "2009-05-20 19:35:11" (UTC, as IIS logs) to seconds; 0 when not one. */
double iis_log_time(const char *when);
/* A note in the timeline, sourced to source. */
void iis_note(struct iis *s, const char *source, double t,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Client i in order of first request, as the report reads it. */
void iis_client(const struct iis *s, size_t i, struct client *out);
/* Every client's verdict and representative events; the request that
 * decided a verdict says so. */
void iis_verdicts(struct iis *s);
/* The notes that say what was read of f and what was skipped. */
void iis_summary(struct iis *s, const struct iis_file *f);
/* The note on a set of several logs: their order, overlaps. */
void iis_set_summary(struct iis *s);

#endif
