/*
 * ingest_iis.h - the IIS log reader's own types, shared by its two files:
 * ingest_iis.c reads and follows the clients, ingest_iis_report.c turns
 * them into verdicts, findings and notes.
 */
#ifndef CCMDIAG_INGEST_IIS_H
#define CCMDIAG_INGEST_IIS_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "finding.h"
#include "logread.h"
#include "report.h"

#define MAX_FIELDS	LOGREAD_MAX_FIELDS
#define MAX_CLIENTS	100000
#define MAX_EVENTS	600		/* representative events, all clients */
#define NTLM_CHALLENGE	0x8009030EU	/* 401.1 with this: NTLM's 2nd leg */

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
	unsigned long line;		/* 0: none */
	char when[24];			/* "2009-05-20 19:35:11", as logged */
	int status, sub, authed;
	uint32_t win32;
};

/*
 * Keys are kept as logged (cut to the buffer) and compared as bytes, the
 * user without regard to ASCII case; they are made printable on output.
 */
struct client {
	uint32_t h_ip, h_user;		/* hashes of the by_ip, by_user keys */
	uint8_t ip_len, user_len;
	char ip[64], user[128];
	int n;
	enum outcome outcome;
	int ntlm_leg;			/* challenge seen since last outcome */
	int saw_401_2;
	struct snap first, first401, decisive, last;
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

/*
 * A request on ccm_system_windowsauth, its keys copied out of the line.
 * One thread reads and splits lines into batches of these while another
 * applies the previous batch to the clients, in order.  With many clients
 * nearly every lookup misses the cache, so the applying thread also fetches
 * the index and client lines a few requests ahead.
 */
#define BATCH	512
#define AHEAD	8

struct req {
	uint32_t h_ip, h_user;
	struct key ip, user;		/* into ipbuf, userbuf */
	uint8_t ipbuf[64], userbuf[128];
	struct snap sn;
};

struct iis {
	const char *path, *base;
	struct report *r;
	int col[F__N];			/* field -> column, -1 absent */
	int n_cols;
	int n_need;			/* columns up to the last one used */
	int n_key;			/* columns up to the method and URI */
	int have_fields;
	/*
	 * The applying thread's, on cache lines of their own: sharing one
	 * with the counters the reading thread bumps on every line would
	 * bounce it between the two for each request.
	 */
	struct client *clients __attribute__((aligned(64)));
	size_t n_clients, cap_clients;
	struct index by_ip, by_user;
	unsigned long n_dropped;	/* requests of clients over the cap */
	/* the reading thread's */
	unsigned long n_lines __attribute__((aligned(64)));
	unsigned long n_relevant, n_no_fields, n_short;
	char first_when[24];
	struct req *batch;		/* being filled: one of buf[] */
	int n_batch;
	/* the hand-over between the two threads */
	struct req *buf[2];
	int n_buf[2], full[2], cur, done, threaded;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t applier;
};

/* The whole of c as text; an empty or failed cursor gives "". */
struct cursor;
void iis_text_of(struct cursor *c, char *buf, size_t n);
/* A note in the timeline, sourced to the log file. */
void iis_note(struct iis *s, double t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Every client's verdict, its findings and representative events. */
void iis_finish(struct iis *s);
/* The notes that say what was read and what was skipped. */
void iis_summary(struct iis *s, struct logread *lr);

#endif
