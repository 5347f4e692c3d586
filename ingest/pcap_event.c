/* pcap_event.c - capture events: the bounded timeline, names of addresses. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ingest_pcap.h"
#include "util.h"

void
pcap_ev_start(struct event *ev, enum ev_type type, const struct pkt_ctx *p,
    const char *peer)
{
	char digits[24], *d = digits + sizeof(digits);
	unsigned long v = p->frame;
	size_t n = p->source ? strlen(p->source) : 0;

	event_init(ev, type);
	ev->t = p->t;
	ev->frame = (int)p->frame;
	*--d = '\0';
	do
		*--d = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	/* "NAME frame %lu", without printf; NAME is at most 40 bytes */
	if (n > 0)
		memcpy(ev->source, p->source, n);
	memcpy(ev->source + n, n ? " frame " : "frame ", n ? 7 : 6);
	n += n ? 7 : 6;
	strlcpy0(ev->source + n, d, sizeof(ev->source) - n);
	strlcpy0(ev->peer, peer, sizeof(ev->peer));
}

/* ---- the timeline's bound (see PCAP_EV_FIRST) ---- */

static uint32_t
fnv_str(uint32_t h, const char *str)
{
	size_t n = strlen(str), i;
	uint64_t x = h ^ ((uint64_t)n << 32), w;

	/* eight bytes at a time */
	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&w, str + i, 8);
		x = (x ^ w) * 0x100000001b3ull;
		x ^= x >> 29;
	}
	w = 0;
	memcpy(&w, str + i, n - i);
	x = (x ^ w) * 0x100000001b3ull;
	x ^= x >> 32;
	return (uint32_t)x * 16777619u;
}

static uint32_t
fnv_int(uint32_t h, long long v)
{
	uint64_t x = ((uint64_t)h << 32 | h) ^ (uint64_t)v;

	x *= 0x9e3779b97f4a7c15ull;
	return (uint32_t)(x >> 32) ^ (uint32_t)x;
}

/* The fields every kind shares: what the engine's rules read. */
static uint32_t
fact_hash(const struct event *e)
{
	uint32_t h = 2166136261u;

	h = fnv_int(h, e->type);
	h = fnv_int(h, e->from * 16 + e->to);
	h = fnv_str(h, e->name);
	h = fnv_str(h, e->realm);
	h = fnv_str(h, e->value);
	h = fnv_int(h, e->qtype);
	h = fnv_int(h, e->rcode);
	h = fnv_int(h, e->status);
	h = fnv_int(h, e->msg_type);
	h = fnv_int(h, e->code);
	h = fnv_int(h, e->etype);
	h = fnv_int(h, e->kvno);
	h = fnv_int(h, e->ntstatus);
	h = fnv_int(h, e->neg_state);
	h = fnv_int(h, e->has_token);
	h = fnv_int(h, (long long)e->major);
	h = fnv_int(h, (long long)e->minor);
	h = fnv_int(h, (long long)e->flags << 16 | (e->port & 0xffff));
	return h;
}

static int
fact_eq(const struct event *a, const struct event *b)
{
	return a->type == b->type && a->from == b->from && a->to == b->to &&
	    a->qtype == b->qtype && a->rcode == b->rcode &&
	    a->status == b->status && a->msg_type == b->msg_type &&
	    a->code == b->code && a->etype == b->etype &&
	    a->kvno == b->kvno && a->ntstatus == b->ntstatus &&
	    a->neg_state == b->neg_state && a->has_token == b->has_token &&
	    a->major == b->major && a->minor == b->minor &&
	    a->flags == b->flags && a->port == b->port &&
	    strcmp(a->name, b->name) == 0 && strcmp(a->realm, b->realm) == 0 &&
	    strcmp(a->value, b->value) == 0;
}

/* Coarse: the fact (h, its fact_hash) without peer and free text. */
static uint32_t
coarse_hash(const struct event *e, uint32_t h)
{
	if (e->type == EV_HTTP_RESPONSE)
		return fnv_str(h, e->text);
	return fnv_int(h, e->text[0] != '\0');
}

static int
coarse_eq(const struct event *a, const struct event *b)
{
	if (!fact_eq(a, b))
		return 0;
	if (a->type == EV_HTTP_RESPONSE)
		return strcmp(a->text, b->text) == 0;
	return (a->text[0] != '\0') == (b->text[0] != '\0');
}

/* Fine: the whole event (h, its fact_hash) but its time and frame (and a
 * KRB-ERROR's stime, which moves with the time). */
static uint32_t
fine_hash(const struct event *e, uint32_t h)
{
	h = fnv_str(fnv_str(fnv_int(h, e->step), e->text), e->peer);
	return fnv_str(fnv_str(fnv_str(h, e->client), e->host), e->uri);
}

static int
fine_eq(const struct event *a, const struct event *b)
{
	return fact_eq(a, b) && a->step == b->step &&
	    strcmp(a->text, b->text) == 0 && strcmp(a->peer, b->peer) == 0 &&
	    strcmp(a->client, b->client) == 0 &&
	    strcmp(a->host, b->host) == 0 && strcmp(a->uri, b->uri) == 0;
}

/* The event like ev in table t (hash h), or -1. */
static long
fold_find(const struct pcap_ingest *s, const struct ev_slot *t, uint32_t h,
    const struct event *ev, int (*eq)(const struct event *,
    const struct event *))
{
	const struct ev_fold *fo = &s->fold;
	size_t i, mask = fo->n_slots - 1;

	if (fo->n_slots == 0)
		return -1;
	for (i = h & mask; t[i].idx1; i = (i + 1) & mask)
		if (t[i].hash == h &&
		    eq(&s->r->events[t[i].idx1 - 1], ev))
			return (long)t[i].idx1 - 1;
	return -1;
}

static void
slot_put(struct ev_slot *t, size_t n_slots, uint32_t h, uint32_t idx1)
{
	size_t i, mask = n_slots - 1;

	for (i = h & mask; t[i].idx1; i = (i + 1) & mask)
		;
	t[i].hash = h;
	t[i].idx1 = idx1;
}

/* Room for one more event in each table; 0 or -1. */
static int
fold_grow(struct ev_fold *fo)
{
	struct ev_slot *nf, *nc;
	size_t i, n;

	if ((fo->n_used + 1) * 2 <= fo->n_slots)
		return 0;
	n = fo->n_slots ? fo->n_slots * 2 : 1024;
	nf = calloc(n, sizeof(*nf));
	nc = calloc(n, sizeof(*nc));
	if (nf == NULL || nc == NULL) {
		free(nf);
		free(nc);
		return -1;
	}
	for (i = 0; i < fo->n_slots; i++) {
		if (fo->fine[i].idx1)
			slot_put(nf, n, fo->fine[i].hash, fo->fine[i].idx1);
		if (fo->coarse[i].idx1)
			slot_put(nc, n, fo->coarse[i].hash,
			    fo->coarse[i].idx1);
	}
	free(fo->fine);
	free(fo->coarse);
	fo->fine = nf;
	fo->coarse = nc;
	fo->n_slots = n;
	return 0;
}

static void
fold_into(struct pcap_ingest *s, long i, const struct event *ev)
{
	struct ev_fold *fo = &s->fold;

	fo->more[i]++;
	if (ev->frame >= 0)
		fo->last[i] = (unsigned long)ev->frame;
	fo->folded++;
}

void
pcap_event(struct pcap_ingest *s, const struct event *ev)
{
	struct ev_fold *fo = &s->fold;
	unsigned t = (unsigned)ev->type;
	uint32_t hf, hc;
	long i;
	int k;

	if (t >= PCAP_EV_KINDS || ev->type == EV_NOTE ||
	    ev->type == EV_CLOCK || ev->type == EV_KDC_UNREACHABLE) {
		/* few, and each one counts */
		report_add_event(s->r, ev);
		return;
	}
	hc = fact_hash(ev);
	hf = fine_hash(ev, hc);
	hc = coarse_hash(ev, hc);
	if (fo->kept[t] >= PCAP_EV_FIRST &&
	    (i = fold_find(s, fo->fine, hf, ev, fine_eq)) >= 0) {
		fold_into(s, i, ev);
		return;
	}
	if (fo->kept[t] >= PCAP_EV_KIND_MAX) {
		if ((i = fold_find(s, fo->coarse, hc, ev, coarse_eq)) >= 0) {
			fold_into(s, i, ev);
			return;
		}
		if (fo->kept[t] >= PCAP_EV_KIND_HARD) {
			fo->dropped[t]++;
			return;
		}
	}
	if (fold_grow(fo) != 0 || (k = report_add_event(s->r, ev)) < 0)
		return;
	if ((size_t)k >= fo->cap) {
		size_t ncap = fo->cap ? fo->cap * 2 : 1024;
		unsigned long *nm, *nl;

		while (ncap <= (size_t)k)
			ncap *= 2;
		if ((nm = realloc(fo->more, ncap * sizeof(*nm))) == NULL)
			return;
		fo->more = nm;
		if ((nl = realloc(fo->last, ncap * sizeof(*nl))) == NULL)
			return;
		fo->last = nl;
		memset(nm + fo->cap, 0, (ncap - fo->cap) * sizeof(*nm));
		memset(nl + fo->cap, 0, (ncap - fo->cap) * sizeof(*nl));
		fo->cap = ncap;
	}
	fo->kept[t]++;
	/* the first event like it stays the one others fold into */
	if (fold_find(s, fo->fine, hf, ev, fine_eq) < 0) {
		slot_put(fo->fine, fo->n_slots, hf, (uint32_t)k + 1);
		fo->n_used++;
	}
	if (fold_find(s, fo->coarse, hc, ev, coarse_eq) < 0)
		slot_put(fo->coarse, fo->n_slots, hc, (uint32_t)k + 1);
}

/* After the last event: each says how many like it were folded in, and a
 * note says the timeline was bounded. */
void
pcap_fold_finish(struct pcap_ingest *s)
{
	struct ev_fold *fo = &s->fold;
	struct report *r = s->r;
	unsigned long dropped = 0;
	struct event ev;
	size_t i;
	int k;

	for (i = 0; i < r->n_events && i < fo->cap; i++)
		if (fo->more[i])
			strappendf(r->events[i].text, sizeof(r->events[i].text),
			    "%s(and %lu more like this, the last in frame %lu)",
			    r->events[i].text[0] ? " " : "", fo->more[i],
			    fo->last[i]);
	for (k = 0; k < PCAP_EV_KINDS; k++)
		dropped += fo->dropped[k];
	if (fo->folded == 0 && dropped == 0)
		return;
	event_init(&ev, EV_NOTE);
	ev.t = s->t_end > 0 ? s->t_end : 0;	/* capture time, never ours */
	strlcpy0(ev.source, s->source, sizeof(ev.source));
	snprintf(ev.text, sizeof(ev.text), "timeline bounded: after the first "
	    "%d events of a kind, %lu repeats of an earlier event (same kind, "
	    "peer and fields at another time; past %d distinct events of a "
	    "kind, the same fact from any peer) are folded into it and "
	    "counted there", PCAP_EV_FIRST, fo->folded, PCAP_EV_KIND_MAX);
	if (dropped) {
		strappendf(ev.text, sizeof(ev.text), "; %lu further events "
		    "not kept (over %d distinct of a kind):", dropped,
		    PCAP_EV_KIND_HARD);
		for (k = 0; k < PCAP_EV_KINDS; k++)
			if (fo->dropped[k])
				strappendf(ev.text, sizeof(ev.text), " %lu %s",
				    fo->dropped[k],
				    event_type_name((enum ev_type)k));
	}
	report_add_event(r, &ev);
}

void
pcap_event_release(struct pcap_ingest *s)
{
	struct ev_fold *fo = &s->fold;

	free(fo->fine);
	free(fo->coarse);
	free(fo->more);
	free(fo->last);
	memset(fo, 0, sizeof(*fo));
}

/* ---- which name the client looked up for an address ---- */

/* The name the client looked up to get addr, "" when none did. */
const char *
pcap_addr_name(const struct pcap_ingest *s, const char *addr)
{
	int i, k;

	/* newest first */
	for (i = 0; i < s->n_names; i++) {
		k = (s->names_next - 1 - i + PCAP_MAX_NAMES) % PCAP_MAX_NAMES;
		if (strcmp(s->names[k].addr, addr) == 0)
			return s->names[k].name;
	}
	return "";
}

void
pcap_addr_name_add(struct pcap_ingest *s, const char *addr, const char *name)
{
	struct addr_name *a = &s->names[s->names_next];

	strlcpy0(a->addr, addr, sizeof(a->addr));
	strlcpy0(a->name, name, sizeof(a->name));
	s->names_next = (s->names_next + 1) % PCAP_MAX_NAMES;
	if (s->n_names < PCAP_MAX_NAMES)
		s->n_names++;
}
