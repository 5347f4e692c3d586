/*
 * iis_clients.c - the IIS reader's clients: find a request's client
 * in its shard (open addressing on the address, and on address and user),
 * follow its CCM_POST story, and hand the clients back in order of their
 * first request.  Each shard is only ever touched by one thread at a time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest_iis.h"

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
apply(struct shard *s, const struct req *q, uint64_t base)
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
	if (c->seen != s->tag) {
		c->seen = s->tag;
		s->n_seen++;
	}
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
void
iis_apply_part(struct shard *s, const struct part *pt, int k)
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

/* A snapshot as the report reads it. */
static void
expand(struct snap *out, const struct csnap *sn, const char *raw)
{
	out->file = (unsigned)(sn->line >> FILE_SHIFT);
	out->line = (unsigned long)(sn->line & LINE_MASK);
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

int
iis_merge_shards(struct iis *s)
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

void
iis_free_shard(struct shard *s)
{
	free(s->hot);
	free(s->cold);
	free(s->store);
	free(s->by_ip.slot);
	free(s->by_user.slot);
	memset(s, 0, sizeof(*s));
}
