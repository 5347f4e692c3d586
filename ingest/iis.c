/*
 * iis.c - IIS W3C extended logs: follow each client's CCM_POST
 * requests on /ccm_system_windowsauth/request and say how it authenticated.
 *
 * Kerberos is one leg: anonymous 401.2, then 200 as DOMAIN\HOST$.  NTLM
 * needs a challenge leg (401.1 SEC_E_NO_CREDENTIALS) before its 200.  Any
 * other 401.1 is a rejection whose sc-win32-status says why.  The files are
 * streamed: memory grows with the number of clients, not with the files.
 *
 * A client's story may run over several logs (u_ex090520.log ends at
 * 23:59:59, u_ex090521.log goes on at 00:00:00), given in any order: read()
 * only notes each log and the time of its first request, and finish() reads
 * them all, oldest first, into one set of clients.
 */
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "error.h"
#include "ingest.h"
#include "ingest_iis.h"
#include "logread.h"
#include "sspi.h"
#include "util.h"


/* The whole of c as text; an empty or failed cursor gives "". */
void
iis_text_of(struct cursor *c, char *buf, size_t n)
{
	if (n > 0)
		buf[0] = '\0';
	if (cur_left(c) > 0)
		cur_str(c, cur_left(c), buf, n);
}

/* Is the field lit (n >= 8 bytes, ASCII, any case)? */
static inline int
field_is(const struct key *k, const char *lit, size_t n)
{
	return k->n == n && (same8(k->p, (const uint8_t *)lit, n) ||
	    same_ci(k->p, (const uint8_t *)lit, n));
}

/*
 * Eight bytes at a time, multiply and fold; fold sets bit 5 of every byte
 * so that a user name hashes the same in any ASCII case.
 */
static uint64_t
hash_bytes(uint64_t h, const uint8_t *p, size_t n, uint64_t fold)
{
	uint64_t w = 0;
	uint32_t a, b;
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		h = (h ^ (w | fold)) * 0x9E3779B97F4A7C15ULL;
		h ^= h >> 29;
	}
	/* the last 1-7 bytes: overlapping fixed-size loads, not a call */
	if (i < n && n >= 8) {
		memcpy(&w, p + n - 8, 8);
	} else if (n - i >= 4) {
		memcpy(&a, p + i, 4);
		memcpy(&b, p + n - 4, 4);
		w = (uint64_t)a << 32 | b;
	} else if (n > i) {
		w = (uint64_t)p[i] << 16 | (uint64_t)p[i + (n - i) / 2] << 8 |
		    p[n - 1];
	}
	h = (h ^ (w | fold) ^ n) * 0x9E3779B97F4A7C15ULL;
	/* murmur3's finaliser: every bit of h reaches the low ones */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	return h ^ h >> 33;
}

static uint32_t
hash_ip(const struct key *ip)
{
	return (uint32_t)hash_bytes(0x5bd1e995, ip->p, ip->n, 0);
}

static uint32_t
hash_user(uint32_t h_ip, const struct key *user)
{
	return (uint32_t)hash_bytes(h_ip, user->p, user->n,
	    0x2020202020202020ULL);
}

/* "#Fields: date time ..." - map the columns we use. */
void
iis_fields(struct fmt *m, struct cursor *c)
{
	char name[64];
	int found = 1, i, col = 0;

	for (i = 0; i < F__N; i++)
		m->col[i] = -1;
	while (found && !cur_empty(c) && col < MAX_FIELDS) {
		struct cursor tok = cur_until(c, ' ', &found);

		if (tok.len == 0)
			continue;
		iis_text_of(&tok, name, sizeof(name));
		for (i = 0; i < F__N; i++)
			if (strcasecmp(name, field_names[i]) == 0)
				m->col[i] = col;
		col++;
	}
	m->n_cols = col;
	m->n_need = 0;
	for (i = 0; i < F__N; i++)
		if (m->col[i] + 1 > m->n_need)
			m->n_need = m->col[i] + 1;
	m->n_key = (m->col[F_URI] > m->col[F_METHOD] ? m->col[F_URI] :
	    m->col[F_METHOD]) + 1;
	m->have_fields = m->col[F_STATUS] >= 0 && m->col[F_URI] >= 0;
}

static int
same_fmt(const struct fmt *a, const struct fmt *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

void
iis_note(struct iis *s, const char *source, double t, const char *fmt, ...)
{
	struct event ev;
	va_list ap;

	event_init(&ev, EV_NOTE);
	ev.t = t;
	snprintf(ev.source, sizeof(ev.source), "%s", source);
	va_start(ap, fmt);
	vsnprintf(ev.text, sizeof(ev.text), fmt, ap);
	va_end(ap);
	(void)report_add_event(s->r, &ev);
}

/* The decimal digits at p, n of them; -1 if any is not one. */
static inline long long
digits(const uint8_t *p, int n)
{
	long long v = 0;
	unsigned bad = 0, dg;
	int i;

	for (i = 0; i < n; i++) {
		dg = (unsigned)p[i] - '0';
		bad |= dg > 9;
		v = v * 10 + dg;
	}
	return bad ? -1 : v;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* Are the eight bytes of x all decimal digits? */
static inline int
digits8(uint64_t x)
{
	return (x & 0xF0F0F0F0F0F0F0F0ULL) == 0x3030303030303030ULL &&
	    (((x & 0x0F0F0F0F0F0F0F0FULL) + 0x0606060606060606ULL) &
	    0xF0F0F0F0F0F0F0F0ULL) == 0;
}

/* The low nibbles of x's eight bytes, byte 0's lowest. */
static inline uint32_t
nibbles8(uint64_t x)
{
	x &= 0x0F0F0F0F0F0F0F0FULL;
	x = (x | x >> 4) & 0x00FF00FF00FF00FFULL;
	x = (x | x >> 8) & 0x0000FFFF0000FFFFULL;
	return (uint32_t)(x | x >> 16);
}

/*
 * "2009-05-20" and "19:35:11" as fourteen digits a nibble each, eight
 * bytes at a time: the date's in the high half (its last two where its
 * dashes were), the time's in the low half with 0xF where its first colon
 * was, so that a packed time is never 0; 0 when they are written any other
 * way.
 */
static uint64_t
pack_when(const uint8_t *d, size_t nd, const uint8_t *t, size_t nt)
{
	uint64_t x, y, z = 0;
	uint32_t dx;

	if (nd != 10 || nt != 8 || d[4] != '-' || d[7] != '-' ||
	    t[2] != ':' || t[5] != ':')
		return 0;
	/* the separators become '0' for the test that all are digits */
	memcpy(&x, d, 8);
	memcpy(&z, d + 8, 2);
	memcpy(&y, t, 8);
	x ^= (uint64_t)('-' ^ '0') << 32 | (uint64_t)('-' ^ '0') << 56;
	y ^= (uint64_t)(':' ^ '0') << 16 | (uint64_t)(':' ^ '0') << 40;
	z |= 0x303030303030ULL << 16;
	if (!digits8(x) || !digits8(y) || !digits8(z))
		return 0;
	dx = nibbles8(x) | (uint32_t)(z & 0xF) << 16 |
	    (uint32_t)(z >> 8 & 0xF) << 28;
	return (uint64_t)dx << 32 | nibbles8(y) | 0xF << 8;
}
#else
static uint64_t
pack_when(const uint8_t *d, size_t nd, const uint8_t *t, size_t nt)
{
	return 0;	/* kept as text */
}
#endif

/* Decimal field to a number; -1 when not one ("-" or garbage). */
static inline long long
number(const struct key *k)
{
	long long v;

	if (k->n == 0 || k->n > 10)
		return -1;
	v = digits(k->p, (int)k->n);
	return v <= 0xffffffffLL ? v : -1;
}

/* A slot for one more request of shard k; NULL when memory ran out. */
static struct req *
next_req(struct part *pt, int k)
{
	struct req *nq;
	size_t ncap;

	if (pt->n_q[k] == pt->cap_q[k]) {
		ncap = pt->cap_q[k] ? 2 * pt->cap_q[k] : 4096;
		if ((nq = realloc(pt->q[k], ncap * sizeof(*nq))) == NULL)
			return NULL;
		pt->q[k] = nq;
		pt->cap_q[k] = ncap;
	}
	return &pt->q[k][pt->n_q[k]];
}

/* k, cut to at most max bytes. */
static struct key
cut(struct key k, size_t max)
{
	if (k.n > max)
		k.n = max;
	return k;
}

static void
request(struct part *pt, const struct key *tok)
{
	static const uint8_t dash[] = "-";
	struct key ip = tok[F_CIP], user = tok[F_USER], ymd, hms;
	struct req *q;
	long long st, sub, w32;
	uint32_t h_ip;
	int k;

	if ((st = number(&tok[F_STATUS])) < 0)
		return;
	sub = number(&tok[F_SUB]);
	w32 = number(&tok[F_WIN32]);
	if (user.n == 1 && user.p[0] == '-')
		user.n = 0;
	if (ip.n == 0) {
		ip.p = dash;
		ip.n = 1;
	}
	pt->n_relevant++;
	/* the keys as a client keeps them, and "%.10s %.8s" of the time */
	ip = cut(ip, sizeof(((struct client *)0)->ip) - 1);
	user = cut(user, sizeof(((struct client *)0)->user) - 1);
	ymd = cut(tok[F_DATE], 10);
	hms = cut(tok[F_TIME], 8);
	h_ip = hash_ip(&ip);
	k = (int)SHARD_OF(h_ip);
	if ((q = next_req(pt, k)) == NULL) {
		pt->nomem++;
		return;
	}
	q->h_ip = h_ip;
	q->h_user = user.n ? hash_user(h_ip, &user) : 0;
	q->line = (uint32_t)pt->n_lines;
	q->ip = ip.p;
	q->ip_len = (uint8_t)ip.n;
	q->user = user.p;
	q->user_len = (uint8_t)user.n;
	q->date = ymd.p;
	q->date_len = (uint8_t)ymd.n;
	q->time = hms.p;
	q->time_len = (uint8_t)hms.n;
	q->when = pack_when(ymd.p, ymd.n, hms.p, hms.n);
	q->status = (int32_t)st;
	q->sub = sub < 0 ? 0 : (int32_t)sub;
	q->win32 = w32 < 0 ? 0 : (uint32_t)w32;
	if (!pt->first_when[0])
		when_of(pt->first_when, q);
	pt->n_q[k]++;
}

/* Does the line start with p (ASCII, any case)? */
int
iis_has_prefix(const struct cursor *c, const char *p)
{
	struct cursor t = *c;
	char buf[64];
	size_t k = strlen(p);

	if (k >= sizeof(buf) || cur_left(&t) < k)
		return 0;
	cur_str(&t, k, buf, sizeof(buf));
	return strncasecmp(buf, p, k) == 0;
}

/*
 * Field col of a scanned line, or an empty one when col is absent: it runs
 * from just after bound[col] to bound[col + 1], where bound[0] is -1, the
 * line's separators follow and then its length.
 */
static inline struct key
field_at(const uint8_t *p, size_t len, const uint32_t *bound, int col)
{
	struct key k = { NULL, 0 };
	uint32_t a, b;

	if (col < 0)
		return k;
	a = bound[col] + 1;		/* -1 + 1 is 0 */
	b = bound[col + 1];
	if (a <= b && b <= len) {
		k.p = p + a;
		k.n = b - a;
	}
	return k;
}

/*
 * One line, its separators found by logread_scan.  Only CCM_POST on the
 * URI counts; a line with fewer fields than #Fields is counted, not read.
 * Fields are split at each space: "a  b" is three fields, a trailing space
 * ends the line.
 */
static void
line(struct part *pt, const uint8_t *p, size_t len, uint32_t *bound,
    const struct logread_line *ln)
{
	static const char fields[] = "#Fields:";
	static const char uri[] = "/ccm_system_windowsauth/request";
	const struct fmt *m = &pt->fmt;
	struct key tok[F__N], k;
	struct cursor c;
	int i;

	if (len == 0)
		return;
	if (p[0] == '#') {
		cur_init(&c, p, len);
		if (iis_has_prefix(&c, fields)) {
			cur_skip(&c, sizeof(fields) - 1);
			iis_fields(&pt->fmt, &c);
		}
		return;		/* #Software, #Version, #Date, #Remark */
	}
	if (!m->have_fields) {
		pt->n_no_fields++;
		return;
	}
	if (ln->n_sep + (p[len - 1] != ' ') < m->n_cols) {
		pt->n_short++;
		return;
	}
	/* every column used has a separator recorded before it */
	bound[1 + ln->n_rec] = (uint32_t)len;
	k = field_at(p, len, bound, m->col[F_URI]);
	if (!field_is(&k, uri, sizeof(uri) - 1))
		return;
	k = field_at(p, len, bound, m->col[F_METHOD]);
	if (!field_is(&k, "CCM_POST", 8))
		return;
	for (i = 0; i < F__N; i++)
		tok[i] = field_at(p, len, bound, m->col[i]);
	request(pt, tok);
}

/* Split a block's lines into requests, with the columns of fmt_in. */
static void
parse_part(struct part *pt)
{
	uint32_t bound[1 + LOGREAD_SCAN_SEP];	/* see field_at */
	struct logread_line ln;
	struct cursor blk;
	const uint8_t *p;
	size_t len, pos = 0, n;
	int k;

	pt->fmt = pt->fmt_in;
	for (k = 0; k < NSHARD; k++)
		pt->n_q[k] = 0;
	pt->nomem = 0;
	pt->n_lines = pt->n_relevant = pt->n_no_fields = pt->n_short = 0;
	pt->n_long = pt->first_long = 0;
	pt->first_when[0] = '\0';
	if (pt->rc == 2) {		/* one line longer than the block */
		pt->n_lines = pt->n_long = pt->first_long = 1;
		return;
	}
	if (pt->rc != 1)
		return;
	bound[0] = UINT32_MAX;
	cur_init(&blk, pt->buf, pt->len);
	len = cur_left(&blk);
	p = cur_bytes(&blk, len);	/* the lines lie within */
	while (pos < len) {
		logread_scan(p + pos, len - pos, ' ', bound + 1,
		    pt->fmt.n_need, &ln);
		pt->n_lines++;
		n = ln.len;
		if (n > 0 && p[pos + n - 1] == '\r')
			n--;
		if (n > LOGREAD_MAX_LINE) {
			if (pt->n_long++ == 0)
				pt->first_long = pt->n_lines;
		} else {
			line(pt, p + pos, n, bound, &ln);
		}
		pos += ln.next;
	}
}

enum { JOB_PARSE, JOB_APPLY };

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Read the next round's two blocks, in order. */
static void
read_next(struct iis *s)
{
	struct part **n = s->next;

	n[0]->rc = logread_block(s->lr, n[0]->buf, BLOCK, s->want[0],
	    &n[0]->len);
	n[1]->rc = n[0]->rc > 0 ? logread_block(s->lr, n[1]->buf, BLOCK,
	    s->want[1], &n[1]->len) : 0;
}

/*
 * Half k of the current job.  The second thread, having split the smaller
 * block, reads the next round's two while the first splits the larger.
 */
static void
run_half(struct iis *s, int k)
{
	struct part *pt = s->cur[k];
	double t0 = now();
	int i;

	if (s->job == JOB_PARSE) {
		parse_part(pt);
		s->t_parse[k] = now() - t0;
		if (k == 1 && s->cur[1]->rc > 0) {
			t0 = now();
			read_next(s);
			s->t_read = now() - t0;
		}
		return;
	}
	for (i = 0; i < NSHARD; i++)
		iis_apply_part(&s->shard[k], s->cur[i], k);
}
/*
 * Wait until *v is want.  A job lasts a few milliseconds, and waking a
 * sleeping thread can take about as long on a virtual machine (its idle
 * CPU has to be woken first), so spin a while before sleeping.
 */
static void
wait_until(struct iis *s, int *v, int want)
{
	long spin;

	for (spin = 1; spin <= SPIN; spin++) {
		if (__atomic_load_n(v, __ATOMIC_ACQUIRE) == want)
			return;
#if defined(__x86_64__) || defined(__i386__)
		__builtin_ia32_pause();
#endif
		if (spin % 64 == 0)
			sched_yield();	/* the other may be waiting for a CPU */
	}
	pthread_mutex_lock(&s->mu);
	while (__atomic_load_n(v, __ATOMIC_ACQUIRE) != want)
		pthread_cond_wait(&s->cv, &s->mu);
	pthread_mutex_unlock(&s->mu);
}

/* Set *v and wake whoever sleeps in wait_until. */
static void
announce(struct iis *s, int *v, int val)
{
	__atomic_store_n(v, val, __ATOMIC_RELEASE);
	pthread_mutex_lock(&s->mu);
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

static void *
worker(void *arg)
{
	struct iis *s = arg;
	int seen = 0;

	for (;;) {
		wait_until(s, &s->gen, seen + 1);
		seen++;
		if (s->quit)
			return NULL;
		run_half(s, 1);
		announce(s, &s->gen_done, seen);
	}
}

/* Run job on both halves: one here, one on the second thread if any. */
static void
both_halves(struct iis *s, int job)
{
	s->job = job;
	if (!s->threaded) {
		run_half(s, 0);
		run_half(s, 1);
		return;
	}
	announce(s, &s->gen, s->gen + 1);
	run_half(s, 0);
	wait_until(s, &s->gen_done, s->gen);
}

/* The blocks, and the second thread if one can be had. */
static int
threads_start(struct iis *s)
{
	int k;

	for (k = 0; k < 2 * NSHARD; k++)
		if ((s->pool[k].buf = malloc(BLOCK)) == NULL)
			return -1;
	for (k = 0; k < NSHARD; k++) {
		s->cur[k] = &s->pool[k];
		s->next[k] = &s->pool[NSHARD + k];
		s->want[k] = WANT;
	}
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	s->threaded = pthread_create(&s->worker, NULL, worker, s) == 0;
	return 0;
}

static void
threads_end(struct iis *s)
{
	int j, k;

	if (s->threaded) {
		s->quit = 1;
		announce(s, &s->gen, s->gen + 1);
		pthread_join(s->worker, NULL);
		s->threaded = 0;
	}
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	for (k = 0; k < 2 * NSHARD; k++) {
		free(s->pool[k].buf);
		for (j = 0; j < NSHARD; j++)
			free(s->pool[k].q[j]);
	}
}

/*
 * Size the second block so both threads take as long: the first splits
 * x bytes, the second y and reads x + y, so y = x (p - r) / (p + r) for
 * p and r the cost of a byte split and read.  Block sizes change nothing
 * in the result, only who waits.
 */
static void
balance(struct iis *s)
{
	const struct part *a = s->cur[0], *b = s->cur[1];
	double p, r, f;

	if (a->len < WANT / 2 || b->len == 0 || s->t_parse[0] <= 0 ||
	    s->t_read <= 0)
		return;
	p = s->t_parse[0] / (double)a->len;
	r = s->t_read / (double)(s->next[0]->len + s->next[1]->len + 1);
	f = (p - r) / (p + r);
	f = f < 0.125 ? 0.125 : f > 1 ? 1 : f;
	/* move halfway there: one slow read should not swing it */
	s->want[1] = (s->want[1] + (size_t)(WANT * f)) / 2;
}

/* The time of a block's last request, when it has one. */
static void
last_when(const struct part *pt, char when[24])
{
	const struct req *last = NULL;
	int k;

	for (k = 0; k < NSHARD; k++)
		if (pt->n_q[k] && (last == NULL ||
		    pt->q[k][pt->n_q[k] - 1].line > last->line))
			last = &pt->q[k][pt->n_q[k] - 1];
	if (last)
		when_of(when, last);
}

/* Add a parsed block's counts to the file's, in order. */
static void
count_part(struct iis *s, const struct part *pt)
{
	struct iis_file *f = s->f;

	if (pt->n_long && f->n_long == 0)
		f->first_long = (unsigned long)(pt->base & LINE_MASK) +
		    pt->first_long;
	f->n_lines += pt->n_lines;
	f->n_relevant += pt->n_relevant;
	f->n_no_fields += pt->n_no_fields;
	f->n_short += pt->n_short;
	f->n_long += pt->n_long;
	f->n_nomem += (unsigned long)pt->nomem;
	if (!f->first_when[0] && pt->first_when[0])
		memcpy(f->first_when, pt->first_when, sizeof(f->first_when));
	last_when(pt, f->last_when);
}

/*
 * Read the file two blocks at a time: this thread splits the first while
 * the other splits the second and reads the next two; a #Fields line in
 * the first changes the columns of the second, which is then split again.
 * Then each thread applies its shard of both, in order.
 */
static void
read_blocks(struct iis *s)
{
	struct part *a, *b, *t;
	int k;

	read_next(s);
	for (;;) {
		for (k = 0; k < NSHARD; k++) {
			t = s->cur[k];
			s->cur[k] = s->next[k];
			s->next[k] = t;
		}
		a = s->cur[0];
		b = s->cur[1];
		if (a->rc <= 0) {
			s->read_rc = a->rc;
			return;
		}
		a->fmt_in = b->fmt_in = s->fmt;
		s->t_read = 0;
		both_halves(s, JOB_PARSE);
		if (!same_fmt(&a->fmt, &s->fmt)) {
			b->fmt_in = a->fmt;
			parse_part(b);
		}
		a->base = (uint64_t)s->file << FILE_SHIFT | s->f->n_lines;
		b->base = a->base + a->n_lines;
		both_halves(s, JOB_APPLY);
		count_part(s, a);
		count_part(s, b);
		s->fmt = b->rc > 0 ? b->fmt : a->fmt;
		if (b->rc <= 0) {
			s->read_rc = b->rc;
			return;
		}
		balance(s);
	}
}

/* Read log k of the set into the clients. */
static int
read_file(struct iis *s, uint32_t k, char *errbuf, size_t errlen)
{
	struct iis_file *f = &s->files[k];
	struct logread lr;
	unsigned long dropped = 0;
	int rc, i;

	rc = f->in ? logread_start(&lr, f->in, errbuf, errlen) :
	    logread_open(&lr, f->path, errbuf, errlen);
	if (rc != 0)
		return rc;
	s->f = f;
	s->file = k;
	s->lr = &lr;
	s->read_rc = 0;
	memset(&s->fmt, 0, sizeof(s->fmt));
	for (i = 0; i < F__N; i++)
		s->fmt.col[i] = -1;
	for (i = 0; i < NSHARD; i++) {
		s->shard[i].tag = k + 1;
		s->shard[i].n_seen = 0;
		dropped += s->shard[i].n_dropped;
	}
	logread_progress(&lr, f->base);
	read_blocks(s);
	for (i = 0; i < NSHARD; i++) {
		f->n_clients += s->shard[i].n_seen;
		f->n_dropped += s->shard[i].n_dropped;
	}
	f->n_dropped -= dropped;
	f->read_rc = s->read_rc;
	if (s->read_rc < 0)
		snprintf(f->read_error, sizeof(f->read_error), "%s",
		    logread_error(&lr));
	f->gzipped = lr.gzipped;
	f->enc = lr.enc;
	/* the report's list of inputs says what was read of it */
	if (f->input >= 0 && (size_t)f->input < s->r->n_inputs) {
		struct input *in = &s->r->inputs[f->input];

		logread_result(&lr, f->n_lines, in);
		if (s->read_rc == -ERR_NOMEM) {
			in->status = INPUT_CUT;
			snprintf(in->detail, sizeof(in->detail), "ends after "
			    "line %lu: out of memory", f->n_lines);
		}
	}
	logread_close(&lr);
	s->lr = NULL;
	return 0;
}

/* Read a set of logs, oldest first, as one set of clients. */
static int
read_set(struct report *r, struct iis_set *set, char *errbuf, size_t errlen)
{
	struct iis s;
	size_t from, k;
	int rc = 0;

	memset(&s, 0, sizeof(s));
	s.r = r;
	s.files = set->files;
	s.n_files = set->n_files;
	if (threads_start(&s) != 0) {
		rc = ERR_NOMEM;
		snprintf(errbuf, errlen, "%s: out of memory", s.files[0].path);
	}
	for (k = 0; rc == 0 && k < s.n_files; k++)
		rc = read_file(&s, (uint32_t)k, errbuf, errlen);
	threads_end(&s);
	if (rc == 0 && iis_merge_shards(&s) != 0) {
		rc = ERR_NOMEM;
		snprintf(errbuf, errlen, "%s: out of memory", s.files[0].path);
	}
	if (rc == 0) {
		from = r->n_events;
		for (k = 0; k < s.n_files; k++) {
			const struct iis_file *f = &s.files[k];

			if (f->read_rc < 0)
				iis_note(&s, f->base, 0, "%s: %s after line %lu "
				    "(%s): the rest of the file was not read",
				    f->base, f->read_rc == -ERR_NOMEM ?
				    "out of memory" : "read error", f->n_lines,
				    f->read_error);
		}
		iis_verdicts(&s);
		for (k = 0; k < s.n_files; k++)
			iis_summary(&s, &s.files[k]);
		iis_set_summary(&s);
		iis_move_events(r, set->at < from ? set->at : from, from);
	}
	free(s.order);
	for (k = 0; k < NSHARD; k++)
		iis_free_shard(&s.shard[k]);
	return rc;
}

/*
 * A log that can be opened again (a file on disk, gzip'd or not) is noted,
 * and finish() reads it with the others, oldest first, so that a client's
 * story crosses the logs of several days.  One that cannot (standard input,
 * a pipe, a zip member) is read now, as a set of its own.
 */
static int
iis_read(struct ingest_file *f, struct report *r, struct input *res)
{
	struct iis_set one;
	struct iis_file file;
	int rc;

	if (f->reopen) {
		rc = iis_set_add(r, f->path, f->name, f->index, res->detail,
		    sizeof(res->detail));
		if (rc == 0) {
			res->status = INPUT_READ;
			snprintf(res->detail, sizeof(res->detail), "read with "
			    "the other IIS logs, oldest first");
		}
		return rc;
	}
	memset(&one, 0, sizeof(one));
	memset(&file, 0, sizeof(file));
	file.path = f->path;
	file.base = f->name;
	file.in = f;
	file.input = -1;
	one.files = &file;
	one.n_files = 1;
	one.at = r->n_events;
	rc = read_set(r, &one, res->detail, sizeof(res->detail));
	if (rc == 0) {
		res->status = file.read_rc < 0 ? INPUT_CUT : INPUT_READ;
		snprintf(res->detail, sizeof(res->detail), file.read_rc < 0 ?
		    "ends after line %lu: %s" : "%lu lines%s", file.n_lines,
		    file.read_rc < 0 ? file.read_error : "");
	}
	return rc;
}

/* Read the report's noted logs, oldest first, as one set of clients. */
static int
iis_finish(struct report *r, char *errbuf, size_t errlen)
{
	struct iis_set *set;
	int rc;

	if ((set = iis_set_take(r)) == NULL)
		return 0;
	rc = read_set(r, set, errbuf, errlen);
	iis_set_free(set);
	return rc;
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
			if (iis_has_prefix(&l, starts[i]))
				return 1;
	}
	return 0;
}

const struct ingest_reader ingest_iis = {
	.name = "iis",
	.kind = "iis",
	.sniff = iis_sniff,
	.read = iis_read,
	.finish = iis_finish,
};
