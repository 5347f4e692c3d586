/*
 * ingest_iis.c - IIS W3C extended logs: follow each client's CCM_POST
 * requests on /ccm_system_windowsauth/request and say how it authenticated.
 *
 * Kerberos is one leg: anonymous 401.2, then 200 as DOMAIN\HOST$.  NTLM
 * needs a challenge leg (401.1 SEC_E_NO_CREDENTIALS) before its 200.  Any
 * other 401.1 is a rejection whose sc-win32-status says why.  The file is
 * streamed: memory grows with the number of clients, not with the file.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "error.h"
#include "ingest.h"
#include "logread.h"
#include "sspi.h"
#include "util.h"

#define MAX_FIELDS	64
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
	char when[24];			/* "2009-05-20 19:35:11" */
	int status, sub, authed;
	uint32_t win32;
};

struct client {
	char ip[64], user[128];
	int n;
	enum outcome outcome;
	int ntlm_leg;			/* challenge seen since last outcome */
	int saw_401_2;
	struct snap first, first401, decisive, last;
};

/* Open-addressing index of clients; key is ip (latest) or ip+user. */
struct index {
	int *slot;			/* client number + 1, 0 empty */
	size_t cap, n;
};

struct iis {
	const char *path, *base;
	struct report *r;
	int col[F__N];			/* field -> column, -1 absent */
	int n_cols;
	int have_fields;
	struct client *clients;
	size_t n_clients, cap_clients;
	struct index by_ip, by_user;
	unsigned long n_lines, n_relevant, n_no_fields, n_short;
	unsigned long n_dropped;	/* requests of clients over the cap */
	char first_when[24];
};

/* The whole of c as text; an empty or failed cursor gives "". */
static void
text_of(struct cursor *c, char *buf, size_t n)
{
	if (n > 0)
		buf[0] = '\0';
	if (cur_left(c) > 0)
		cur_str(c, cur_left(c), buf, n);
}

static uint32_t
hash_str(uint32_t h, const char *s)
{
	while (*s)
		h = (h ^ (uint8_t)*s++) * 16777619U;
	return h;
}

static uint32_t
key_hash(const char *ip, const char *user)
{
	return hash_str(hash_str(2166136261U, ip) * 31U, user ? user : "");
}

static int
key_eq(const struct client *c, const char *ip, const char *user)
{
	return strcmp(c->ip, ip) == 0 &&
	    (user == NULL || strcasecmp(c->user, user) == 0);
}

/* user NULL: the by_ip index. */
static int
index_find(const struct iis *s, const struct index *x, const char *ip,
    const char *user)
{
	size_t i;

	if (x->cap == 0)
		return -1;
	for (i = key_hash(ip, user) & (x->cap - 1); x->slot[i];
	    i = (i + 1) & (x->cap - 1))
		if (key_eq(&s->clients[x->slot[i] - 1], ip, user))
			return x->slot[i] - 1;
	return -1;
}

static int
index_put(struct iis *s, struct index *x, int idx, int by_user)
{
	const struct client *c = &s->clients[idx];
	size_t i;

	if (2 * (x->n + 1) > x->cap) {
		struct index nx;
		size_t j;

		nx.cap = x->cap ? 2 * x->cap : 256;
		nx.n = 0;
		if ((nx.slot = calloc(nx.cap, sizeof(*nx.slot))) == NULL)
			return -1;
		for (j = 0; j < x->cap; j++) {
			const struct client *o;

			if (!x->slot[j])
				continue;
			o = &s->clients[x->slot[j] - 1];
			i = key_hash(o->ip, by_user ? o->user : NULL) &
			    (nx.cap - 1);
			while (nx.slot[i])
				i = (i + 1) & (nx.cap - 1);
			nx.slot[i] = x->slot[j];
			nx.n++;
		}
		free(x->slot);
		*x = nx;
	}
	for (i = key_hash(c->ip, by_user ? c->user : NULL) & (x->cap - 1);
	    x->slot[i]; i = (i + 1) & (x->cap - 1))
		if (key_eq(&s->clients[x->slot[i] - 1], c->ip,
		    by_user ? c->user : NULL)) {
			x->slot[i] = idx + 1;	/* by_ip: now the latest */
			return 0;
		}
	x->slot[i] = idx + 1;
	x->n++;
	return 0;
}

static int
new_client(struct iis *s, const char *ip)
{
	struct client *c;

	if (s->n_clients >= MAX_CLIENTS)
		return -1;
	if (s->n_clients == s->cap_clients) {
		size_t ncap = s->cap_clients ? 2 * s->cap_clients : 64;

		if ((c = realloc(s->clients, ncap * sizeof(*c))) == NULL)
			return -1;
		s->clients = c;
		s->cap_clients = ncap;
	}
	c = &s->clients[s->n_clients];
	memset(c, 0, sizeof(*c));
	strlcpy0(c->ip, ip, sizeof(c->ip));
	return (int)s->n_clients++;
}

/*
 * The client a request belongs to.  Anonymous legs go to the address's
 * latest client; the first authenticated request names that client, and a
 * different user from the same address starts another one.
 */
static int
client_for(struct iis *s, const char *ip, const char *user)
{
	int idx;

	if (user[0]) {
		if ((idx = index_find(s, &s->by_user, ip, user)) >= 0)
			goto latest;
		idx = index_find(s, &s->by_ip, ip, NULL);
		if (idx >= 0 && s->clients[idx].user[0] == '\0')
			strlcpy0(s->clients[idx].user, user,
			    sizeof(s->clients[idx].user));
		else if ((idx = new_client(s, ip)) >= 0)
			strlcpy0(s->clients[idx].user, user,
			    sizeof(s->clients[idx].user));
		if (idx < 0 || index_put(s, &s->by_user, idx, 1) != 0)
			return -1;
		goto latest;
	}
	if ((idx = index_find(s, &s->by_ip, ip, NULL)) >= 0)
		return idx;
	if ((idx = new_client(s, ip)) < 0)
		return -1;
latest:
	return index_put(s, &s->by_ip, idx, 0) == 0 ? idx : -1;
}

/* Decimal field to a number; -1 when not one ("-" or garbage). */
static long long
number(const char *s)
{
	long long v = 0;
	int n = 0;

	for (; *s; s++, n++) {
		if (*s < '0' || *s > '9' || n >= 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	return n && v <= 0xffffffffLL ? v : -1;
}

static double
log_time(const char *when)
{
	struct tm tm;
	int y, mo, d, h, mi;
	double sec;

	if (sscanf(when, "%4d-%2d-%2d %2d:%2d:%lf", &y, &mo, &d, &h, &mi,
	    &sec) != 6)
		return 0;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	return (double)timegm(&tm) + sec;	/* IIS logs in UTC */
}

static void
status_text(const struct snap *sn, char *buf, size_t n)
{
	const char *name = sspi_status_name(sn->win32);

	snprintf(buf, n, "%d.%d %u (0x%08X%s%s)", sn->status, sn->sub,
	    sn->win32, sn->win32, name ? " " : "", name ? name : "");
}

/* "#Fields: date time ..." - map the columns we use. */
static void
directive_fields(struct iis *s, struct cursor *c)
{
	char name[64];
	int found = 1, i, col = 0;

	for (i = 0; i < F__N; i++)
		s->col[i] = -1;
	while (found && !cur_empty(c) && col < MAX_FIELDS) {
		struct cursor tok = cur_until(c, ' ', &found);

		if (tok.len == 0)
			continue;
		text_of(&tok, name, sizeof(name));
		for (i = 0; i < F__N; i++)
			if (strcasecmp(name, field_names[i]) == 0)
				s->col[i] = col;
		col++;
	}
	s->n_cols = col;
	s->have_fields = s->col[F_STATUS] >= 0 && s->col[F_URI] >= 0;
}

static void
note(struct iis *s, double t, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
note(struct iis *s, double t, const char *fmt, ...)
{
	struct event ev;
	va_list ap;

	event_init(&ev, EV_NOTE);
	ev.t = t;
	snprintf(ev.source, sizeof(ev.source), "%s", s->base);
	va_start(ap, fmt);
	vsnprintf(ev.text, sizeof(ev.text), fmt, ap);
	va_end(ap);
	(void)report_add_event(s->r, &ev);
}

static void
request(struct iis *s, unsigned long lineno, char tok[F__N][128])
{
	struct snap sn;
	struct client *c;
	long long st, sub, w32;
	const char *user = strcmp(tok[F_USER], "-") == 0 ? "" : tok[F_USER];
	int idx;

	if (strcasecmp(tok[F_METHOD], "CCM_POST") != 0 ||
	    strcasecmp(tok[F_URI], "/ccm_system_windowsauth/request") != 0)
		return;
	st = number(tok[F_STATUS]);
	sub = number(tok[F_SUB]);
	w32 = number(tok[F_WIN32]);
	if (st < 0)
		return;
	s->n_relevant++;
	memset(&sn, 0, sizeof(sn));
	sn.line = lineno;
	snprintf(sn.when, sizeof(sn.when), "%.10s %.8s", tok[F_DATE],
	    tok[F_TIME]);
	sn.status = (int)st;
	sn.sub = sub < 0 ? 0 : (int)sub;
	sn.win32 = w32 < 0 ? 0 : (uint32_t)w32;
	sn.authed = user[0] != '\0';
	if (!s->first_when[0])
		strlcpy0(s->first_when, sn.when, sizeof(s->first_when));
	if ((idx = client_for(s, tok[F_CIP][0] ? tok[F_CIP] : "-", user)) < 0) {
		s->n_dropped++;
		return;
	}
	c = &s->clients[idx];
	if (c->n++ == 0)
		c->first = sn;
	c->last = sn;
	if (sn.status == 401 && !c->first401.line)
		c->first401 = sn;
	if (sn.status == 401 && sn.sub == 2) {
		c->saw_401_2 = 1;
	} else if (sn.status == 401 && sn.sub == 1 &&
	    sn.win32 == NTLM_CHALLENGE) {
		c->ntlm_leg = 1;
		if (c->outcome == OUT_NONE)
			c->decisive = sn;
	} else if (sn.status >= 200 && sn.status < 300) {
		c->outcome = !sn.authed ? OUT_ANONYMOUS :
		    c->ntlm_leg ? OUT_NTLM : OUT_KERBEROS;
		c->decisive = sn;
		c->ntlm_leg = 0;
	} else if (sn.status == 401) {
		c->outcome = OUT_REJECTED;
		c->decisive = sn;
		c->ntlm_leg = 0;
	} else {
		c->outcome = OUT_OTHER;
		c->decisive = sn;
	}
}

/* Does the line start with p (ASCII, any case)? */
static int
has_prefix(const struct cursor *c, const char *p)
{
	struct cursor t = *c;
	char buf[64];
	size_t k = strlen(p);

	if (k >= sizeof(buf) || cur_left(&t) < k)
		return 0;
	cur_str(&t, k, buf, sizeof(buf));
	return strncasecmp(buf, p, k) == 0;
}

static void
line(struct iis *s, unsigned long lineno, struct cursor *c)
{
	static const char fields[] = "#Fields:";
	char tok[F__N][128];
	uint8_t b;
	int found = 1, col = 0, i;

	if (cur_peek_u8(c, &b) && b == '#') {
		if (has_prefix(c, fields)) {
			cur_skip(c, sizeof(fields) - 1);
			directive_fields(s, c);
		}
		return;		/* #Software, #Version, #Date, #Remark */
	}
	if (cur_empty(c))
		return;
	if (!s->have_fields) {
		s->n_no_fields++;
		return;
	}
	memset(tok, 0, sizeof(tok));
	while (found && !cur_empty(c) && col < s->n_cols) {
		struct cursor t = cur_until(c, ' ', &found);

		for (i = 0; i < F__N; i++)
			if (s->col[i] == col)
				text_of(&t, tok[i], sizeof(tok[i]));
		col++;
	}
	if (col < s->n_cols) {
		s->n_short++;
		return;
	}
	request(s, lineno, tok);
}

static const char *
verdict_of(const struct client *c)
{
	switch (c->outcome) {
	case OUT_KERBEROS:
		return "kerberos";
	case OUT_NTLM:
		return "ntlm";
	case OUT_REJECTED:
		return "rejected";
	case OUT_ANONYMOUS:
		return "anonymous-accepted";
	case OUT_OTHER:
		return "http-error";
	default:
		if (c->ntlm_leg)
			return "ntlm-incomplete";
		return c->saw_401_2 ? "never-authenticated" : "unknown";
	}
}

static enum finding_id
finding_of(const struct client *c)
{
	switch (c->outcome) {
	case OUT_KERBEROS:
		return FID__COUNT;
	case OUT_NTLM:
		return FID_IIS_NTLM_ONLY;
	case OUT_REJECTED:
		return FID_IIS_KERBEROS_REJECTED;
	case OUT_ANONYMOUS:
		return FID_MP_ANONYMOUS_ACCEPTED;
	case OUT_OTHER:
		if (c->decisive.status == 403)
			return FID_MP_FORBIDDEN;
		if (c->decisive.status == 404)
			return FID_MP_NOT_MP;
		if (c->decisive.status >= 500)
			return FID_MP_SERVER_ERROR;
		return FID__COUNT;
	default:
		if (c->ntlm_leg)
			return FID_IIS_NTLM_ONLY;
		return c->saw_401_2 ? FID_IIS_NEVER_AUTHENTICATED : FID__COUNT;
	}
}

static int
emit(struct iis *s, const struct client *c, const struct snap *sn)
{
	const char *name = sspi_status_name(sn->win32);
	const char *why = sspi_status_text(sn->win32);
	struct event ev;

	event_init(&ev, EV_IIS_REQUEST);
	ev.t = log_time(sn->when);
	snprintf(ev.source, sizeof(ev.source), "%.40s:%lu", s->base,
	    sn->line);
	ev.from = ROLE_CLIENT;
	ev.to = ROLE_MP;
	strlcpy0(ev.peer, c->ip, sizeof(ev.peer));
	if (sn->authed)
		strlcpy0(ev.name, c->user, sizeof(ev.name));
	strlcpy0(ev.value, "CCM_POST /ccm_system_windowsauth/request",
	    sizeof(ev.value));
	ev.status = sn->status;
	ev.code = sn->sub;
	ev.ntstatus = sn->win32;
	if (name)
		snprintf(ev.text, sizeof(ev.text), "%s: %s", name, why);
	return report_add_event(s->r, &ev);
}

static void
finish(struct iis *s)
{
	size_t i;
	int budget = MAX_EVENTS;

	for (i = 0; i < s->n_clients; i++) {
		const struct client *c = &s->clients[i];
		const struct snap *dec = c->decisive.line ? &c->decisive :
		    &c->last;
		struct client_verdict cv;
		enum finding_id fid = finding_of(c);
		int ev_dec, fi;

		memset(&cv, 0, sizeof(cv));
		strlcpy0(cv.client, c->ip, sizeof(cv.client));
		strlcpy0(cv.user, c->user, sizeof(cv.user));
		strlcpy0(cv.verdict, verdict_of(c), sizeof(cv.verdict));
		cv.n_requests = c->n;
		status_text(dec, cv.last_status, sizeof(cv.last_status));
		strlcpy0(cv.first, c->first.when, sizeof(cv.first));
		strlcpy0(cv.last, c->last.when, sizeof(cv.last));
		snprintf(cv.source, sizeof(cv.source), "%.40s:%lu", s->base,
		    dec->line);
		(void)report_add_client(s->r, &cv);

		/* a few events per client: first 401, the deciding one, last */
		if (budget <= 0)
			continue;
		if (fid != FID__COUNT && c->first401.line &&
		    c->first401.line != dec->line) {
			(void)emit(s, c, &c->first401);
			budget--;
		}
		ev_dec = emit(s, c, dec);
		budget--;
		if (fid != FID__COUNT && c->last.line != dec->line &&
		    c->last.line != c->first401.line) {
			(void)emit(s, c, &c->last);
			budget--;
		}
		if (fid == FID__COUNT || (fi = report_add_finding(s->r, fid)) < 0)
			continue;
		finding_add_evidence(&s->r->findings[fi], ev_dec);
	}
}

static void
summary(struct iis *s, struct logread *lr)
{
	double t = log_time(s->first_when);

	note(s, t, "IIS log %s: %lu lines%s%s%s, %lu CCM_POST requests on "
	    "ccm_system_windowsauth from %zu clients", s->base, s->n_lines,
	    lr->gzipped ? ", gzip" : "", lr->enc != LOGREAD_BYTES ? ", " : "",
	    lr->enc != LOGREAD_BYTES ? logread_enc_name(lr->enc) : "",
	    s->n_relevant, s->n_clients);
	if (lr->n_long)
		note(s, t, "%s: %lu lines longer than %d bytes skipped, the "
		    "first at %s:%lu", s->base, lr->n_long, LOGREAD_MAX_LINE,
		    s->base, lr->first_long);
	if (s->n_no_fields)
		note(s, t, "%s: %lu lines before any #Fields directive "
		    "skipped", s->base, s->n_no_fields);
	if (s->n_short)
		note(s, t, "%s: %lu lines with fewer fields than their "
		    "#Fields directive skipped", s->base, s->n_short);
	if (s->n_dropped)
		note(s, t, "%s: more than %d clients: %lu requests not "
		    "followed", s->base, MAX_CLIENTS, s->n_dropped);
}

static int
iis_read(const char *path, struct report *r, char *errbuf, size_t errlen)
{
	struct logread lr;
	struct cursor c;
	struct iis s;
	int rc, too_long, i;

	memset(&s, 0, sizeof(s));
	s.path = path;
	s.base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	s.r = r;
	for (i = 0; i < F__N; i++)
		s.col[i] = -1;
	if ((rc = logread_open(&lr, path, errbuf, errlen)) != 0)
		return rc;
	while ((rc = logread_next(&lr, &c, &too_long)) > 0) {
		s.n_lines++;
		if (!too_long)
			line(&s, lr.lineno, &c);
	}
	if (rc < 0)
		note(&s, 0, "%s: read error after line %lu (%s): the rest of "
		    "the file was not read", s.base, lr.lineno,
		    logread_error(&lr));
	finish(&s);
	summary(&s, &lr);
	logread_close(&lr);
	free(s.clients);
	free(s.by_ip.slot);
	free(s.by_user.slot);
	return 0;
}

static int
iis_sniff(const uint8_t *head, size_t n)
{
	static const char *const starts[] = {
		"#Software: Microsoft Internet Information Services",
		"#Fields:", "#Version: 1.0",
	};
	uint8_t text[4096];
	struct cursor c, l;
	size_t i;
	int found = 1;

	cur_init(&c, text, logread_head(head, n, text, sizeof(text)));
	while (found && !cur_empty(&c)) {
		l = cur_line(&c, &found);
		for (i = 0; i < sizeof(starts) / sizeof(starts[0]); i++)
			if (has_prefix(&l, starts[i]))
				return 1;
	}
	return 0;
}

const struct ingest_reader ingest_iis = {
	.name = "iis",
	.sniff = iis_sniff,
	.read = iis_read,
};
