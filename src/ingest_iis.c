/*
 * ingest_iis.c - IIS W3C extended logs: follow each client's CCM_POST
 * requests on /ccm_system_windowsauth/request and say how it authenticated.
 *
 * Kerberos is one leg: anonymous 401.2, then 200 as DOMAIN\HOST$.  NTLM
 * needs a challenge leg (401.1 SEC_E_NO_CREDENTIALS) before its 200.  Any
 * other 401.1 is a rejection whose sc-win32-status says why.  The file is
 * streamed: memory grows with the number of clients, not with the file.
 */
#include <pthread.h>
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

static int
lower(int ch)
{
	return ch >= 'A' && ch <= 'Z' ? ch + ('a' - 'A') : ch;
}

static int
same_ci(const uint8_t *a, const uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (a[i] != b[i] && lower(a[i]) != lower(b[i]))
			return 0;
	return 1;
}

/* Is the field lit (n bytes, ASCII, any case)? */
static int
field_is(const struct key *k, const char *lit, size_t n)
{
	return k->n == n && (memcmp(k->p, lit, n) == 0 ||
	    same_ci(k->p, (const uint8_t *)lit, n));
}

/*
 * Eight bytes at a time, multiply and fold; fold sets bit 5 of every byte
 * so that a user name hashes the same in any ASCII case.
 */
static uint64_t
hash_bytes(uint64_t h, const uint8_t *p, size_t n, uint64_t fold)
{
	uint64_t w;
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		h = (h ^ (w | fold)) * 0x9E3779B97F4A7C15ULL;
		h ^= h >> 29;
	}
	w = 0;
	memcpy(&w, p + i, n - i);
	h = (h ^ (w | fold) ^ n) * 0x9E3779B97F4A7C15ULL;
	return h ^ h >> 32;
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

static int
ip_eq(const struct client *c, const struct key *ip)
{
	return c->ip_len == ip->n && memcmp(c->ip, ip->p, ip->n) == 0;
}

static int
user_eq(const struct client *c, const struct key *user)
{
	return c->user_len == user->n &&
	    same_ci((const uint8_t *)c->user, user->p, user->n);
}

/* Make room for one more key; slots found before are then stale. */
static int
index_room(struct index *x)
{
	struct index nx;
	size_t i, j;

	if (2 * (x->n + 1) <= x->cap)
		return 0;
	nx.cap = x->cap ? 2 * x->cap : 256;
	nx.n = x->n;
	if ((nx.slot = calloc(nx.cap, sizeof(*nx.slot))) == NULL)
		return -1;
	for (j = 0; j < x->cap; j++) {
		if (!x->slot[j].idx)
			continue;
		for (i = x->slot[j].hash & (nx.cap - 1); nx.slot[i].idx;
		    i = (i + 1) & (nx.cap - 1))
			;
		nx.slot[i] = x->slot[j];
	}
	free(x->slot);
	*x = nx;
	return 0;
}

/*
 * With many clients, most lookups miss the cache: ask for all of a
 * client's lines at once, since the request will touch most of them,
 * rather than wait for each in turn.
 */
static void
prefetch_client(const struct client *c)
{
	size_t o;

	for (o = 0; o < sizeof(*c); o += 64)
		__builtin_prefetch((const char *)c + o, 1);
}

/* The slot holding the key, or the empty one where it would go. */
static struct slot *
index_slot(const struct iis *s, const struct index *x, uint32_t h,
    const struct key *ip, const struct key *user)
{
	size_t i;

	for (i = h & (x->cap - 1); x->slot[i].idx; i = (i + 1) & (x->cap - 1)) {
		const struct client *c = &s->clients[x->slot[i].idx - 1];

		if (x->slot[i].hash == h)
			prefetch_client(c);
		if (x->slot[i].hash == h && ip_eq(c, ip) &&
		    (user == NULL || user_eq(c, user)))
			break;
	}
	return &x->slot[i];
}

static void
set_user(struct client *c, const struct key *user, uint32_t h_user)
{
	c->user_len = (uint8_t)user->n;
	memcpy(c->user, user->p, user->n);
	c->user[user->n] = '\0';
	c->h_user = h_user;
}

static int
new_client(struct iis *s, const struct key *ip, uint32_t h_ip)
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
	c->ip_len = (uint8_t)ip->n;
	memcpy(c->ip, ip->p, ip->n);
	c->h_ip = h_ip;
	return (int)s->n_clients++;
}

static void
slot_set(struct index *x, struct slot *sl, uint32_t h, int idx)
{
	if (!sl->idx)
		x->n++;
	sl->hash = h;
	sl->idx = (uint32_t)idx + 1;
}

/*
 * The client a request belongs to.  Anonymous legs go to the address's
 * latest client; the first authenticated request names that client, and a
 * different user from the same address starts another one.
 */
static int
client_for(struct iis *s, const struct req *q)
{
	const struct key *ip = &q->ip, *user = &q->user;
	uint32_t h_ip = q->h_ip, h_user = q->h_user;
	struct slot *si, *su;
	int idx;

	if (index_room(&s->by_ip) != 0 || index_room(&s->by_user) != 0)
		return -1;
	si = index_slot(s, &s->by_ip, h_ip, ip, NULL);
	if (user->n == 0) {
		if (si->idx)
			return (int)si->idx - 1;
		if ((idx = new_client(s, ip, h_ip)) < 0)
			return -1;
		slot_set(&s->by_ip, si, h_ip, idx);
		return idx;
	}
	su = index_slot(s, &s->by_user, h_user, ip, user);
	if (su->idx) {
		idx = (int)su->idx - 1;
	} else {
		if (si->idx && s->clients[si->idx - 1].user_len == 0)
			idx = (int)si->idx - 1;
		else if ((idx = new_client(s, ip, h_ip)) < 0)
			return -1;
		set_user(&s->clients[idx], user, h_user);
		slot_set(&s->by_user, su, h_user, idx);
	}
	slot_set(&s->by_ip, si, h_ip, idx);	/* now the latest */
	return idx;
}

/* Start fetching what q's lookups will read. */
static void
prefetch_slots(const struct iis *s, const struct req *q)
{
	if (s->by_ip.cap)
		__builtin_prefetch(&s->by_ip.slot[q->h_ip &
		    (s->by_ip.cap - 1)]);
	if (q->user.n && s->by_user.cap)
		__builtin_prefetch(&s->by_user.slot[q->h_user &
		    (s->by_user.cap - 1)]);
}

/* The client q's address last led to, most likely q's own. */
static void
prefetch_likely_client(const struct iis *s, const struct req *q)
{
	const struct slot *sl;

	if (s->by_ip.cap == 0)
		return;
	sl = &s->by_ip.slot[q->h_ip & (s->by_ip.cap - 1)];
	if (sl->idx && sl->hash == q->h_ip)
		prefetch_client(&s->clients[sl->idx - 1]);
}

/* Decimal field to a number; -1 when not one ("-" or garbage). */
static long long
number(const struct key *k)
{
	long long v = 0;
	size_t i;

	if (k->n == 0 || k->n > 10)
		return -1;
	for (i = 0; i < k->n; i++) {
		if (k->p[i] < '0' || k->p[i] > '9')
			return -1;
		v = v * 10 + (k->p[i] - '0');
	}
	return v <= 0xffffffffLL ? v : -1;
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
		iis_text_of(&tok, name, sizeof(name));
		for (i = 0; i < F__N; i++)
			if (strcasecmp(name, field_names[i]) == 0)
				s->col[i] = col;
		col++;
	}
	s->n_cols = col;
	s->n_need = 0;
	for (i = 0; i < F__N; i++)
		if (s->col[i] + 1 > s->n_need)
			s->n_need = s->col[i] + 1;
	s->n_key = (s->col[F_URI] > s->col[F_METHOD] ? s->col[F_URI] :
	    s->col[F_METHOD]) + 1;
	s->have_fields = s->col[F_STATUS] >= 0 && s->col[F_URI] >= 0;
}

void
iis_note(struct iis *s, double t, const char *fmt, ...)
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

/*
 * Copy n bytes of a field: a few fixed-size moves, where memcpy with a
 * size known only at run time costs more than the copy for such short
 * keys.
 */
static void
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
static void
when_of(char when[24], const struct key *date, const struct key *time)
{
	size_t d = date->n < 10 ? date->n : 10, t = time->n < 8 ? time->n : 8;

	copy_small((uint8_t *)when, date->p, d);
	when[d] = ' ';
	copy_small((uint8_t *)when + d + 1, time->p, t);
	when[d + 1 + t] = '\0';
}

/* Copy a key out of the line, cut to the client's buffer. */
static void
key_copy(struct key *to, uint8_t *buf, size_t bufsz, const struct key *from)
{
	to->n = from->n < bufsz ? from->n : bufsz - 1;
	copy_small(buf, from->p, to->n);
	to->p = buf;
}

static void
apply(struct iis *s, const struct req *q)
{
	const struct snap *sn = &q->sn;
	struct client *c;
	int idx;

	if ((idx = client_for(s, q)) < 0) {
		s->n_dropped++;
		return;
	}
	c = &s->clients[idx];
	if (c->n++ == 0)
		c->first = *sn;
	c->last = *sn;
	if (sn->status == 401 && !c->first401.line)
		c->first401 = *sn;
	if (sn->status == 401 && sn->sub == 2) {
		c->saw_401_2 = 1;
	} else if (sn->status == 401 && sn->sub == 1 &&
	    sn->win32 == NTLM_CHALLENGE) {
		c->ntlm_leg = 1;
		if (c->outcome == OUT_NONE)
			c->decisive = *sn;
	} else if (sn->status >= 200 && sn->status < 300) {
		c->outcome = !sn->authed ? OUT_ANONYMOUS :
		    c->ntlm_leg ? OUT_NTLM : OUT_KERBEROS;
		c->decisive = *sn;
		c->ntlm_leg = 0;
	} else if (sn->status == 401) {
		c->outcome = OUT_REJECTED;
		c->decisive = *sn;
		c->ntlm_leg = 0;
	} else {
		c->outcome = OUT_OTHER;
		c->decisive = *sn;
	}
}

static void
apply_batch(struct iis *s, const struct req *b, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (i + 2 * AHEAD < n)
			prefetch_slots(s, &b[i + 2 * AHEAD]);
		if (i + AHEAD < n)
			prefetch_likely_client(s, &b[i + AHEAD]);
		apply(s, &b[i]);
	}
}

static void *
applier(void *arg)
{
	struct iis *s = arg;
	int k = 0;

	for (;;) {
		pthread_mutex_lock(&s->mu);
		while (!s->full[k] && !s->done)
			pthread_cond_wait(&s->cv, &s->mu);
		if (!s->full[k]) {
			pthread_mutex_unlock(&s->mu);
			return NULL;
		}
		pthread_mutex_unlock(&s->mu);
		apply_batch(s, s->buf[k], s->n_buf[k]);
		pthread_mutex_lock(&s->mu);
		s->full[k] = 0;
		pthread_cond_signal(&s->cv);
		pthread_mutex_unlock(&s->mu);
		k ^= 1;
	}
}

/* Hand the filled batch over and wait for the other buffer to be free. */
static void
flush(struct iis *s)
{
	if (!s->threaded) {
		apply_batch(s, s->batch, s->n_batch);
		s->n_batch = 0;
		return;
	}
	pthread_mutex_lock(&s->mu);
	s->n_buf[s->cur] = s->n_batch;
	s->full[s->cur] = 1;
	s->cur ^= 1;
	pthread_cond_signal(&s->cv);
	while (s->full[s->cur])
		pthread_cond_wait(&s->cv, &s->mu);
	pthread_mutex_unlock(&s->mu);
	s->batch = s->buf[s->cur];
	s->n_batch = 0;
}

/* Both buffers, and the applying thread if one can be had. */
static int
pipeline_start(struct iis *s)
{
	if ((s->buf[0] = malloc(2 * BATCH * sizeof(struct req))) == NULL)
		return -1;
	s->buf[1] = s->buf[0] + BATCH;
	s->batch = s->buf[0];
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	s->threaded = pthread_create(&s->applier, NULL, applier, s) == 0;
	return 0;
}

/* Apply what is left and wait for it: then the clients are complete. */
static void
pipeline_end(struct iis *s)
{
	if (s->n_batch > 0)
		flush(s);
	if (s->threaded) {
		pthread_mutex_lock(&s->mu);
		s->done = 1;
		pthread_cond_signal(&s->cv);
		pthread_mutex_unlock(&s->mu);
		pthread_join(s->applier, NULL);
		s->threaded = 0;
	}
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	free(s->buf[0]);
	s->buf[0] = s->buf[1] = s->batch = NULL;
}

static void
request(struct iis *s, unsigned long lineno, const struct key *tok)
{
	static const struct key dash = { (const uint8_t *)"-", 1 };
	struct req *q = &s->batch[s->n_batch];
	struct snap *sn = &q->sn;
	struct key user = tok[F_USER];
	long long st, sub, w32;

	if ((st = number(&tok[F_STATUS])) < 0)
		return;
	sub = number(&tok[F_SUB]);
	w32 = number(&tok[F_WIN32]);
	if (user.n == 1 && user.p[0] == '-')
		user.n = 0;
	s->n_relevant++;
	sn->line = lineno;
	when_of(sn->when, &tok[F_DATE], &tok[F_TIME]);
	sn->status = (int)st;
	sn->sub = sub < 0 ? 0 : (int)sub;
	sn->win32 = w32 < 0 ? 0 : (uint32_t)w32;
	sn->authed = user.n != 0;
	if (!s->first_when[0])
		memcpy(s->first_when, sn->when, sizeof(s->first_when));
	key_copy(&q->ip, q->ipbuf, sizeof(q->ipbuf),
	    tok[F_CIP].n ? &tok[F_CIP] : &dash);
	key_copy(&q->user, q->userbuf, sizeof(q->userbuf), &user);
	q->h_ip = hash_ip(&q->ip);
	q->h_user = q->user.n ? hash_user(q->h_ip, &q->user) : 0;
	if (++s->n_batch == BATCH)
		flush(s);
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

/*
 * Go on splitting the line after the first k fields in f, up to want in
 * all, as logread_split would have; returns how many f then holds.
 */
static int
split_on(const uint8_t *p, size_t len, struct logread_field *f, int k,
    int want)
{
	size_t end = (size_t)f[k - 1].off + f[k - 1].len;
	int i, m;

	if (k >= want || end >= len)	/* the last field ended the line */
		return k;
	m = logread_split_bytes(p + end + 1, len - end - 1, ' ', f + k,
	    want - k);
	for (i = k; i < k + m; i++)
		f[i].off += (uint32_t)(end + 1);
	return k + m;
}

/* Has the line at least n_cols fields, given its first k in f? */
static int
enough_fields(const struct iis *s, const uint8_t *p, size_t len,
    const struct logread_field *f, int k)
{
	size_t end = (size_t)f[k - 1].off + f[k - 1].len;
	int more = s->n_cols - k;

	if (more <= 0)
		return 1;
	if (end >= len)
		return 0;
	return logread_count(p + end + 1, len - end - 1, ' ', more) >= more;
}

/* The field in column col, or an empty one when the column is absent. */
static struct key
column(const uint8_t *p, const struct logread_field *f, int col)
{
	struct key k = { NULL, 0 };

	if (col >= 0) {
		k.p = p + f[col].off;
		k.n = f[col].len;
	}
	return k;
}

/*
 * Only CCM_POST on the URI counts: split as far as those two columns and
 * stop there for other requests (most of an MP's traffic), only counting
 * the rest of their fields, then split the rest as far as the last column
 * used.  A line with fewer fields than #Fields is counted, not read.
 */
static void
line(struct iis *s, unsigned long lineno, struct cursor *c)
{
	static const char fields[] = "#Fields:";
	static const char uri[] = "/ccm_system_windowsauth/request";
	struct logread_field f[MAX_FIELDS];
	struct key tok[F__N], k;
	struct cursor all = *c;
	const uint8_t *p;
	size_t len;
	uint8_t b;
	int i, n;

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
	len = cur_left(&all);
	p = cur_bytes(&all, len);	/* the fields lie within */
	if ((n = logread_split_bytes(p, len, ' ', f, s->n_key)) < s->n_key) {
		s->n_short++;
		return;
	}
	k = column(p, f, s->col[F_URI]);
	if (!field_is(&k, uri, sizeof(uri) - 1) ||
	    (k = column(p, f, s->col[F_METHOD]),
	    !field_is(&k, "CCM_POST", 8))) {
		if (!enough_fields(s, p, len, f, n))
			s->n_short++;
		return;
	}
	if ((n = split_on(p, len, f, n, s->n_need)) < s->n_need ||
	    !enough_fields(s, p, len, f, n)) {
		s->n_short++;
		return;
	}
	for (i = 0; i < F__N; i++)
		tok[i] = column(p, f, s->col[i]);
	request(s, lineno, tok);
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
	if (pipeline_start(&s) != 0) {
		logread_close(&lr);
		snprintf(errbuf, errlen, "%s: out of memory", path);
		return ERR_NOMEM;
	}
	logread_progress(&lr, s.base);
	while ((rc = logread_next(&lr, &c, &too_long)) > 0) {
		s.n_lines++;
		if (!too_long)
			line(&s, lr.lineno, &c);
	}
	pipeline_end(&s);
	if (rc < 0)
		iis_note(&s, 0, "%s: read error after line %lu (%s): the rest of "
		    "the file was not read", s.base, lr.lineno,
		    logread_error(&lr));
	iis_finish(&s);
	iis_summary(&s, &lr);
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
