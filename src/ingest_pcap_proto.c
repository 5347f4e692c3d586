/* ingest_pcap_proto.c - DNS, Kerberos and HTTP payloads from a capture,
 * turned into the same events the live probes record. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crypto.h"
#include "cursor.h"
#include "dns.h"
#include "error.h"
#include "ingest_pcap.h"
#include "krb.h"
#include "spnego.h"
#include "tokev.h"
#include "util.h"

#define HTTP_HEAD_MAX (64 * 1024)

static void
ev_start(struct event *ev, enum ev_type type, const struct pkt_ctx *p,
    const char *peer)
{
	char digits[24], *d = digits + sizeof(digits);
	unsigned long v = p->frame;

	event_init(ev, type);
	ev->t = p->t;
	ev->frame = (int)p->frame;
	*--d = '\0';
	do
		*--d = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	memcpy(ev->source, "frame ", 6);	/* "frame %lu", without printf */
	strlcpy0(ev->source + 6, d, sizeof(ev->source) - 6);
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
	return fnv_str(fnv_str(fnv_int(h, e->step), e->text), e->peer);
}

static int
fine_eq(const struct event *a, const struct event *b)
{
	return fact_eq(a, b) && a->step == b->step &&
	    strcmp(a->text, b->text) == 0 && strcmp(a->peer, b->peer) == 0;
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
static void
fold_finish(struct pcap_ingest *s)
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
	ev.t = r->n_events ? r->events[r->n_events - 1].t : ev.t;
	strlcpy0(ev.source, "capture", sizeof(ev.source));
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

/* "HTTP/mp.example.com" -> "mp.example.com" */
static void
sname_host(const char *sname, char *host, size_t n)
{
	const char *slash = strchr(sname, '/');

	host[0] = '\0';
	if (slash && slash[1] && strchr(slash + 1, '/') == NULL)
		strlcpy0(host, slash + 1, n);
}

/*
 * Name the MP from the best evidence so far: a later hint replaces an
 * earlier one unless it is weaker (see mp_name_prio).
 */
static void
set_mp_name(struct pcap_ingest *s, const char *name, int prio)
{
	char *r = s->r->mp_name;
	size_t n = sizeof(s->r->mp_name);

	if (!name[0] || prio < s->mp_name_prio)
		return;
	if (name[0] == '[') {		/* Host: [v6]:port */
		strlcpy0(r, name + 1, n);
		r[strcspn(r, "]")] = '\0';
	} else {
		strlcpy0(r, name, n);
		if (strchr(r, ':') == strrchr(r, ':'))
			r[strcspn(r, ":")] = '\0';	/* host:port */
	}
	s->mp_name_prio = prio;
}

/* The name the client looked up to get addr, "" when none did. */
static const char *
addr_name(const struct pcap_ingest *s, const char *addr)
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

static void
addr_name_add(struct pcap_ingest *s, const char *addr, const char *name)
{
	struct addr_name *a = &s->names[s->names_next];

	strlcpy0(a->addr, addr, sizeof(a->addr));
	strlcpy0(a->name, name, sizeof(a->name));
	s->names_next = (s->names_next + 1) % PCAP_MAX_NAMES;
	if (s->n_names < PCAP_MAX_NAMES)
		s->n_names++;
}

static void
http_port_add(struct pcap_ingest *s, uint16_t port)
{
	int i;

	for (i = 0; i < s->n_http_ports; i++)
		if (s->http_ports[i] == port)
			return;
	if (s->n_http_ports < PCAP_MAX_HTTP_PORTS)
		s->http_ports[s->n_http_ports++] = port;
}

/* A port the MP may listen on: the usual ones, or one HTTP was seen on. */
static int
is_mp_port(const struct pcap_ingest *s, uint16_t port)
{
	int i;

	if (port == 80 || port == 443 || port == 8080)
		return 1;
	for (i = 0; i < s->n_http_ports; i++)
		if (s->http_ports[i] == port)
			return 1;
	return 0;
}

/*
 * Is a failed connection to addr port one to the MP?  The port must be one
 * the MP may use; then the connection carried a CCM_POST, or addr is the
 * MP's as far as the capture tells, or the capture names no MP address.
 */
static int
is_mp_conn(const struct pcap_ingest *s, const char *addr, uint16_t port,
    int ccm)
{
	const char *mp = s->r->mp_name;
	int i, known = s->mp_addr[0] != '\0';

	if (!is_mp_port(s, port))
		return 0;
	if (ccm || strcmp(addr, s->mp_addr) == 0)
		return 1;
	for (i = 0; i < s->n_names && mp[0]; i++) {
		if (strcasecmp(s->names[i].name, mp) != 0)
			continue;
		if (strcmp(s->names[i].addr, addr) == 0)
			return 1;
		known = 1;
	}
	return !known;
}

/* ---- Kerberos ---- */

static struct kdc_peer *
kdc_peer(struct pcap_ingest *s, const char *addr)
{
	struct kdc_peer *k;
	int i;

	for (i = 0; i < s->n_kdcs; i++)
		if (strcmp(s->kdcs[i].addr, addr) == 0)
			return &s->kdcs[i];
	if (s->n_kdcs == PCAP_MAX_KDCS)
		return NULL;
	k = &s->kdcs[s->n_kdcs++];
	memset(k, 0, sizeof(*k));
	strlcpy0(k->addr, addr, sizeof(k->addr));
	return k;
}

/* The KDC at addr left something unanswered from t on, unless it already
 * had. */
static struct kdc_peer *
kdc_trouble(struct pcap_ingest *s, const char *addr, double t,
    unsigned long frame)
{
	struct kdc_peer *k = kdc_peer(s, addr);

	if (k && !k->pending && !k->unreach && !k->reset && !k->no_accept) {
		k->t_first = t;
		k->frame_first = frame;
	}
	return k;
}

static void
kdc_request(struct pcap_ingest *s, const struct pkt_ctx *p,
    const struct krb_msg *m, int tcp)
{
	struct kdc_peer *k = kdc_trouble(s, pkt_dst(p), p->t, p->frame);

	if (k == NULL)
		return;
	k->pending++;
	if (m->msg_type == KRB_AS_REQ)
		k->n_as++;
	else
		k->n_tgs++;
	if (tcp)
		k->tcp = 1;
	else
		k->udp = 1;
	if (m->realm[0])
		strlcpy0(k->realm, m->realm, sizeof(k->realm));
}

static void
kdc_answer(struct pcap_ingest *s, const struct pkt_ctx *p)
{
	struct kdc_peer *k = kdc_peer(s, pkt_src(p));
	char realm[sizeof(k->realm)];

	if (k == NULL)
		return;
	strlcpy0(realm, k->realm, sizeof(realm));
	memset(k, 0, sizeof(*k));
	strlcpy0(k->addr, pkt_src(p), sizeof(k->addr));
	strlcpy0(k->realm, realm, sizeof(k->realm));
	k->answered = 1;
	k->t_answer = p->t;
}

void
proto_kdc_refused(struct pcap_ingest *s, const struct pkt_ctx *p,
    const char *addr)
{
	struct kdc_peer *k = kdc_trouble(s, addr, p->t, p->frame);

	if (k)
		k->unreach++;
}

/* The events of one decoded Kerberos message. */
static void
krb_event(struct pcap_ingest *s, const struct pkt_ctx *p,
    const struct krb_msg *m)
{
	struct event ev;

	switch (m->msg_type) {
	case KRB_AS_REQ:
	case KRB_TGS_REQ:
		ev_start(&ev, EV_KRB_REQUEST, p, pkt_dst(p));
		ev.from = ROLE_CLIENT;
		ev.to = ROLE_KDC;
		ev.msg_type = m->msg_type;
		strlcpy0(ev.name, m->sname.text, sizeof(ev.name));
		strlcpy0(ev.realm, m->realm, sizeof(ev.realm));
		pcap_event(s, &ev);
		if (!s->have_client_realm && m->realm[0]) {
			strlcpy0(s->r->client_realm, m->realm,
			    sizeof(s->r->client_realm));
			s->have_client_realm = 1;
		}
		break;
	case KRB_AS_REP:
	case KRB_TGS_REP:
		ev_start(&ev, EV_KRB_REPLY, p, pkt_src(p));
		ev.from = ROLE_KDC;
		ev.to = ROLE_CLIENT;
		ev.msg_type = m->msg_type;
		strlcpy0(ev.name, m->tkt_sname.text, sizeof(ev.name));
		strlcpy0(ev.realm, m->tkt_realm, sizeof(ev.realm));
		ev.etype = m->tkt_etype;
		ev.kvno = m->tkt_kvno;
		pcap_event(s, &ev);
		if (!krb_is_referral(m))
			break;
		ev_start(&ev, EV_KRB_REFERRAL, p, pkt_src(p));
		ev.from = ROLE_KDC;
		ev.to = ROLE_CLIENT;
		strlcpy0(ev.realm, m->tkt_realm, sizeof(ev.realm));
		strlcpy0(ev.value, m->tkt_sname.text + 7, sizeof(ev.value));
		pcap_event(s, &ev);
		break;
	case KRB_ERROR:
		ev_start(&ev, EV_KRB_ERROR, p, pkt_src(p));
		ev.from = ROLE_KDC;
		ev.to = ROLE_CLIENT;
		ev.msg_type = m->msg_type;
		ev.code = m->error_code;
		ev.stime = m->stime;
		if (m->has_ntstatus)
			ev.ntstatus = m->ntstatus;
		strlcpy0(ev.realm, m->realm, sizeof(ev.realm));
		strlcpy0(ev.name, m->sname.text, sizeof(ev.name));
		strlcpy0(ev.text, m->etext, sizeof(ev.text));
		pcap_event(s, &ev);
		if (s->clock_done || m->stime < 0)
			break;
		/* the capture's clock is the client's when captured there */
		s->clock_done = 1;
		ev_start(&ev, EV_CLOCK, p, pkt_src(p));
		ev.from = ROLE_KDC;
		ev.to = ROLE_KDC;
		strlcpy0(ev.name, pkt_src(p), sizeof(ev.name));
		strlcpy0(ev.realm, m->realm, sizeof(ev.realm));
		ev.offset = (double)m->stime + (m->susec >= 0 ? m->susec / 1e6 :
		    0.5) - p->t;
		ev.uncertainty = m->susec >= 0 ? 0.01 : 0.5;
		snprintf(ev.text, sizeof(ev.text), "from the stime of KRB-ERROR "
		    "%d against the capture's timestamp", m->error_code);
		pcap_event(s, &ev);
		break;
	default:
		s->undecoded[UND_NOT_KRB]++;
		break;
	}
}

static void
krb_message(struct pcap_ingest *s, const struct pkt_ctx *p,
    const uint8_t *data, size_t n, int tcp)
{
	struct krb_msg m;
	char host[256];
	int rc = krb_decode(data, n, &m);

	if (rc != 0) {
		s->undecoded[rc == ERR_TRUNCATED ? UND_TRUNCATED :
		    UND_NOT_KRB]++;
		return;
	}
	switch (m.msg_type) {
	case KRB_AS_REQ:
	case KRB_TGS_REQ:
		kdc_request(s, p, &m, tcp);
		/* the service the client wants a ticket for names the MP */
		if (m.msg_type == KRB_TGS_REQ &&
		    strncasecmp(m.sname.text, "HTTP/", 5) == 0) {
			sname_host(m.sname.text, host, sizeof(host));
			set_mp_name(s, host, 2);
		}
		break;
	case KRB_AS_REP:
	case KRB_TGS_REP:
	case KRB_ERROR:
		kdc_answer(s, p);
		break;
	default:
		break;
	}
	krb_event(s, p, &m);
}

static void kpasswd_message(struct pcap_ingest *, const struct pkt_ctx *,
    const uint8_t *, size_t);

/* ---- DNS ---- */

static void
dns_message(struct pcap_ingest *s, const struct pkt_ctx *p,
    const uint8_t *data, size_t n)
{
	struct dns_msg *msg;
	struct event ev;
	int rc, i;

	if ((msg = malloc(sizeof(*msg))) == NULL)
		return;
	rc = dns_decode(data, n, msg);
	if (rc != 0) {
		s->undecoded[rc == ERR_TRUNCATED ? UND_TRUNCATED :
		    UND_NOT_DNS]++;
		free(msg);
		return;
	}
	if (!msg->qr || msg->qtype < 0) {
		free(msg);
		return;		/* the answer carries the question too */
	}
	ev_start(&ev, EV_DNS, p, pkt_src(p));
	ev.from = ROLE_CLIENT;
	ev.to = msg->qtype == 33 ? ROLE_KDC : ROLE_NONE;
	ev.qtype = msg->qtype;
	ev.rcode = msg->rcode;
	ev.status = 0;
	strlcpy0(ev.name, msg->qname, sizeof(ev.name));
	strlcpy0(ev.value, msg->qname, sizeof(ev.value));
	for (i = 0; i < msg->n_an; i++) {
		const struct dns_rr *rr = &msg->an[i];

		if (rr->type == msg->qtype)
			ev.status++;
		if (rr->type == msg->qtype && (rr->type == 1 || rr->type == 28))
			addr_name_add(s, rr->data, msg->qname);
		if (rr->type == 5 && strcasecmp(rr->name, ev.value) == 0)
			strlcpy0(ev.value, rr->data, sizeof(ev.value));
		if (msg->qtype == 12 && rr->type == 12)
			strlcpy0(ev.value, rr->data, sizeof(ev.value));
		strappendf(ev.text, sizeof(ev.text), "%s%s %s",
		    ev.text[0] ? "; " : "", dns_type_name(rr->type) ?
		    dns_type_name(rr->type) : "?", rr->data);
	}
	if (msg->qtype == 12 && ev.status == 0)
		ev.value[0] = '\0';
	pcap_event(s, &ev);
	free(msg);
}

void
proto_udp(struct pcap_ingest *s, const struct pkt_ctx *p,
    const uint8_t *data, size_t n, int truncated)
{
	if (p->sport == 88 || p->dport == 88) {
		if (truncated && n == 0)
			s->undecoded[UND_TRUNCATED]++;
		else
			krb_message(s, p, data, n, 0);
	} else if (p->sport == 464 || p->dport == 464) {
		if (truncated)
			s->undecoded[UND_TRUNCATED]++;
		else
			kpasswd_message(s, p, data, n);
	} else if (p->sport == 53 || p->dport == 53) {
		dns_message(s, p, data, n);
	}
}

/* ---- HTTP and connections ---- */

static void
consume(struct pcap_ingest *s, struct tcp_dir *d, size_t n)
{
	if (n > d->len)
		n = d->len;
	memmove(d->buf, d->buf + n, d->len - n);
	d->len -= n;
	s->buffered -= n;
}

static int
is_token_char(uint8_t ch)
{
	return (ch >= 'A' && ch <= 'Z') || ch == '_' || ch == '-';
}

/* Does buf start like an HTTP/1.x message?  1 yes, 0 no, -1 too short. */
static int
http_start(const uint8_t *buf, size_t len)
{
	size_t i;

	if (len >= 7 && memcmp(buf, "HTTP/1.", 7) == 0)
		return 1;
	for (i = 0; i < len && i < 20; i++) {
		if (buf[i] == ' ' || buf[i] == '\r' || buf[i] == '\n')
			return i > 0;
		if (!is_token_char(buf[i]))
			return 0;
	}
	return i >= 20 ? 0 : -1;
}

/* Length of the header block at buf (its empty line included, CRLF or
 * bare LF), 0 when it has not ended yet. */
static size_t
head_end(const uint8_t *buf, size_t len)
{
	const uint8_t *nl = buf, *end = buf + len;

	while ((nl = memchr(nl, '\n', (size_t)(end - nl))) != NULL) {
		nl++;
		if (nl < end && *nl == '\n')
			return (size_t)(nl - buf) + 1;
		if (nl + 1 < end && nl[0] == '\r' && nl[1] == '\n')
			return (size_t)(nl - buf) + 2;
	}
	return 0;
}

struct http_head {
	int response;
	int status;
	char method[32];
	char uri[512];
	char host[256];
	long long content_length;	/* -1 absent */
	int chunked;
	int negotiate;			/* Authorization: Negotiate */
	char auth_scheme[32];
	uint8_t *token;			/* decoded Authorization token */
	size_t token_len;
	char schemes[256];		/* WWW-Authenticate schemes offered */
	uint8_t *reply_token;		/* WWW-Authenticate: Negotiate token */
	size_t reply_token_len;
	int reply_garbage;
};

static void
head_release(struct http_head *h)
{
	if (h->token)
		crypto_freezero(h->token, h->token_len);
	if (h->reply_token)
		crypto_freezero(h->reply_token, h->reply_token_len);
	h->token = h->reply_token = NULL;
}

static const char *
skip_ws(const char *v)
{
	while (*v == ' ' || *v == '\t')
		v++;
	return v;
}

/* The base64 word after a scheme, decoded; -1 when it is not base64. */
static int
b64_word(const char *v, uint8_t **out, size_t *outlen)
{
	size_t n;

	v = skip_ws(v);
	n = strcspn(v, " \t,");
	if (n == 0)
		return 0;
	return crypto_b64decode(v, n, out, outlen) == 0 ? 1 : -1;
}

static void
www_authenticate(struct http_head *h, const char *v)
{
	char scheme[32];
	size_t n;

	/* schemes and their tokens, comma-separated; params have '=' */
	while (*(v = skip_ws(v))) {
		n = strcspn(v, " \t,");
		if (n > 0 && n < sizeof(scheme) && memchr(v, '=', n) == NULL) {
			memcpy(scheme, v, n);
			scheme[n] = '\0';
			if (strlen(h->schemes) + n + 3 < sizeof(h->schemes))
				strappendf(h->schemes, sizeof(h->schemes),
				    "%s%s", h->schemes[0] ? ", " : "", scheme);
			if (strcasecmp(scheme, "Negotiate") == 0 &&
			    h->reply_token == NULL) {
				int rc = b64_word(v + n, &h->reply_token,
				    &h->reply_token_len);

				if (rc < 0)
					h->reply_garbage = 1;
			}
		}
		v += strcspn(v, ",");
		if (*v == ',')
			v++;
	}
}

static void
header(struct http_head *h, const char *name, const char *v)
{
	if (strcasecmp(name, "Content-Length") == 0) {
		char *end;
		long long cl = strtoll(v, &end, 10);

		h->content_length = end != v && cl >= 0 ? cl : -1;
	} else if (strcasecmp(name, "Transfer-Encoding") == 0) {
		h->chunked = strcasestr(v, "chunked") != NULL;
	} else if (strcasecmp(name, "Host") == 0) {
		strlcpy0(h->host, v, sizeof(h->host));
	} else if (strcasecmp(name, "Authorization") == 0 && !h->response) {
		size_t n = strcspn(v, " \t");

		if (n >= sizeof(h->auth_scheme))
			n = sizeof(h->auth_scheme) - 1;
		memcpy(h->auth_scheme, v, n);
		h->auth_scheme[n] = '\0';
		if (strcasecmp(h->auth_scheme, "Negotiate") == 0) {
			h->negotiate = 1;
			if (h->token == NULL)
				b64_word(v + n, &h->token, &h->token_len);
		}
	} else if (strcasecmp(name, "WWW-Authenticate") == 0 && h->response) {
		www_authenticate(h, v);
	}
}

/* A header header() reads. */
static int
wanted_header(const char *name)
{
	switch (name[0]) {
	case 'C': case 'c': case 'T': case 't': case 'H': case 'h':
	case 'A': case 'a': case 'W': case 'w':
		return strcasecmp(name, "Content-Length") == 0 ||
		    strcasecmp(name, "Transfer-Encoding") == 0 ||
		    strcasecmp(name, "Host") == 0 ||
		    strcasecmp(name, "Authorization") == 0 ||
		    strcasecmp(name, "WWW-Authenticate") == 0;
	default:
		return 0;
	}
}

/* Parse the header block (start line to the empty line); 0 or -1. */
static int
head_parse(const uint8_t *p, size_t n, struct http_head *h)
{
	struct cursor c, line, part;
	char *buf, name[64];
	int found, first = 1;

	memset(h, 0, sizeof(*h));
	h->content_length = -1;
	h->status = -1;
	if ((buf = malloc(n + 1)) == NULL)
		return -1;
	cur_init(&c, p, n);
	while (!cur_empty(&c)) {
		line = cur_line(&c, &found);
		if (cur_empty(&line))
			break;
		if (first) {
			first = 0;
			part = cur_until(&line, ' ', &found);
			cur_str(&part, cur_left(&part), buf, n + 1);
			if (strncmp(buf, "HTTP/1.", 7) == 0) {
				h->response = 1;
				part = cur_until(&line, ' ', &found);
				cur_str(&part, cur_left(&part), buf, n + 1);
				h->status = atoi(buf);
			} else {
				strlcpy0(h->method, buf, sizeof(h->method));
				part = cur_until(&line, ' ', &found);
				cur_str(&part, cur_left(&part), h->uri,
				    sizeof(h->uri));
			}
			continue;
		}
		part = cur_until(&line, ':', &found);
		if (!found)
			continue;
		cur_str(&part, cur_left(&part), name, sizeof(name));
		if (!wanted_header(name))
			continue;	/* its value is not copied */
		cur_str(&line, cur_left(&line), buf, n + 1);
		header(h, name, skip_ws(buf));
	}
	free(buf);
	if (h->response && (h->status < 100 || h->status > 999))
		return -1;
	return 0;
}

/*
 * Length of a whole chunked body at p; 0 when it has not all arrived,
 * -1 when it is not chunked encoding.
 */
static long long
chunked_len(const uint8_t *p, size_t n)
{
	struct cursor c, line;
	char buf[32], *end;
	unsigned long long sz;
	int found;

	cur_init(&c, p, n);
	for (;;) {
		line = cur_line(&c, &found);
		if (!found)
			return 0;
		cur_str(&line, cur_left(&line) < 20 ? cur_left(&line) : 20,
		    buf, sizeof(buf));
		sz = strtoull(buf, &end, 16);
		if (end == buf)
			return -1;
		if (sz == 0)
			break;
		if (sz > PCAP_STREAM_CAP)
			return -1;
		cur_skip(&c, (size_t)sz);
		line = cur_line(&c, &found);
		if (!cur_ok(&c) || !found)
			return 0;
	}
	do {			/* trailers, then the empty line */
		line = cur_line(&c, &found);
		if (!found)
			return 0;
	} while (!cur_empty(&line));
	return (long long)(n - cur_left(&c));
}

static void
http_request(struct pcap_ingest *s, const struct pkt_ctx *p, struct flow *f,
    struct http_head *h)
{
	struct http_pending *q;
	struct gss_tok tok;
	struct event ev;
	char host[256];

	ev_start(&ev, EV_HTTP_REQUEST, p, pkt_dst(p));
	ev.from = ROLE_CLIENT;
	ev.to = ROLE_MP;
	strlcpy0(ev.text, h->method, sizeof(ev.text));
	if (strncmp(h->uri, "http://", 7) == 0 || !h->host[0] ||
	    strcmp(h->method, "CONNECT") == 0)
		strappendf(ev.text, sizeof(ev.text), " %s", h->uri);
	else
		strappendf(ev.text, sizeof(ev.text), " http://%s%s", h->host,
		    h->uri);
	strlcpy0(ev.name, h->auth_scheme, sizeof(ev.name));
	if (h->negotiate && h->token && gss_tok_decode(h->token,
	    h->token_len, &tok) == 0 && tok.krb_tok_id == 0x0100 &&
	    tok.krb.has_ticket)
		strlcpy0(ev.value, tok.krb.tkt_sname.text, sizeof(ev.value));
	pcap_event(s, &ev);
	if (ev.value[0]) {
		struct event t;

		ev_start(&t, EV_TICKET, p, pkt_dst(p));
		t.from = ROLE_CLIENT;
		t.to = ROLE_MP;
		strlcpy0(t.name, tok.krb.tkt_sname.text, sizeof(t.name));
		strlcpy0(t.realm, tok.krb.tkt_realm, sizeof(t.realm));
		t.etype = tok.krb.tkt_etype;
		t.kvno = tok.krb.tkt_kvno;
		pcap_event(s, &t);
		strlcpy0(s->r->mp_realm, t.realm, sizeof(s->r->mp_realm));
		strlcpy0(s->mp_addr, pkt_dst(p), sizeof(s->mp_addr));
	}
	http_port_add(s, p->dport);
	if (h->negotiate || strcmp(h->method, "CCM_POST") == 0) {
		f->conn.ccm = 1;
		sname_host(ev.value, host, sizeof(host));
		set_mp_name(s, h->host[0] ? h->host : host, 3);
	}
	if (f->q_n == PCAP_HTTP_QUEUE) {	/* drop the oldest */
		f->q_head = (f->q_head + 1) % PCAP_HTTP_QUEUE;
		f->q_n--;
	}
	q = &f->q[(f->q_head + f->q_n++) % PCAP_HTTP_QUEUE];
	q->negotiate = h->negotiate;
	q->head = strcmp(h->method, "HEAD") == 0;
	strlcpy0(q->sname, ev.value, sizeof(q->sname));
}

static void
reply_token(struct pcap_ingest *s, const struct pkt_ctx *p,
    const struct http_head *h, const char *sname)
{
	struct event reply, err;
	int has_err;

	ev_start(&reply, EV_SPNEGO_REPLY, p, pkt_src(p));
	ev_start(&err, EV_KRB_ERROR, p, pkt_src(p));
	has_err = tokev_reply(h->reply_token, h->reply_token_len, sname,
	    &reply, &err, NULL);
	pcap_event(s, &reply);
	if (has_err)
		pcap_event(s, &err);
}

static void
http_response(struct pcap_ingest *s, const struct pkt_ctx *p,
    struct flow *f, struct http_head *h)
{
	struct http_pending q = { 0, 0, "" };
	struct event ev;

	http_port_add(s, p->sport);
	if (f->q_n > 0 && h->status >= 200) {
		q = f->q[f->q_head];
		f->q_head = (f->q_head + 1) % PCAP_HTTP_QUEUE;
		f->q_n--;
	}
	ev_start(&ev, EV_HTTP_RESPONSE, p, pkt_src(p));
	ev.from = ROLE_MP;
	ev.to = ROLE_CLIENT;
	ev.status = h->status;
	strlcpy0(ev.text, h->schemes, sizeof(ev.text));
	if (h->reply_garbage)
		strappendf(ev.text, sizeof(ev.text), " (the Negotiate value "
		    "is not base64)");
	if (q.negotiate) {
		strlcpy0(ev.name, "Negotiate", sizeof(ev.name));
		strlcpy0(ev.value, q.sname, sizeof(ev.value));
	}
	ev.has_token = h->reply_garbage ? -1 : h->reply_token != NULL;
	pcap_event(s, &ev);
	if (h->reply_token)
		reply_token(s, p, h, q.sname);
}

static void
http_emit(struct pcap_ingest *s, const struct pkt_ctx *p, struct flow *f,
    struct http_head *h)
{
	if (h->response)
		http_response(s, p, f, h);
	else
		http_request(s, p, f, h);
}

/* "mp.example.com:80" for a connection to addr port. */
static void
conn_name(const struct pcap_ingest *s, const char *addr, unsigned port,
    char *buf, size_t n)
{
	const char *name = addr_name(s, addr);

	if (!name[0])
		name = strcmp(addr, s->mp_addr) == 0 || !s->mp_addr[0] ?
		    s->r->mp_name : "";
	if (!name[0])
		name = addr;
	snprintf(buf, n, strchr(name, ':') ? "[%s]:%u" : "%s:%u", name, port);
}

/*
 * A connection to the MP failed: now when port is known to be one the MP
 * may use, else once the capture shows it is.
 */
static void
conn_fail(struct pcap_ingest *s, const struct pkt_ctx *p, struct flow *f,
    int srv, int status, const char *text)
{
	struct deferred_fail *df;
	struct event ev;
	char addr[48];

	pcap_addr_text(f->af, f->addr[srv], addr, sizeof(addr));
	ev_start(&ev, EV_CONNECT_FAIL, p, addr);
	ev.from = ROLE_CLIENT;
	ev.to = ROLE_MP;
	ev.status = status;
	conn_name(s, addr, f->port[srv], ev.name, sizeof(ev.name));
	strlcpy0(ev.text, text, sizeof(ev.text));
	f->conn.reported = 1;
	if (is_mp_conn(s, addr, f->port[srv], f->conn.ccm)) {
		pcap_event(s, &ev);
	} else if (s->n_deferred < PCAP_MAX_DEFERRED) {
		df = &s->deferred[s->n_deferred++];
		df->port = f->port[srv];
		df->ccm = f->conn.ccm;
		df->ev = ev;
	}
}

/* The MP's response header did not end within what we keep of it. */
static void
head_overflow(struct pcap_ingest *s, const struct pkt_ctx *p,
    struct flow *f, const struct tcp_dir *d)
{
	char text[128];

	if (f->conn.reported)
		return;
	snprintf(text, sizeof(text), "HTTP response header exceeds %d bytes "
	    "(%zu bytes without its end)", HTTP_HEAD_MAX, d->len);
	conn_fail(s, p, f, d == &f->dir[1], CONN_PROTOCOL, text);
}

void
proto_conn_open(struct pcap_ingest *s, const struct pkt_ctx *p,
    struct flow *f)
{
	(void)f;
	/* the name the client resolved to reach the MP */
	if (s->mp_name_prio < 1 && is_mp_port(s, p->dport))
		set_mp_name(s, addr_name(s, pkt_dst(p)), 1);
}

/* The KDC at addr did not accept a TCP connection to port 88. */
static void
kdc_no_accept(struct pcap_ingest *s, const char *addr, const struct flow *f)
{
	struct kdc_peer *k = kdc_trouble(s, addr, f->conn.t_syn,
	    f->conn.frame_syn);

	if (k == NULL)
		return;
	if (f->conn.refused == 2)
		k->unreach++;
	else if (f->conn.refused)
		k->reset++;
	else
		k->no_accept++;
}

void
proto_conn_end(struct pcap_ingest *s, const struct pkt_ctx *p,
    struct flow *f)
{
	const struct tcp_conn *k = &f->conn;
	const struct tcp_dir *d;
	char addr[48], text[256];
	int srv = !k->client;
	unsigned port = f->port[srv];
	const char *how = k->closed_by < 0 ? "by the end of the capture" :
	    k->closed_by == srv ? "when the server closed the connection" :
	    "when the client gave up";

	if (!k->syn_seen || k->reported)
		return;
	pcap_addr_text(f->af, f->addr[srv], addr, sizeof(addr));
	if (port == 88) {
		/* a request over it, unanswered, is already counted */
		if (!k->established)
			kdc_no_accept(s, addr, f);
		return;
	}
	if (port == 53)
		return;
	d = &f->dir[srv];
	if (!k->established && k->refused) {
		snprintf(text, sizeof(text), "the SYN to port %u was answered "
		    "by %s", port, k->refused == 2 ? "ICMP destination "
		    "unreachable" : "a TCP reset");
		conn_fail(s, p, f, srv, CONN_REFUSED, text);
	} else if (k->closed_by != srv && (k->waiting || !k->established) &&
	    p->t - (k->established ? k->t_wait : k->t_syn) < 1.0) {
		/* the capture stopped, or the client moved on, too soon to
		 * call it a timeout */
		return;
	} else if (!k->established) {
		snprintf(text, sizeof(text), "%d SYN%s to port %u, no answer "
		    "%s (%.1f s after the first)", k->syns, k->syns == 1 ? "" :
		    "s", port, how, p->t - k->t_syn);
		conn_fail(s, p, f, srv, CONN_TIMEOUT, text);
	} else if (k->waiting && k->closed_by == srv) {
		snprintf(text, sizeof(text), "the server %s the connection "
		    "%.1f s after the request without a byte of reply",
		    k->closed_rst ? "reset" : "closed", p->t - k->t_wait);
		conn_fail(s, p, f, srv, CONN_PROTOCOL, text);
	} else if (k->waiting) {
		snprintf(text, sizeof(text), "no byte of reply %s, %.1f s "
		    "after the request (frame %lu)", how, p->t - k->t_wait,
		    k->frame_wait);
		conn_fail(s, p, f, srv, CONN_TIMEOUT, text);
	} else if (k->closed_by >= 0 && d->kind == APP_HTTP && d->len >= 7 &&
	    memcmp(d->buf, "HTTP/1.", 7) == 0 &&
	    memmem(d->buf, d->len, "\r\n\r\n", 4) == NULL) {
		snprintf(text, sizeof(text), "the HTTP response header had not "
		    "ended after %zu bytes %s", d->len, how);
		conn_fail(s, p, f, srv, CONN_PROTOCOL, text);
	}
}

/* A message head read before its body's end: reported when that comes. */
struct http_held {
	struct http_head h;
};

static void
hold(struct tcp_dir *d, struct http_head *h)
{
	struct http_held *k;

	if ((k = malloc(sizeof(*k))) == NULL) {
		head_release(h);
		return;
	}
	k->h = *h;		/* takes the tokens */
	d->held = k;
}

void
proto_dir_lost(struct pcap_ingest *s, struct flow *f, int side)
{
	struct tcp_dir *d = &f->dir[side];
	struct http_held *k = d->held;

	if (k == NULL)
		return;
	/* like tshark, which shows no message it could not reassemble */
	s->undecoded[UND_TRUNCATED]++;
	head_release(&k->h);
	free(k);
	d->held = NULL;
}

/* The held message's end came with p. */
static void
held_done(struct pcap_ingest *s, const struct pkt_ctx *p, struct flow *f,
    struct tcp_dir *d)
{
	struct http_held *k = d->held;

	d->has_msg_end = 0;
	if (k == NULL)
		return;
	d->held = NULL;
	http_emit(s, p, f, &k->h);
	head_release(&k->h);
	free(k);
}

void
proto_tcp_fin(struct pcap_ingest *s, const struct pkt_ctx *p,
    struct flow *f, int side)
{
	struct tcp_dir *d = &f->dir[side];

	if (d->until_fin) {
		d->until_fin = 0;
		held_done(s, p, f, d);
	}
}

/* One message off the front of d, if it is all there; 0 to wait. */
static int
http_step(struct pcap_ingest *s, const struct pkt_ctx *p, struct flow *f,
    struct tcp_dir *d)
{
	struct http_head h;
	size_t hlen;
	uint32_t seq0 = d->next - (uint32_t)d->len;	/* of d->buf[0] */
	long long blen = 0;
	int st;

	if (d->until_fin) {
		consume(s, d, d->len);
		return 0;
	}
	if (d->len == 0)
		return 0;
	if ((st = http_start(d->buf, d->len)) <= 0) {
		if (st == 0) {
			if (!d->resync)
				s->undecoded[UND_NOT_HTTP]++;
			d->resync = 1;
			consume(s, d, d->len);
		}
		return 0;
	}
	d->resync = 0;
	if ((hlen = head_end(d->buf, d->len)) == 0) {
		if (d->len > HTTP_HEAD_MAX) {
			if (memcmp(d->buf, "HTTP/1.", 7) == 0)
				head_overflow(s, p, f, d);
			s->undecoded[UND_NOT_HTTP]++;
			d->resync = 1;
			consume(s, d, d->len);
		}
		return 0;
	}
	if (head_parse(d->buf, hlen, &h) != 0) {
		s->undecoded[UND_NOT_HTTP]++;
		d->resync = 1;
		consume(s, d, d->len);
		return 0;
	}
	if (h.response && (h.status < 200 || h.status == 204 ||
	    h.status == 304 || (f->q_n > 0 && f->q[f->q_head].head))) {
		blen = 0;
	} else if (h.chunked) {
		blen = chunked_len(d->buf + hlen, d->len - hlen);
		if (blen == 0 && d->len < PCAP_STREAM_CAP / 2) {
			head_release(&h);
			return 0;	/* wait for the last chunk */
		}
		if (blen <= 0) {
			/* emit now, find the next message later */
			http_emit(s, p, f, &h);
			head_release(&h);
			d->resync = 1;
			consume(s, d, d->len);
			return 0;
		}
	} else if (h.content_length >= 0) {
		blen = h.content_length;
		if ((size_t)blen > d->len - hlen) {
			/*
			 * Reported with the segment that ends the body, as
			 * tshark does; the body itself is not kept.
			 */
			consume(s, d, hlen);
			hold(d, &h);
			d->skip = (size_t)blen;
			if (blen < 0x40000000) {
				d->msg_end = seq0 + (uint32_t)(hlen +
				    (size_t)blen);
				d->has_msg_end = 1;
			}
			return d->len > 0;
		}
	} else if (h.response) {
		/* the body runs to the FIN: reported with it */
		consume(s, d, d->len);
		hold(d, &h);
		d->until_fin = 1;
		return 0;
	}
	http_emit(s, p, f, &h);
	head_release(&h);
	consume(s, d, hlen + (size_t)blen);
	return d->len > 0;
}

/* kpasswd (RFC 3244), after any TCP record mark: its AP-REQ, or the
 * KRB-ERROR of a failed change. */
static void
kpasswd_message(struct pcap_ingest *s, const struct pkt_ctx *p,
    const uint8_t *data, size_t n)
{
	struct cursor c;
	struct krb_msg m;
	struct event ev;
	uint16_t len, ver, aplen;

	/* a bare KRB-ERROR, as some servers send */
	if (n > 0 && data[0] == 0x7e) {
		if (krb_decode(data, n, &m) == 0 && m.msg_type == KRB_ERROR)
			krb_event(s, p, &m);
		else
			s->undecoded[UND_NOT_KRB]++;
		return;
	}
	cur_init(&c, data, n);
	len = cur_be16(&c);
	ver = cur_be16(&c);
	aplen = cur_be16(&c);
	if (!cur_ok(&c) || len != n || (ver != 1 && ver != 0xff80) ||
	    aplen > cur_left(&c)) {
		s->undecoded[UND_NOT_KRB]++;
		return;
	}
	if (aplen > 0 && krb_decode(cur_bytes(&c, aplen), aplen, &m) == 0 &&
	    m.msg_type == KRB_AP_REQ && m.has_ticket) {
		/* the client presents its kadmin/changepw ticket */
		ev_start(&ev, EV_TICKET, p, pkt_dst(p));
		ev.from = ROLE_CLIENT;
		ev.to = ROLE_KDC;
		strlcpy0(ev.name, m.tkt_sname.text, sizeof(ev.name));
		strlcpy0(ev.realm, m.tkt_realm, sizeof(ev.realm));
		ev.etype = m.tkt_etype;
		ev.kvno = m.tkt_kvno;
		pcap_event(s, &ev);
		return;
	}
	if (aplen == 0 && cur_left(&c) > 0 &&
	    krb_decode(c.ptr, cur_left(&c), &m) == 0 &&
	    m.msg_type == KRB_ERROR) {
		krb_event(s, p, &m);
		return;
	}
	if (aplen > 0) {
		/* AP-REP and KRB-PRIV (or AP-REQ without a ticket we read):
		 * encrypted, nothing to report */
		cur_skip(&c, aplen);
		if (cur_left(&c) > 0 && c.ptr[0] == 0x7e &&
		    krb_decode(c.ptr, cur_left(&c), &m) == 0 &&
		    m.msg_type == KRB_ERROR)
			krb_event(s, p, &m);
		return;
	}
	s->undecoded[UND_NOT_KRB]++;
}

/* Length-prefixed records: Kerberos (4 bytes) and DNS (2 bytes) on TCP. */
static int
record_step(struct pcap_ingest *s, const struct pkt_ctx *p,
    struct tcp_dir *d)
{
	struct cursor c;
	size_t hl = d->kind == APP_DNS ? 2 : 4, n;
	uint32_t seq0 = d->next - (uint32_t)d->len;

	if (d->len < hl)
		return 0;
	cur_init(&c, d->buf, d->len);
	n = hl == 4 ? cur_be32(&c) & 0x7fffffff : cur_be16(&c);
	if (n > PCAP_STREAM_CAP - hl) {
		s->undecoded[d->kind == APP_DNS ? UND_NOT_DNS : UND_NOT_KRB]++;
		d->kind = APP_NONE;
		consume(s, d, d->len);
		return 0;
	}
	if (d->len < hl + n) {
		d->msg_end = seq0 + (uint32_t)(hl + n);
		d->has_msg_end = 1;
		return 0;
	}
	d->has_msg_end = 0;
	if (d->kind == APP_KRB)
		krb_message(s, p, cur_bytes(&c, n), n, 1);
	else if (d->kind == APP_KPASSWD)
		kpasswd_message(s, p, cur_bytes(&c, n), n);
	else
		dns_message(s, p, cur_bytes(&c, n), n);
	consume(s, d, hl + n);
	return d->len > 0;
}

void
proto_tcp(struct pcap_ingest *s, const struct pkt_ctx *p, struct flow *f,
    int side)
{
	struct tcp_dir *d = &f->dir[side];
	int more, st;

	if (d->kind == APP_UNKNOWN) {
		if (p->sport == 88 || p->dport == 88) {
			d->kind = APP_KRB;
		} else if (p->sport == 464 || p->dport == 464) {
			d->kind = APP_KPASSWD;
		} else if (p->sport == 53 || p->dport == 53) {
			d->kind = APP_DNS;
		} else if ((st = http_start(d->buf, d->len)) > 0) {
			d->kind = APP_HTTP;
		} else if (st == 0 && d->started && !d->resync) {
			d->kind = APP_NONE;
		} else if (st == 0) {
			/* the stream's start was not seen, or a hole: a
			 * message may start with a later segment */
			consume(s, d, d->len);
			return;
		} else {
			return;
		}
	}
	if (d->kind == APP_NONE) {
		consume(s, d, d->len);
		return;
	}
	do {
		if (d->skip) {
			/* the body (or lost message) being passed over */
			size_t k = d->skip < d->len ? d->skip : d->len;

			consume(s, d, k);
			d->skip -= k;
			if (d->skip == 0)
				held_done(s, p, f, d);
			more = d->len > 0;
		} else if (d->kind == APP_HTTP) {
			more = http_step(s, p, f, d);
		} else {
			more = record_step(s, p, d);
		}
	} while (more && d->kind != APP_NONE);
}

/* ---- end of capture ---- */

static void
reverse_v4(const char *addr, char *out, size_t n)
{
	unsigned a, b, c, d;

	out[0] = '\0';
	if (sscanf(addr, "%u.%u.%u.%u", &a, &b, &c, &d) == 4)
		snprintf(out, n, "%u.%u.%u.%u.in-addr.arpa", d, c, b, a);
}

static const char *
plural(unsigned n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/*
 * A KDC that left requests unanswered to the end, unless another KDC of
 * the same realm answered after them (the client failed over).
 */
static void
kdc_unreachable(struct pcap_ingest *s, const struct kdc_peer *k)
{
	struct event ev;
	const char *sep = "";
	int i;

	if (!k->pending && !k->unreach && !k->reset && !k->no_accept)
		return;
	for (i = 0; i < s->n_kdcs; i++) {
		const struct kdc_peer *o = &s->kdcs[i];

		if (o != k && o->answered && o->t_answer > k->t_first &&
		    k->realm[0] && strcasecmp(o->realm, k->realm) == 0)
			return;
	}
	event_init(&ev, EV_KDC_UNREACHABLE);
	ev.t = k->t_first;
	ev.frame = (int)k->frame_first;
	snprintf(ev.source, sizeof(ev.source), "frame %lu", k->frame_first);
	strlcpy0(ev.peer, k->addr, sizeof(ev.peer));
	ev.from = ROLE_CLIENT;
	ev.to = ROLE_KDC;
	strlcpy0(ev.realm, k->realm[0] ? k->realm : s->r->client_realm,
	    sizeof(ev.realm));
	if (k->pending) {
		snprintf(ev.text, sizeof(ev.text), "%u %s over %s to %s port 88 "
		    "got no answer by the end of the capture", k->pending,
		    k->n_as == k->pending ?
		    plural(k->pending, "AS-REQ", "AS-REQs") :
		    k->n_tgs == k->pending ? plural(k->pending, "TGS-REQ",
		    "TGS-REQs") : "Kerberos requests", k->udp && k->tcp ?
		    "UDP and TCP" : k->tcp ? "TCP" : "UDP", k->addr);
		sep = "; ";
	}
	if (k->unreach) {
		strappendf(ev.text, sizeof(ev.text), "%s%u ICMP destination "
		    "unreachable from %s for port 88", sep, k->unreach, k->addr);
		sep = "; ";
	}
	if (k->reset) {
		strappendf(ev.text, sizeof(ev.text), "%s%u TCP %s to %s port 88 "
		    "refused (reset)", sep, k->reset, plural(k->reset,
		    "connection", "connections"), k->addr);
		sep = "; ";
	}
	if (k->no_accept)
		strappendf(ev.text, sizeof(ev.text), "%s%u TCP %s to %s port 88 "
		    "never answered", sep, k->no_accept, plural(k->no_accept,
		    "connection", "connections"), k->addr);
	pcap_event(s, &ev);
}

void
proto_finish(struct pcap_ingest *s)
{
	static const char *const why[UND__COUNT] = {
		"truncated", "malformed IP/UDP/TCP", "unsupported link type",
		"not IP", "IP fragment", "not Kerberos on port 88",
		"not DNS on port 53", "not HTTP after an HTTP start",
		"flow table full", "TCP bytes dropped (gap or cap)",
		"tunnel payload not read",
	};
	struct report *r = s->r;
	struct event ev;
	char rev[80];
	unsigned long total = 0;
	size_t i;
	int k;

	for (k = 0; k < s->n_deferred; k++) {
		const struct deferred_fail *df = &s->deferred[k];

		if (is_mp_conn(s, df->ev.peer, df->port, df->ccm))
			pcap_event(s, &df->ev);
	}
	for (k = 0; k < s->n_kdcs; k++)
		kdc_unreachable(s, &s->kdcs[k]);
	/* like the live probe, name the MP by its canonical (CNAME-followed)
	 * name when the name the client used is an alias */
	for (i = 0; i < r->n_events && r->mp_name[0]; i++) {
		const struct event *e = &r->events[i];

		if (e->type == EV_DNS && (e->qtype == 1 || e->qtype == 28) &&
		    e->rcode == 0 && e->status > 0 && e->value[0] &&
		    strcasecmp(e->name, r->mp_name) == 0 &&
		    strcasecmp(e->value, e->name) != 0) {
			strlcpy0(r->mp_name, e->value, sizeof(r->mp_name));
			break;
		}
	}
	reverse_v4(s->mp_addr, rev, sizeof(rev));
	for (i = 0; i < r->n_events; i++) {
		struct event *e = &r->events[i];

		if (e->type != EV_DNS || e->step != -1)
			continue;
		if ((e->qtype == 1 || e->qtype == 28) && r->mp_name[0] &&
		    (strcasecmp(e->name, r->mp_name) == 0 ||
		    strcasecmp(e->value, r->mp_name) == 0))
			e->to = ROLE_MP;
		if (e->qtype == 12 && rev[0] && strcasecmp(e->name, rev) == 0)
			e->to = ROLE_MP;
	}
	fold_finish(s);
	for (k = 0; k < UND__COUNT; k++)
		total += s->undecoded[k];
	if (total == 0)
		return;
	event_init(&ev, EV_NOTE);
	ev.t = r->n_events ? r->events[r->n_events - 1].t : ev.t;
	strlcpy0(ev.source, "capture", sizeof(ev.source));
	snprintf(ev.text, sizeof(ev.text), "%lu frame%s not decoded:", total,
	    total == 1 ? "" : "s");
	for (k = 0; k < UND__COUNT; k++)
		if (s->undecoded[k])
			strappendf(ev.text, sizeof(ev.text), "%s %lu %s",
			    ev.text[strlen(ev.text) - 1] == ':' ? "" : ",",
			    s->undecoded[k], why[k]);
	report_add_event(r, &ev);
}
