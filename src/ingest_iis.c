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

/* A client's keys: the address, then the user. */
static const uint8_t *
keys_of(const struct shard *s, const struct hot *c)
{
	return c->flags & HF_SPILLED ? s->store + c->spill : c->keys;
}

/* The same n bytes?  Like memcmp() == 0, without a call for short keys. */
static inline int
same_bytes(const uint8_t *a, const uint8_t *b, size_t n)
{
	uint32_t x, y;

	if (n >= 8)
		return same8(a, b, n);
	if (n >= 4) {
		memcpy(&x, a, 4);
		memcpy(&y, b, 4);
		if (x != y)
			return 0;
		memcpy(&x, a + n - 4, 4);
		memcpy(&y, b + n - 4, 4);
		return x == y;
	}
	return n == 0 || (a[0] == b[0] && a[n / 2] == b[n / 2] &&
	    a[n - 1] == b[n - 1]);
}

static int
ip_eq(const struct shard *s, const struct hot *c, const struct key *ip)
{
	return c->ip_len == ip->n && same_bytes(keys_of(s, c), ip->p, ip->n);
}

static int
user_eq(const struct shard *s, const struct hot *c, const struct key *user)
{
	return c->user_len == user->n &&
	    (same_bytes(keys_of(s, c) + c->ip_len, user->p, user->n) ||
	    same_ci(keys_of(s, c) + c->ip_len, user->p, user->n));
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

/* Ask for both lines of a hot record at once rather than in turn. */
static inline __attribute__((always_inline)) void
prefetch_hot(const struct hot *c)
{
	__builtin_prefetch(c, 1);
	__builtin_prefetch((const char *)c + 64, 1);
}

/* The slot holding the key, or the empty one where it would go. */
static struct slot *
index_slot(const struct shard *s, const struct index *x, uint32_t h,
    const struct key *ip, const struct key *user)
{
	size_t i;

	for (i = h & (x->cap - 1); x->slot[i].idx; i = (i + 1) & (x->cap - 1)) {
		const struct hot *c = &s->hot[x->slot[i].idx - 1];

		if (x->slot[i].hash == h && ip_eq(s, c, ip) &&
		    (user == NULL || user_eq(s, c, user)))
			break;
	}
	return &x->slot[i];
}

/* Keep len bytes in the key store; its offset, or -1. */
static long
store_keys(struct shard *s, const uint8_t *a, size_t na, const uint8_t *b,
    size_t nb)
{
	size_t ncap, off = s->n_store;
	uint8_t *ns;

	if (s->cap_store - s->n_store < na + nb) {
		ncap = s->cap_store ? 2 * s->cap_store : 64 * 1024;
		if ((ns = realloc(s->store, ncap)) == NULL)
			return -1;
		s->store = ns;
		s->cap_store = ncap;
	}
	memcpy(s->store + off, a, na);
	if (nb)
		memcpy(s->store + off + na, b, nb);
	s->n_store += na + nb;
	return (long)off;
}

/* Name a client; its address stays first in its keys. */
static int
set_user(struct shard *s, struct hot *c, const struct key *user)
{
	uint8_t ip[64];		/* the store may move while it grows */
	long off;

	if (!(c->flags & HF_SPILLED) && c->ip_len + user->n <= HOT_KEYS) {
		memcpy(c->keys + c->ip_len, user->p, user->n);
	} else {
		memcpy(ip, keys_of(s, c), c->ip_len);
		if ((off = store_keys(s, ip, c->ip_len, user->p,
		    user->n)) < 0)
			return -1;
		c->spill = (uint32_t)off;
		c->flags |= HF_SPILLED;
	}
	c->user_len = (uint8_t)user->n;
	return 0;
}

/* Room for one more client: hot records on cache lines of their own. */
static int
grow_clients(struct shard *s)
{
	size_t ncap = s->cap_clients ? 2 * s->cap_clients : 256;
	struct cold *nc;
	void *nh;

	if (posix_memalign(&nh, 64, ncap * sizeof(struct hot)) != 0)
		return -1;
	if ((nc = realloc(s->cold, ncap * sizeof(*nc))) == NULL) {
		free(nh);
		return -1;
	}
	if (s->n_clients)
		memcpy(nh, s->hot, s->n_clients * sizeof(struct hot));
	free(s->hot);
	s->hot = nh;
	s->cold = nc;
	s->cap_clients = ncap;
	return 0;
}

static int
new_client(struct shard *s, const struct key *ip)
{
	struct hot *c;
	long off;

	if (s->n_clients >= MAX_CLIENTS / NSHARD)
		return -1;
	if (s->n_clients == s->cap_clients && grow_clients(s) != 0)
		return -1;
	c = &s->hot[s->n_clients];
	memset(c, 0, sizeof(*c));
	memset(&s->cold[s->n_clients], 0, sizeof(s->cold[0]));
	if (ip->n <= HOT_KEYS) {
		memcpy(c->keys, ip->p, ip->n);
	} else {
		if ((off = store_keys(s, ip->p, ip->n, NULL, 0)) < 0)
			return -1;
		c->spill = (uint32_t)off;
		c->flags |= HF_SPILLED;
	}
	c->ip_len = (uint8_t)ip->n;
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
client_for(struct shard *s, const struct req *q)
{
	struct key ip = { q->ip, q->ip_len }, user = { q->user, q->user_len };
	uint32_t h_ip = q->h_ip, h_user = q->h_user;
	struct slot *si, *su;
	int idx;

	if (index_room(&s->by_ip) != 0 || index_room(&s->by_user) != 0)
		return -1;
	si = index_slot(s, &s->by_ip, h_ip, &ip, NULL);
	if (user.n == 0) {
		if (si->idx)
			return (int)si->idx - 1;
		if ((idx = new_client(s, &ip)) < 0)
			return -1;
		slot_set(&s->by_ip, si, h_ip, idx);
		return idx;
	}
	su = index_slot(s, &s->by_user, h_user, &ip, &user);
	if (su->idx) {
		idx = (int)su->idx - 1;
	} else {
		if (si->idx && s->hot[si->idx - 1].user_len == 0)
			idx = (int)si->idx - 1;
		else if ((idx = new_client(s, &ip)) < 0)
			return -1;
		if (set_user(s, &s->hot[idx], &user) != 0)
			return -1;
		slot_set(&s->by_user, su, h_user, idx);
	}
	slot_set(&s->by_ip, si, h_ip, idx);	/* now the latest */
	return idx;
}

/*
 * Start fetching what q's lookups will read.  Inlined by force: a function
 * that only prefetches counts as having no effect, and GCC drops its calls.
 */
static inline __attribute__((always_inline)) void
prefetch_slots(const struct shard *s, const struct req *q)
{
	if (s->by_ip.cap)
		__builtin_prefetch(&s->by_ip.slot[q->h_ip &
		    (s->by_ip.cap - 1)]);
	if (q->user_len && s->by_user.cap)
		__builtin_prefetch(&s->by_user.slot[q->h_user &
		    (s->by_user.cap - 1)]);
}

/* The client q's address last led to, most likely q's own. */
static inline __attribute__((always_inline)) void
prefetch_likely_client(const struct shard *s, const struct req *q)
{
	const struct slot *sl;

	if (s->by_ip.cap == 0)
		return;
	sl = &s->by_ip.slot[q->h_ip & (s->by_ip.cap - 1)];
	if (sl->idx && sl->hash == q->h_ip)
		prefetch_hot(&s->hot[sl->idx - 1]);
}

/* "#Fields: date time ..." - map the columns we use. */
static void
directive_fields(struct fmt *m, struct cursor *c)
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
when_of(char when[24], const struct req *q)
{
	size_t d = q->date_len, t = q->time_len;

	copy_small((uint8_t *)when, q->date, d);
	when[d] = ' ';
	copy_small((uint8_t *)when + d + 1, q->time, t);
	when[d + 1 + t] = '\0';
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

/* The digit in nibble k of a packed time. */
#define NIB(w, k)	((char)('0' + ((w) >> (4 * (k)) & 0xF)))

/* The text of a packed time, "YYYY-MM-DD hh:mm:ss". */
static void
unpack_when(uint64_t w, char when[24])
{
	when[0] = NIB(w, 8);
	when[1] = NIB(w, 9);
	when[2] = NIB(w, 10);
	when[3] = NIB(w, 11);
	when[4] = '-';
	when[5] = NIB(w, 13);
	when[6] = NIB(w, 14);
	when[7] = '-';
	when[8] = NIB(w, 12);
	when[9] = NIB(w, 15);
	when[10] = ' ';
	when[11] = NIB(w, 0);
	when[12] = NIB(w, 1);
	when[13] = ':';
	when[14] = NIB(w, 3);
	when[15] = NIB(w, 4);
	when[16] = ':';
	when[17] = NIB(w, 6);
	when[18] = NIB(w, 7);
	when[19] = '\0';
}

/* Keep the time of q as logged when it could not be packed. */
static void
keep_raw(struct cold *cd, int kind, const struct req *q)
{
	if (!q->when) {
		char when[24];

		when_of(when, q);
		memcpy(cd->raw[kind], when, sizeof(cd->raw[kind]) - 1);
		cd->raw[kind][sizeof(cd->raw[kind]) - 1] = '\0';
	}
}

static void
apply(struct shard *s, const struct req *q, unsigned long base)
{
	struct hot *c;
	struct cold *cd;
	struct csnap sn;
	int idx, decisive = 1;

	if ((idx = client_for(s, q)) < 0) {
		s->n_dropped++;
		return;
	}
	c = &s->hot[idx];
	cd = &s->cold[idx];
	sn.line = base + q->line;
	sn.when = q->when;
	sn.status = q->status;
	sn.sub = q->sub;
	sn.win32 = q->win32;
	sn.authed = q->user_len != 0;
	if (c->n++ == 0) {
		cd->first = sn;
		keep_raw(cd, SN_FIRST, q);
	}
	c->last = sn;
	keep_raw(cd, SN_LAST, q);
	if (sn.status == 401 && !(c->flags & HF_HAVE_401)) {
		c->flags |= HF_HAVE_401;
		cd->first401 = sn;
		keep_raw(cd, SN_FIRST401, q);
	}
	if (sn.status == 401 && sn.sub == 2) {
		c->flags |= HF_SAW_401_2;
		decisive = 0;
	} else if (sn.status == 401 && sn.sub == 1 &&
	    sn.win32 == NTLM_CHALLENGE) {
		c->flags |= HF_NTLM_LEG;
		decisive = c->outcome == OUT_NONE;
	} else if (sn.status >= 200 && sn.status < 300) {
		c->outcome = !sn.authed ? OUT_ANONYMOUS :
		    c->flags & HF_NTLM_LEG ? OUT_NTLM : OUT_KERBEROS;
		c->flags &= ~HF_NTLM_LEG;
	} else if (sn.status == 401) {
		c->outcome = OUT_REJECTED;
		c->flags &= ~HF_NTLM_LEG;
	} else {
		c->outcome = OUT_OTHER;
	}
	if (decisive) {
		c->decisive = sn;
		keep_raw(cd, SN_DECISIVE, q);
	}
}

/*
 * A shard's requests from one block, in order.  With many clients nearly
 * every lookup misses the cache, so the index and client lines of the
 * requests a few places ahead are fetched first.
 */
static void
apply_part(struct shard *s, const struct part *pt, int k)
{
	const struct req *b = pt->q[k];
	size_t i, n = pt->n_q[k];

	for (i = 0; i < n; i++) {
		if (i + 2 * AHEAD < n)
			prefetch_slots(s, &b[i + 2 * AHEAD]);
		if (i + AHEAD < n) {
			prefetch_likely_client(s, &b[i + AHEAD]);
			/* its keys, in a block split a while ago */
			__builtin_prefetch(b[i + AHEAD].ip);
		}
		apply(s, &b[i], pt->base);
	}
}

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

/* Point at a key in the line, cut to what a client keeps of it. */
static void
key_at(const uint8_t **p, uint8_t *n, const struct key *k, size_t max)
{
	*p = k->p;
	*n = (uint8_t)(k->n < max ? k->n : max);
}

static void
request(struct part *pt, const struct key *tok)
{
	static const uint8_t dash[] = "-";
	struct key ip = tok[F_CIP], user = tok[F_USER];
	struct req *q;
	long long st, sub, w32;
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
	/* keys as a client keeps them: ip[64], user[128] */
	if (ip.n > 63)
		ip.n = 63;
	if (user.n > 127)
		user.n = 127;
	{
		uint32_t h_ip = hash_ip(&ip);

		k = (int)SHARD_OF(h_ip);
		if ((q = next_req(pt, k)) == NULL) {
			pt->nomem++;
			return;
		}
		q->h_ip = h_ip;
	}
	q->h_user = user.n ? hash_user(q->h_ip, &user) : 0;
	q->line = (uint32_t)pt->n_lines;
	key_at(&q->ip, &q->ip_len, &ip, 63);
	key_at(&q->user, &q->user_len, &user, 127);
	key_at(&q->date, &q->date_len, &tok[F_DATE], 10);
	key_at(&q->time, &q->time_len, &tok[F_TIME], 8);
	q->when = pack_when(q->date, q->date_len, q->time, q->time_len);
	q->status = (int32_t)st;
	q->sub = sub < 0 ? 0 : (int32_t)sub;
	q->win32 = w32 < 0 ? 0 : (uint32_t)w32;
	if (!pt->first_when[0])
		when_of(pt->first_when, q);
	pt->n_q[k]++;
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
		if (has_prefix(&c, fields)) {
			cur_skip(&c, sizeof(fields) - 1);
			directive_fields(&pt->fmt, &c);
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
		apply_part(&s->shard[k], s->cur[i], k);
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

/* Add a parsed block's counts to the file's, in order. */
static void
count_part(struct iis *s, const struct part *pt)
{
	if (pt->n_long && s->n_long == 0)
		s->first_long = pt->base + pt->first_long;
	s->n_lines += pt->n_lines;
	s->n_relevant += pt->n_relevant;
	s->n_no_fields += pt->n_no_fields;
	s->n_short += pt->n_short;
	s->n_long += pt->n_long;
	s->n_nomem += (unsigned long)pt->nomem;
	if (!s->first_when[0] && pt->first_when[0])
		memcpy(s->first_when, pt->first_when, sizeof(s->first_when));
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
		a->base = s->n_lines;
		b->base = s->n_lines + a->n_lines;
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

/* A snapshot as the report reads it. */
static void
expand(struct snap *out, const struct csnap *sn, const char *raw)
{
	out->line = (unsigned long)sn->line;
	if (sn->when)
		unpack_when(sn->when, out->when);
	else
		snprintf(out->when, sizeof(out->when), "%s", raw);
	out->status = sn->status;
	out->sub = sn->sub;
	out->authed = (int)sn->authed;
	out->win32 = sn->win32;
}

void
iis_client(const struct iis *is, size_t i, struct client *out)
{
	const struct shard *s = &is->shard[is->order[i].shard];
	const struct hot *c = &s->hot[is->order[i].idx];
	const struct cold *cd = &s->cold[is->order[i].idx];
	const uint8_t *k = keys_of(s, c);

	memset(out, 0, sizeof(*out));
	out->ip_len = c->ip_len;
	memcpy(out->ip, k, c->ip_len);
	out->user_len = c->user_len;
	memcpy(out->user, k + c->ip_len, c->user_len);
	out->n = (int)c->n;
	out->outcome = (enum outcome)c->outcome;
	out->ntlm_leg = (c->flags & HF_NTLM_LEG) != 0;
	out->saw_401_2 = (c->flags & HF_SAW_401_2) != 0;
	expand(&out->first, &cd->first, cd->raw[SN_FIRST]);
	if (c->flags & HF_HAVE_401)
		expand(&out->first401, &cd->first401, cd->raw[SN_FIRST401]);
	if (c->decisive.line)
		expand(&out->decisive, &c->decisive, cd->raw[SN_DECISIVE]);
	expand(&out->last, &c->last, cd->raw[SN_LAST]);
}

/* Every shard's clients, in order of their first request. */
static int
merge_shards(struct iis *s)
{
	size_t i[NSHARD] = { 0 }, n = 0, total = 0;
	int k, best;

	for (k = 0; k < NSHARD; k++) {
		total += s->shard[k].n_clients;
		s->n_dropped += s->shard[k].n_dropped;
	}
	if (total && (s->order = calloc(total, sizeof(*s->order))) == NULL)
		return -1;
	while (n < total) {
		best = -1;
		for (k = 0; k < NSHARD; k++)
			if (i[k] < s->shard[k].n_clients && (best < 0 ||
			    s->shard[k].cold[i[k]].first.line <
			    s->shard[best].cold[i[best]].first.line))
				best = k;
		s->order[n].shard = (uint32_t)best;
		s->order[n++].idx = (uint32_t)i[best]++;
	}
	s->n_clients = total;
	return 0;
}

static int
iis_read(const char *path, struct report *r, char *errbuf, size_t errlen)
{
	struct logread lr;
	struct iis s;
	int rc, i, k;

	memset(&s, 0, sizeof(s));
	s.path = path;
	s.base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	s.r = r;
	for (i = 0; i < F__N; i++)
		s.fmt.col[i] = -1;
	if ((rc = logread_open(&lr, path, errbuf, errlen)) != 0)
		return rc;
	s.lr = &lr;
	rc = 0;
	if (threads_start(&s) == 0) {
		logread_progress(&lr, s.base);
		read_blocks(&s);
	} else {
		rc = ERR_NOMEM;
	}
	threads_end(&s);
	if (rc == 0 && merge_shards(&s) != 0)
		rc = ERR_NOMEM;
	if (rc != 0) {
		snprintf(errbuf, errlen, "%s: out of memory", path);
	} else {
		if (s.read_rc < 0)
			iis_note(&s, 0, "%s: %s after line %lu (%s): the rest "
			    "of the file was not read", s.base,
			    s.read_rc == -ERR_NOMEM ? "out of memory" :
			    "read error", s.n_lines, logread_error(&lr));
		iis_finish(&s);
		iis_summary(&s, &lr);
	}
	logread_close(&lr);
	free(s.order);
	for (k = 0; k < NSHARD; k++) {
		free(s.shard[k].hot);
		free(s.shard[k].cold);
		free(s.shard[k].store);
		free(s.shard[k].by_ip.slot);
		free(s.shard[k].by_user.slot);
	}
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
