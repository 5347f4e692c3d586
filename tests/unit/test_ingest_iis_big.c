/*
 * test_ingest_iis_big.c - IIS W3C logs of many thousand lines, made at run
 * time: what the reader says of each client across its 2 MiB blocks, its
 * shards, long and odd lines, compression and encodings, overlapping logs
 * and its cap on clients.
 */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>

#include "engine.h"
#include "ingest.h"
#include "logread.h"
#include "report.h"
#include "report_find.h"
#include "iis_common.h"	/* after report_find.h: its r is a parameter */

/*
 * Big logs made at run time, to cross the reader's 2 MiB blocks (read two
 * per round, clients split in two shards by address).  The generator
 * writes each client's story and notes, as it goes, what the reader must
 * say of it: line numbers, times, requests, verdict.
 */
#define NCLI		2000		/* clients with a story, and one more */
#define FILLER		6		/* other requests after each step */
#define MIB		(1024UL * 1024UL)
#define LONG_WHO	3		/* never authenticated, long lines */
#define LONG_USER	1004		/* user over 127 bytes: cut */
#define ODD_DATE	10		/* kerberos, "2026/11/20" throughout */
#define ODD_TIME	12		/* rejected, first at "h:mm:ss" */

enum { K_KERB, K_NTLM, K_REJ, K_NEVER, K_KERB2, K__N };

static const char *const kind_verdict[K__N] = {
	"kerberos", "ntlm", "rejected", "never-authenticated", "kerberos",
};

enum {
	C_DATE, C_TIME, C_SIP, C_METHOD, C_URI, C_QUERY, C_PORT, C_USER,
	C_CIP, C_UA, C_REF, C_STATUS, C_SUB, C_WIN32, C_TAKEN, C_XFF, C__N
};

static const char *const col_name[C__N] = {
	"date", "time", "s-ip", "cs-method", "cs-uri-stem", "cs-uri-query",
	"s-port", "cs-username", "c-ip", "cs(User-Agent)", "cs(Referer)",
	"sc-status", "sc-substatus", "sc-win32-status", "time-taken",
	"x-forwarded-for",
};

enum { O_STD, O_REV, O_XFF, O_W32 };

static const int col_order[][C__N + 1] = {
	[O_STD] = { C_DATE, C_TIME, C_SIP, C_METHOD, C_URI, C_QUERY, C_PORT,
	    C_USER, C_CIP, C_UA, C_REF, C_STATUS, C_SUB, C_WIN32, C_TAKEN,
	    -1 },
	[O_REV] = { C_TAKEN, C_WIN32, C_SUB, C_STATUS, C_UA, C_CIP, C_USER,
	    C_URI, C_METHOD, C_PORT, C_TIME, C_DATE, -1 },
	/* an unknown column before c-ip; substatus after win32 */
	[O_XFF] = { C_DATE, C_TIME, C_XFF, C_USER, C_CIP, C_METHOD, C_URI,
	    C_QUERY, C_STATUS, C_WIN32, C_SUB, C_UA, -1 },
	/* win32 last: a CR left on it would spoil the NTLM challenge */
	[O_W32] = { C_DATE, C_TIME, C_SIP, C_METHOD, C_URI, C_QUERY, C_PORT,
	    C_USER, C_CIP, C_UA, C_STATUS, C_SUB, C_WIN32, -1 },
};

/* How to make one log. */
struct cfg {
	const char *name;
	const char *eol;
	int order;			/* columns at the start */
	int no_final_lf;
	uint64_t fields_at[2];		/* new #Fields past these offsets */
	int fields_order[2];
	uint64_t long_at[2];		/* long lines past these offsets */
	size_t long_len[2];
	int odd;			/* ODD_DATE, ODD_TIME not packable */
};

/* What the reader must say of one client. */
struct want {
	char ip[64], user[160];
	int kind, n;
	unsigned long first_line, last_line, dec_line;
	char first[32], last[32];
};

struct gen {
	FILE *f;
	const struct cfg *cf;
	int order, next_fields, next_long;
	unsigned long line, n_relevant, long_line[2], filler;
	uint64_t bytes, fields_off[2], long_off[2];
	char *big;			/* the long lines' query */
	struct want w[NCLI + 1];
};

/* One request line. */
struct rq {
	const char *ip, *user, *method, *uri, *query, *xff;
	int status, sub;
	unsigned long win32;
	int odd;			/* 1: date with '/', 2: hour unpadded */
};

static const char wauth[] = "/ccm_system_windowsauth/request";

static struct gen g;
static char big_dir[1024];
static char made[4][1100];
static int n_made;

static int
big_setup(void **state)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(big_dir, sizeof(big_dir), "%s/ccmdiag-iis.XXXXXX",
	    tmp && *tmp ? tmp : "/tmp");
	return mkdtemp(big_dir) == NULL ? -1 : 0;
}

static int
big_rmdir(void **state)
{
	return rmdir(big_dir);
}

static int
big_teardown(void **state)
{
	while (n_made > 0)
		unlink(made[--n_made]);
	free(g.big);
	g.big = NULL;
	report_release(&r);
	return 0;
}

/* A file in the test's directory, removed by big_teardown. */
static const char *
big_path(const char *name)
{
	assert_true(n_made < 4);
	snprintf(made[n_made], sizeof(made[0]), "%s/%s", big_dir, name);
	return made[n_made++];
}

static const char *
ip_of(int i, char *buf, size_t n)
{
	if (i == NCLI)
		snprintf(buf, n, "10.255.255.254");
	else if (i % 7 == 6)	/* with the user, over 48 bytes of keys */
		snprintf(buf, n, "2001:0db8:85a3:0000:0000:8a2e:%04x:%04x",
		    i / 100, i % 100);
	else
		snprintf(buf, n, "10.20.%d.%d", i / 200, i % 200 + 1);
	return buf;
}

static const char *
user_of(int i, char *buf, size_t n)
{
	if (i == LONG_USER) {
		snprintf(buf, n, "CONTOSO\\%0140d$", i);	/* 149 bytes */
	} else if (i % 11 == 3)
		snprintf(buf, n, "CONTOSO-RESEARCH-LABORATORIES\\"
		    "WORKSTATION-%05d-BUILDING-B$", i);
	else
		snprintf(buf, n, "CONTOSO\\WK%05d$", i);
	return buf;
}

static void
put(const char *s)
{
	size_t n = strlen(s);

	assert_int_equal(fwrite(s, 1, n, g.f), n);
	g.bytes += n;
}

/* Write q as line g.line + 1; its time is that many seconds past 0:00. */
static unsigned long
emit(const struct rq *q, char when[32], const char *eol)
{
	char date[16], tim[32], st[16], sub[16], w32[16], taken[16];
	const char *v = "-";
	unsigned long s = ++g.line;
	int i;

	assert_true(s < 86400);
	snprintf(date, sizeof(date), "2026%c11%c20", q->odd == 1 ? '/' : '-',
	    q->odd == 1 ? '/' : '-');
	if (q->odd == 2) {
		snprintf(tim, sizeof(tim), "%lu:%02lu:%02lu", s / 3600,
		    s / 60 % 60, s % 60);
		assert_int_equal(strlen(tim), 7);
	} else {
		snprintf(tim, sizeof(tim), "%02lu:%02lu:%02lu", s / 3600,
		    s / 60 % 60, s % 60);
	}
	snprintf(st, sizeof(st), "%d", q->status);
	snprintf(sub, sizeof(sub), "%d", q->sub);
	snprintf(w32, sizeof(w32), "%lu", q->win32);
	snprintf(taken, sizeof(taken), "%lu", s % 97);
	for (i = 0; col_order[g.order][i] >= 0; i++) {
		switch (col_order[g.order][i]) {
		case C_DATE: v = date; break;
		case C_TIME: v = tim; break;
		case C_SIP: v = "10.0.0.5"; break;
		case C_METHOD: v = q->method; break;
		case C_URI: v = q->uri; break;
		case C_QUERY: v = q->query ? q->query : "-"; break;
		case C_PORT: v = "443"; break;
		case C_USER: v = q->user ? q->user : "-"; break;
		case C_CIP: v = q->ip; break;
		case C_UA: v = "Mozilla/4.0+(compatible;+MSIE+6.0;+Windows+NT+"
		    "5.1;+SV1)+ccmhttp"; break;
		case C_REF: v = "-"; break;
		case C_STATUS: v = st; break;
		case C_SUB: v = sub; break;
		case C_WIN32: v = w32; break;
		case C_TAKEN: v = taken; break;
		case C_XFF: v = q->xff ? q->xff : "-"; break;
		}
		if (i > 0)
			put(" ");
		put(v);
	}
	put(eol);
	if (when)
		snprintf(when, 32, "%.15s %.15s", date, tim);
	return s;
}

static void
directive(const char *text)
{
	put(text);
	put(g.cf->eol);
	g.line++;
}

static void
fields_line(void)
{
	int i;

	put("#Fields:");
	for (i = 0; col_order[g.order][i] >= 0; i++) {
		put(" ");
		put(col_name[col_order[g.order][i]]);
	}
	put(g.cf->eol);
	g.line++;
}

/* A #Fields or a long line due at this offset. */
static void
due(void)
{
	const struct cfg *cf = g.cf;
	char ip[64], user[160];
	struct rq q;
	int k;

	while ((k = g.next_fields) < 2 && cf->fields_at[k] &&
	    g.bytes >= cf->fields_at[k]) {
		g.fields_off[k] = g.bytes;
		g.order = cf->fields_order[k];
		fields_line();
		g.next_fields++;
	}
	while ((k = g.next_long) < 2 && cf->long_len[k] &&
	    g.bytes >= cf->long_at[k]) {
		/* a 200 that would make LONG_WHO kerberos if it were read */
		memset(&q, 0, sizeof(q));
		q.ip = ip_of(LONG_WHO, ip, sizeof(ip));
		q.user = user_of(LONG_WHO, user, sizeof(user));
		q.method = "CCM_POST";
		q.uri = wauth;
		q.status = 200;
		memset(g.big, 'q', cf->long_len[k]);
		g.big[cf->long_len[k]] = '\0';
		q.query = g.big;
		g.long_off[k] = g.bytes;
		g.long_line[k] = emit(&q, NULL, cf->eol);
		g.next_long++;
	}
}

/* Client i's request on the URI; dec: it decides the verdict. */
static void
ask(int i, int authed, int status, int sub, unsigned long win32, int dec,
    int last)
{
	struct want *w = &g.w[i];
	char ip[64], user[160], when[32];
	unsigned long ln;
	struct rq q;
	size_t k;

	due();
	memset(&q, 0, sizeof(q));
	q.ip = ip_of(i, ip, sizeof(ip));
	q.user = authed ? user_of(i, user, sizeof(user)) : NULL;
	if (authed && w->n == 2 && i % 10 == 9)
		for (k = 0; user[k]; k++)	/* same user, any case */
			user[k] = (char)tolower((unsigned char)user[k]);
	q.method = "CCM_POST";
	q.uri = wauth;
	q.xff = "203.0.113.9";
	q.status = status;
	q.sub = sub;
	q.win32 = win32;
	if (g.cf->odd && i == ODD_DATE)
		q.odd = 1;
	if (g.cf->odd && i == ODD_TIME && w->n == 0)
		q.odd = 2;
	ln = emit(&q, when, last && g.cf->no_final_lf ? "" : g.cf->eol);
	g.n_relevant++;
	if (w->n++ == 0) {
		w->first_line = ln;
		snprintf(w->first, sizeof(w->first), "%s", when);
	}
	w->last_line = ln;
	snprintf(w->last, sizeof(w->last), "%s", when);
	if (dec)
		w->dec_line = ln;
	if (authed && w->user[0] == '\0')	/* kept to 127 bytes */
		snprintf(w->user, sizeof(w->user), "%.127s", user);
}

/* Other requests, some from the same address, none on the story. */
static void
filler(int i, int n)
{
	static const struct {
		const char *method, *uri, *query;
		int authed, status;
	} f[] = {
		{ "GET", "/SMS_MP/.sms_aut", "MPLIST", 0, 200 },
		{ "CCM_POST", "/ccm_system/request", NULL, 1, 200 },
		{ "GET", "/SMS_MP/.sms_aut", "MPKEYINFORMATION", 0, 200 },
		{ "BITS_POST", wauth, NULL, 1, 200 },
		{ "GET", "/CCM_Client/ccmsetup.cab", NULL, 0, 404 },
		{ "CCM_POST", "/ccm_system_windowsauth/requests", NULL, 1,
		    200 },
	};
	char ip[64], user[160];
	struct rq q;
	int k, c;

	for (k = 0; k < n; k++) {
		due();
		c = (int)(g.filler++ % (sizeof(f) / sizeof(f[0])));
		memset(&q, 0, sizeof(q));
		q.ip = ip_of((i + k) % NCLI, ip, sizeof(ip));
		q.user = f[c].authed ? user_of((i + k) % NCLI, user,
		    sizeof(user)) : NULL;
		q.method = f[c].method;
		q.uri = f[c].uri;
		q.query = f[c].query;
		q.status = f[c].status;
		emit(&q, NULL, g.cf->eol);
	}
}

/*
 * Step p of client i's story.  Kerberos: 401.2, then 200 as the host;
 * NTLM: 401.2, 401.1 challenge, 200; rejected: 401.2, 401.1 denied;
 * never: 401.2 twice.  The steps are a quarter of the file apart.
 */
static void
story(int i, int p)
{
	int kind = i % K__N;

	if (p == 0) {
		ask(i, 0, 401, 2, 2148074254UL, 0, 0);
		return;
	}
	switch (kind) {
	case K_KERB:
		if (p == 1)
			ask(i, 1, 200, 0, 0, 1, 0);
		break;
	case K_NTLM:
		if (p == 1)
			ask(i, 0, 401, 1, 2148074254UL, 0, 0);
		else if (p == 2)
			ask(i, 1, 200, 0, 0, 1, 0);
		break;
	case K_REJ:
		if (p == 1)
			ask(i, 0, 401, 1, 2148074252UL, 1, 0);
		break;
	case K_NEVER:
		if (p == 2)
			ask(i, 0, 401, 2, 2148074254UL, 0, 0);
		break;
	case K_KERB2:
		if (p == 1 || p == 3)
			ask(i, 1, 200, 0, 0, 1, 0);
		break;
	}
}

/*
 * The log of cf: a header, then client NCLI's first two legs, then four
 * passes over the clients (the first in a shuffled order), and last
 * client NCLI's 200.
 */
static const char *
gen_log(const struct cfg *cf)
{
	const char *path = big_path(cf->name);
	char ip[64];
	int i, j, p;

	memset(&g, 0, sizeof(g));
	g.cf = cf;
	g.order = cf->order;
	if (cf->long_len[0] || cf->long_len[1]) {
		g.big = malloc(3 * MIB + 64);
		assert_non_null(g.big);
	}
	for (i = 0; i <= NCLI; i++) {
		g.w[i].kind = i == NCLI ? K_NTLM : i % K__N;
		ip_of(i, ip, sizeof(ip));
		snprintf(g.w[i].ip, sizeof(g.w[i].ip), "%s", ip);
	}
	assert_non_null(g.f = fopen(path, "wb"));
	directive("#Software: Microsoft Internet Information Services 10.0");
	directive("#Version: 1.0");
	directive("#Date: 2026-11-20 00:00:00");
	fields_line();
	ask(NCLI, 0, 401, 2, 2148074254UL, 0, 0);
	ask(NCLI, 0, 401, 1, 2148074254UL, 0, 0);
	for (p = 0; p < 4; p++)
		for (j = 0; j < NCLI; j++) {
			i = p == 0 ? (int)((j * 769UL) % NCLI) : j;
			story(i, p);
			filler(i, FILLER);
		}
	ask(NCLI, 1, 200, 0, 0, 1, 1);
	assert_int_equal(fclose(g.f), 0);
	g.f = NULL;
	assert_true(g.bytes > 8 * MIB);		/* at least four blocks */
	return path;
}

static void
read_big(const char *path)
{
	char err[256] = "";

	report_init(&r, "analyze", path);
	assert_int_equal(ingest_read_path(&ingest_iis, path, &r,
	    err, sizeof(err)), 0);
	finish();
}

static int
by_first(const void *a, const void *b)
{
	unsigned long x = g.w[*(const int *)a].first_line;
	unsigned long y = g.w[*(const int *)b].first_line;

	return x < y ? -1 : x > y;
}

/* Every client as made, in order of its first request; the line count. */
static void
check_big(const char *base, const char *how)
{
	static int ord[NCLI + 1];
	char want[256];
	int i, j;

	for (i = 0; i <= NCLI; i++)
		ord[i] = i;
	qsort(ord, NCLI + 1, sizeof(ord[0]), by_first);
	assert_int_equal(r.n_clients, NCLI + 1);
	for (j = 0; j <= NCLI; j++) {
		const struct want *w = &g.w[ord[j]];
		const struct client_verdict *c = &r.clients[j];

		if (j > 0)
			assert_true(w->first_line >
			    g.w[ord[j - 1]].first_line);
		assert_string_equal(c->client, w->ip);
		assert_string_equal(c->user, w->user);
		assert_string_equal(c->verdict, kind_verdict[w->kind]);
		assert_int_equal(c->n_requests, w->n);
		assert_string_equal(c->first, w->first);
		assert_string_equal(c->last, w->last);
		snprintf(want, sizeof(want), "%s:%lu", base,
		    w->dec_line ? w->dec_line : w->last_line);
		assert_string_equal(c->source, want);
		if (w->kind == K_REJ)
			assert_string_equal(c->last_status, "401.1 2148074252 "
			    "(0x8009030C SEC_E_LOGON_DENIED)");
		else if (w->kind == K_NEVER)
			assert_string_equal(c->last_status, "401.2 2148074254 "
			    "(0x8009030E SEC_E_NO_CREDENTIALS)");
		else
			assert_memory_equal(c->last_status, "200.0 0 ", 8);
	}
	/* client NCLI came first: lines 5 and 6, then the very last */
	assert_string_equal(r.clients[0].client, "10.255.255.254");
	assert_string_equal(r.clients[0].first, "2026-11-20 00:00:05");
	assert_int_equal(g.w[NCLI].last_line, g.line);
	snprintf(want, sizeof(want), "IIS log %s: %lu lines%s, %lu CCM_POST "
	    "requests on ccm_system_windowsauth from %d clients", base, g.line,
	    how, g.n_relevant, NCLI + 1);
	assert_true(note_has(want));
}

static const struct cfg big_plain = {
	.name = "u_ex261120.log", .eol = "\n", .order = O_STD,
};

/* ~9.5 MiB: five blocks, three rounds; clients span blocks and shards. */
static void
test_big_blocks(void **state)
{
	gen_log(&big_plain);
	read_big(made[0]);
	check_big(big_plain.name, "");
	assert_int_equal(g.n_relevant, 3 + 2000 * 2 + 400 * 2);
	assert_int_equal(g.line, 4 + 4803 + 4 * 2000 * FILLER);
	assert_false(note_has("longer than"));
	assert_false(note_has("fewer fields"));
}

/*
 * New columns at 3.1 MiB (block 1: B of the first round, in force for
 * the next) and 5.3 MiB (block 2: A of the second round, so its B is split
 * again), the second with an unknown column.
 */
static void
test_big_fields(void **state)
{
	static const struct cfg cf = {
		.name = "u_ex261121.log", .eol = "\n", .order = O_STD,
		.fields_at = { 31 * MIB / 10, 53 * MIB / 10 },
		.fields_order = { O_REV, O_XFF },
	};

	gen_log(&cf);
	assert_true(g.fields_off[0] > 2 * MIB + 1024 &&
	    g.fields_off[0] < 4 * MIB - 1024);
	assert_true(g.fields_off[1] > 4 * MIB + 1024 &&
	    g.fields_off[1] < 6 * MIB - 1024);
	read_big(made[0]);
	check_big(cf.name, "");
	assert_false(note_has("fewer fields"));
}

/*
 * A 100 KiB line across the first block's end and a 3 MiB one from
 * 5 MiB on (longer than a block): skipped, counted, and the lines after
 * them read as before.
 */
static void
test_big_long_lines(void **state)
{
	static const struct cfg cf = {
		.name = "u_ex261122.log", .eol = "\n", .order = O_STD,
		.long_at = { 2 * MIB - 50 * 1024, 5 * MIB },
		.long_len = { 100 * 1024, 3 * MIB },
	};
	char want[128];

	gen_log(&cf);
	assert_true(g.long_off[0] < 2 * MIB &&
	    g.long_off[0] + 100 * 1024 > 2 * MIB);
	assert_true(g.bytes > 11 * MIB);
	read_big(made[0]);
	check_big(cf.name, "");
	snprintf(want, sizeof(want), "2 lines longer than 65536 bytes "
	    "skipped, the first at %s:%lu", cf.name, g.long_line[0]);
	assert_true(note_has(want));
	assert_string_equal(client("10.20.0.4")->verdict,
	    "never-authenticated");
}

/* CRLF throughout, win32 last, and the deciding 200 without its LF. */
static void
test_big_crlf(void **state)
{
	static const struct cfg cf = {
		.name = "u_ex261123.log", .eol = "\r\n", .order = O_W32,
		.no_final_lf = 1,
	};

	gen_log(&cf);
	read_big(made[0]);
	check_big(cf.name, "");
	assert_string_equal(client("10.255.255.254")->verdict, "ntlm");
	assert_string_equal(client("10.255.255.254")->user,
	    "CONTOSO\\WK02000$");
}

/* Copy src gzip'd, or as UTF-16LE with its BOM. */
static void
convert(const char *src, const char *dst, int utf16)
{
	static uint8_t in[64 * 1024], out[128 * 1024];
	FILE *f, *o = NULL;
	gzFile z = NULL;
	size_t n, k;

	assert_non_null(f = fopen(src, "rb"));
	if (utf16) {
		assert_non_null(o = fopen(dst, "wb"));
		assert_int_equal(fwrite("\xff\xfe", 1, 2, o), 2);
	} else {
		assert_non_null(z = gzopen(dst, "wb1"));
	}
	while ((n = fread(in, 1, sizeof(in), f)) > 0) {
		if (!utf16) {
			assert_int_equal(gzwrite(z, in, (unsigned)n), (int)n);
			continue;
		}
		for (k = 0; k < n; k++) {
			out[2 * k] = in[k];
			out[2 * k + 1] = 0;
		}
		assert_int_equal(fwrite(out, 1, 2 * n, o), 2 * n);
	}
	fclose(f);
	if (utf16)
		assert_int_equal(fclose(o), 0);
	else
		assert_int_equal(gzclose(z), Z_OK);
}

/* The log of test_big_blocks, gzip'd and as UTF-16LE: the same clients. */
static void
test_big_gzip_utf16(void **state)
{
	const char *plain = gen_log(&big_plain);
	const char *gz = big_path("u_ex261120.log.gz");
	const char *u16 = big_path("u_ex261120.u16.log");

	convert(plain, gz, 0);
	convert(plain, u16, 1);
	read_big(gz);
	check_big("u_ex261120.log.gz", ", gzip");
	report_release(&r);
	read_big(u16);
	check_big("u_ex261120.u16.log", ", UTF-16LE");
}

/* Times that do not pack come back as logged. */
static void
test_big_odd_time(void **state)
{
	static const struct cfg cf = {
		.name = "u_ex261124.log", .eol = "\n", .order = O_STD,
		.odd = 1,
	};
	const struct client_verdict *c;

	gen_log(&cf);
	read_big(made[0]);
	check_big(cf.name, "");
	c = client("10.20.0.11");			/* ODD_DATE */
	assert_string_equal(c->verdict, "kerberos");
	assert_memory_equal(c->first, "2026/11/20 ", 11);
	assert_memory_equal(c->last, "2026/11/20 ", 11);
	c = client("10.20.0.13");			/* ODD_TIME */
	assert_string_equal(c->verdict, "rejected");
	assert_int_equal(strlen(c->first), 18);	/* "2026-11-20 h:mm:ss" */
	assert_int_equal(strlen(c->last), 19);
}

/* A small log: lines after a #Fields directive. */
static const char *
small_log(const char *name, const char *const *lines)
{
	const char *path = big_path(name);
	FILE *f;

	assert_non_null(f = fopen(path, "w"));
	fprintf(f, "#Fields: date time c-ip cs-username cs-method cs-uri-stem "
	    "sc-status sc-substatus sc-win32-status\n");
	for (; *lines; lines++)
		fprintf(f, "%s\n", *lines);
	assert_int_equal(fclose(f), 0);
	return path;
}

/*
 * Two sites' logs of the same hours are read one after the other, in order
 * of their first request, and a note says they overlap; a log without any
 * request goes first.
 */
static void
test_overlap(void **state)
{
#define REQ	" CCM_POST /ccm_system_windowsauth/request "
	static const char *const a[] = {
		"2026-11-20 10:00:00 10.3.0.1 -" REQ "401 2 2148074254",
		"2026-11-20 12:00:00 10.3.0.2 -" REQ "401 2 2148074254",
		NULL,
	};
	static const char *const b[] = {
		"2026-11-20 11:00:00 10.3.0.1 CONTOSO\\WK1$" REQ "200 0 0",
		NULL,
	};
	static const char *const none[] = { NULL };
	const char *given[3];
	char err[256] = "";
	int i;

	given[0] = small_log("u_ex261120_w3svc2.log", b);
	given[1] = small_log("u_ex261120_w3svc3.log", none);
	given[2] = small_log("u_ex261120_w3svc1.log", a);
	report_init(&r, "analyze", "x");
	for (i = 0; i < 3; i++)
		assert_int_equal(ingest_read_path(&ingest_iis, given[i], &r,
		    err, sizeof(err)), 0);
	finish();
	assert_int_equal(r.n_clients, 2);
	assert_string_equal(client("10.3.0.1")->verdict, "kerberos");
	assert_int_equal(client("10.3.0.1")->n_requests, 2);
	assert_string_equal(client("10.3.0.1")->source,
	    "u_ex261120_w3svc2.log:2");
	assert_string_equal(client("10.3.0.2")->verdict,
	    "never-authenticated");
	assert_true(note_has("IIS logs: 3 read as one, in order of their "
	    "first request: u_ex261120_w3svc3.log (no request), "
	    "u_ex261120_w3svc1.log (2026-11-20 10:00:00), "
	    "u_ex261120_w3svc2.log (2026-11-20 11:00:00); 3 CCM_POST"));
	assert_true(note_has("u_ex261120_w3svc2.log (from 2026-11-20 "
	    "11:00:00) overlaps u_ex261120_w3svc1.log (to 2026-11-20 "
	    "12:00:00): their requests were followed one file after the "
	    "other"));
	(void)state;
#undef REQ
}

/*
 * More clients than are followed: 120,000 addresses, each making one
 * anonymous request.  Each half of the addresses (by hash) keeps its first
 * 50,000 clients; both halves have well over that, so exactly 100,000 are
 * followed, the 20,000 others' requests are counted in a note, and the
 * clients kept are the earliest of their half, in file order.
 */
static void
test_client_cap(void **state)
{
	const char *path = big_path("u_ex_cap.log");
	char ip[32], err[256] = "";
	unsigned long last = 0;
	FILE *f;
	size_t i;
	int n;

	assert_non_null(f = fopen(path, "w"));
	fprintf(f, "#Fields: date time c-ip cs-username cs-method "
	    "cs-uri-stem sc-status sc-substatus sc-win32-status\n");
	for (n = 0; n < 120000; n++)
		fprintf(f, "2026-11-20 10:00:00 10.%d.%d.%d - CCM_POST "
		    "/ccm_system_windowsauth/request 401 2 2148074254\n",
		    n >> 16, n >> 8 & 255, n & 255);
	assert_int_equal(fclose(f), 0);
	report_init(&r, "analyze", path);
	assert_int_equal(ingest_read_path(&ingest_iis, path, &r,
	    err, sizeof(err)), 0);
	finish();
	assert_int_equal(r.n_clients, 100000);
	assert_true(note_has("more clients than ccmdiag follows (100000, "
	    "50000 in each half of the addresses): 20000 requests"));
	for (i = 0; i < r.n_clients; i++) {
		const char *colon = strrchr(r.clients[i].source, ':');
		unsigned long line;

		assert_non_null(colon);
		line = strtoul(colon + 1, NULL, 10);
		assert_true(line > last);
		last = line;
		assert_string_equal(r.clients[i].verdict,
		    "never-authenticated");
	}
	/* the first addresses in the file are all followed */
	for (n = 0; n < 1000; n++) {
		snprintf(ip, sizeof(ip), "10.0.%d.%d", n >> 8, n & 255);
		assert_string_equal(client(ip)->client, ip);
	}
	(void)state;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_big_blocks, big_teardown),
		cmocka_unit_test_teardown(test_big_fields, big_teardown),
		cmocka_unit_test_teardown(test_big_long_lines, big_teardown),
		cmocka_unit_test_teardown(test_big_crlf, big_teardown),
		cmocka_unit_test_teardown(test_big_gzip_utf16, big_teardown),
		cmocka_unit_test_teardown(test_big_odd_time, big_teardown),
		cmocka_unit_test_teardown(test_client_cap, big_teardown),
		cmocka_unit_test_teardown(test_overlap, big_teardown),
	};

	return cmocka_run_group_tests_name("ingest_iis_big", tests, big_setup,
	    big_rmdir);
}
