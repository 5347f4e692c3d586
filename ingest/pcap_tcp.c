/* pcap_tcp.c - TCP flows: reassembly and how each connection went. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "ingest_pcap.h"

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_ACK 0x10

static uint32_t
addr_port_hash(const uint8_t a[16], uint16_t port)
{
	uint32_t w[4];
	uint64_t h;

	memcpy(w, a, 16);
	h = ((uint64_t)(w[0] ^ w[2]) << 32 | (w[1] ^ w[3])) ^ port;
	h *= 0x9e3779b97f4a7c15ull;
	return (uint32_t)(h >> 32);
}

static uint32_t
flow_hash(int af, const uint8_t a[16], const uint8_t b[16], uint16_t pa,
    uint16_t pb)
{
	/* symmetric: both directions land in one bucket */
	uint32_t h = (addr_port_hash(a, pa) + addr_port_hash(b, pb)) ^
	    (uint32_t)af;

	return (h ^ (h >> 15)) * 0x2c1b3c6du;
}

static void
dir_clear(struct pcap_ingest *s, struct tcp_dir *d)
{
	int i;

	for (i = 0; i < d->n_pend; i++) {
		s->buffered -= d->pend[i].len;
		free(d->pend[i].data);
	}
	d->n_pend = 0;
	s->buffered -= d->len;
	d->len = 0;
}

static void
dir_release(struct pcap_ingest *s, struct tcp_dir *d)
{
	dir_clear(s, d);
	free(d->buf);
	d->buf = NULL;
	d->cap = 0;
}

/*
 * Make room when the table is full: free every connection that has ended
 * or been idle PCAP_FLOW_IDLE seconds of capture time (judged as if the
 * capture ended now: an open connection that failed still says so), or
 * failing that the one idle longest.  So the table stays bounded and a
 * long capture's old connections never keep its new ones out.
 */
static void
flow_evict(struct pcap_ingest *s, const struct pkt_ctx *p)
{
	struct flow *f, *next, *lru = NULL;
	size_t i, freed = 0;

	for (i = 0; i < s->n_buckets; i++)
		for (f = s->buckets[i]; f; f = next) {
			next = f->next;
			if (!f->ended &&
			    fabs(p->t - f->t_last) < PCAP_FLOW_IDLE) {
				if (lru == NULL || f->t_last < lru->t_last)
					lru = f;
				continue;
			}
			if (!f->ended)
				proto_conn_end(s, p, f);
			pcap_flow_free(s, f);
			freed++;
		}
	if (freed == 0 && lru != NULL) {
		proto_conn_end(s, p, lru);
		pcap_flow_free(s, lru);
	}
}

/* The flow of a packet src -> dst, created when create is set. */
static struct flow *
flow_get(struct pcap_ingest *s, const struct pkt_ctx *p, int af,
    const uint8_t src[16], const uint8_t dst[16], uint16_t sport,
    uint16_t dport, int create, int *side)
{
	uint32_t h = flow_hash(af, src, dst, sport, dport);
	struct flow *f, **b = &s->buckets[h & (s->n_buckets - 1)];

	for (f = *b; f; f = f->next) {
		if (f->af != af)
			continue;
		if (f->port[0] == sport && f->port[1] == dport &&
		    memcmp(f->addr[0], src, 16) == 0 &&
		    memcmp(f->addr[1], dst, 16) == 0) {
			*side = 0;
			return f;
		}
		if (f->port[1] == sport && f->port[0] == dport &&
		    memcmp(f->addr[1], src, 16) == 0 &&
		    memcmp(f->addr[0], dst, 16) == 0) {
			*side = 1;
			return f;
		}
	}
	if (create && s->n_flows >= PCAP_MAX_FLOWS)
		flow_evict(s, p);
	if (!create || s->n_flows >= PCAP_MAX_FLOWS ||
	    (f = calloc(1, sizeof(*f))) == NULL)
		return NULL;
	f->af = af;
	memcpy(f->addr[0], src, 16);
	memcpy(f->addr[1], dst, 16);
	f->port[0] = sport;
	f->port[1] = dport;
	f->conn.closed_by = -1;
	f->conn.id = ++s->n_conns;
	f->t_last = p->t;
	f->next = *b;
	*b = f;
	s->n_flows++;
	*side = 0;
	return f;
}

void
pcap_flow_free(struct pcap_ingest *s, struct flow *f)
{
	struct flow **pp;
	uint32_t h = flow_hash(f->af, f->addr[0], f->addr[1], f->port[0],
	    f->port[1]);

	for (pp = &s->buckets[h & (s->n_buckets - 1)]; *pp; pp = &(*pp)->next)
		if (*pp == f) {
			*pp = f->next;
			break;
		}
	proto_dir_lost(s, f, 0);
	proto_dir_lost(s, f, 1);
	dir_release(s, &f->dir[0]);
	dir_release(s, &f->dir[1]);
	if (f->ended)
		s->n_ended--;
	free(f);
	s->n_flows--;
}

/* Append in-order bytes; on overflow drop what is buffered and resync. */
static void
dir_append(struct pcap_ingest *s, struct tcp_dir *d, const uint8_t *p,
    size_t n)
{
	uint8_t *nb;
	size_t ncap;

	d->next += (uint32_t)n;
	if (d->kind == APP_NONE)
		return;
	if (d->len + n > PCAP_STREAM_CAP ||
	    s->buffered + n > PCAP_MAX_FLOWS / 16 * (size_t)PCAP_STREAM_CAP) {
		count(s, UND_STREAM);
		dir_clear(s, d);
		d->resync = 1;
		if (n > PCAP_STREAM_CAP)
			return;
	}
	if (d->len + n > d->cap) {
		ncap = d->cap ? d->cap : 4096;
		while (ncap < d->len + n)
			ncap *= 2;
		if ((nb = realloc(d->buf, ncap)) == NULL) {
			count(s, UND_STREAM);
			return;
		}
		d->buf = nb;
		d->cap = ncap;
	}
	memcpy(d->buf + d->len, p, n);
	d->len += n;
	s->buffered += n;
}

/* Is a after b in sequence space? */
static int32_t
seq_diff(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

/*
 * The bytes of side before seq will not come: drop what waits for them
 * and go on at seq.  A message the hole falls in is lost, and when its end
 * is known the next one starts there; otherwise reading resumes at the
 * next segment that starts a message.
 */
static void
dir_hole(struct pcap_ingest *s, struct flow *f, int side, uint32_t seq)
{
	struct tcp_dir *d = &f->dir[side];

	count(s, UND_STREAM);
	s->buffered -= d->len;
	d->len = 0;
	proto_dir_lost(s, f, side);
	if (d->has_msg_end && !d->until_fin &&
	    seq_diff(d->msg_end, seq) > 0) {
		d->skip = d->msg_end - seq;
		d->resync = 0;
	} else {
		d->skip = 0;
		d->has_msg_end = 0;
		d->resync = 1;
	}
	d->next = seq;
}

/* Grow run g by n bytes at its end. */
static int
run_grow(struct tcp_seg *g, const uint8_t *data, size_t n)
{
	uint8_t *nb;
	size_t ncap;

	if (g->len + n > g->cap) {
		ncap = g->cap ? g->cap : 4096;
		while (ncap < g->len + n)
			ncap *= 2;
		if ((nb = realloc(g->data, ncap)) == NULL)
			return 0;
		g->data = nb;
		g->cap = ncap;
	}
	memcpy(g->data + g->len, data, n);
	g->len += n;
	return 1;
}

/*
 * Hold a segment that came past a hole.  One that continues a held run
 * joins it, and a run it now meets joins in turn, so a whole burst after
 * one lost segment (tshark waits for any number of them) takes one of the
 * PCAP_MAX_PENDING slots, each run at most PCAP_STREAM_CAP bytes.
 */
static int
pend_add(struct pcap_ingest *s, struct tcp_dir *d, uint32_t seq,
    const uint8_t *data, size_t n)
{
	struct tcp_seg *g = NULL, *h;
	int i, last;

	if (n > PCAP_STREAM_CAP)
		return 0;
	for (i = 0; i < d->n_pend; i++)
		if (d->pend[i].seq + (uint32_t)d->pend[i].len == seq &&
		    d->pend[i].len + n <= PCAP_STREAM_CAP) {
			g = &d->pend[i];
			break;
		}
	if (g == NULL) {
		if (d->n_pend >= PCAP_MAX_PENDING)
			return 0;
		g = &d->pend[d->n_pend];
		memset(g, 0, sizeof(*g));
		g->seq = seq;
		if (!run_grow(g, data, n)) {
			free(g->data);
			return 0;
		}
		d->n_pend++;
	} else if (!run_grow(g, data, n)) {
		return 0;
	}
	s->buffered += n;
	for (i = 0; i < d->n_pend; i++) {
		h = &d->pend[i];
		if (h == g || h->seq != g->seq + (uint32_t)g->len ||
		    g->len + h->len > PCAP_STREAM_CAP ||
		    !run_grow(g, h->data, h->len))
			continue;
		free(h->data);
		last = --d->n_pend;
		*h = d->pend[last];	/* g itself may be the one moved */
		break;
	}
	return 1;
}

/* Bytes a segment starts behind the next expected one, off <= 0: -off
 * without negating INT32_MIN (a segment 2^31 bytes behind). */
static size_t
behind(int32_t off)
{
	return (size_t)(0u - (uint32_t)off);
}

static void
tcp_segment(struct pcap_ingest *s, const struct pkt_ctx *p, struct flow *f,
    int side, uint32_t seq, const uint8_t *data, size_t n)
{
	struct tcp_dir *d = &f->dir[side];
	int32_t off;
	int i, progress;

	if (!d->have_next) {
		d->next = seq;
		d->have_next = 1;
	}
	off = seq_diff(seq, d->next);
	if (off > 0 && n > 0) {
		/*
		 * A hole.  Inside a message of known length the segment waits
		 * for it; anywhere else, like tshark, it is read now and the
		 * hole's bytes never are.
		 */
		if (((d->has_msg_end && seq_diff(seq, d->msg_end) < 0) ||
		    d->until_fin) && pend_add(s, d, seq, data, n))
			return;
		dir_hole(s, f, side, seq);
		off = 0;
	}
	if (n > 0 && off <= 0 && behind(off) < n) {
		size_t k = n - behind(off);

		if (d->len == 0 && d->skip > k && d->kind != APP_UNKNOWN &&
		    d->kind != APP_NONE) {
			/* inside a body (or lost message) being passed over,
			 * not its end: nothing to keep or read */
			d->next += (uint32_t)k;
			d->skip -= k;
		} else {
			dir_append(s, d, data + behind(off), k);
			proto_tcp(s, p, f, side);
		}
	}
	/* segments that arrived early may now fit */
	do {
		progress = 0;
		for (i = 0; i < d->n_pend; i++) {
			struct tcp_seg g = d->pend[i];

			off = seq_diff(g.seq, d->next);
			if (off > 0)
				continue;
			d->pend[i] = d->pend[--d->n_pend];
			s->buffered -= g.len;
			if (behind(off) < g.len) {
				dir_append(s, d, g.data + behind(off),
				    g.len - behind(off));
				proto_tcp(s, p, f, side);
			}
			free(g.data);
			progress = 1;
			break;
		}
	} while (progress);
}

/*
 * The peer acknowledged bytes of d we never saw: the hole before the
 * segments held back will not fill, so drop it and go on after it.
 */
static void
skip_lost(struct pcap_ingest *s, const struct pkt_ctx *p, struct flow *f,
    int side, uint32_t ack)
{
	struct tcp_dir *d = &f->dir[side];
	uint32_t lo;
	int i;

	if (!d->have_next || d->n_pend == 0 || seq_diff(ack, d->next) <= 0)
		return;
	lo = d->pend[0].seq;
	for (i = 1; i < d->n_pend; i++)
		if (seq_diff(d->pend[i].seq, lo) < 0)
			lo = d->pend[i].seq;
	dir_hole(s, f, side, lo);
	tcp_segment(s, p, f, side, lo, NULL, 0);
}

/* The connection's fate, from flags and payload sizes only. */
static void
conn_track(struct pcap_ingest *s, const struct pkt_ctx *p, struct flow *f,
    int side, uint8_t flags, size_t n)
{
	struct tcp_conn *k = &f->conn;

	if ((flags & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN) {
		if (!k->syn_seen || k->client != side || k->established ||
		    k->closed_by >= 0) {
			/* a new attempt on this 4-tuple */
			memset(k, 0, sizeof(*k));
			k->syn_seen = 1;
			k->client = side;
			k->closed_by = -1;
			k->t_syn = p->t;
			k->frame_syn = p->frame;
			proto_conn_open(s, p, f);
		}
		k->syns++;
		return;
	}
	if (!k->syn_seen)
		return;
	if ((flags & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK) &&
	    side != k->client)
		k->established = 1;
	if (n > 0 && side == k->client && !k->waiting) {
		k->waiting = 1;
		k->t_wait = p->t;
		k->frame_wait = p->frame;
	} else if (n > 0 && side != k->client) {
		k->waiting = 0;
	}
	if ((flags & TCP_RST) && side != k->client && !k->established)
		k->refused = 1;
	if ((flags & (TCP_FIN | TCP_RST)) && k->closed_by < 0) {
		k->closed_by = side;
		k->closed_rst = (flags & TCP_RST) != 0;
	}
}

/*
 * ICMP (v4 type 3, v6 type 1) destination unreachable: which datagram or
 * connection attempt it refuses, from the header it quotes.
 */
void
pcap_icmp_unreach(struct pcap_ingest *s, const struct pkt_ctx *p, int af,
    struct cursor *c)
{
	uint8_t type, code, proto = 0, src[16] = { 0 }, dst[16] = { 0 };
	const uint8_t *a, *b;
	char addr[48];
	uint16_t sport, dport;
	struct flow *f;
	int side;

	type = cur_u8(c);
	code = cur_u8(c);
	cur_skip(c, 6);
	if (!cur_ok(c))
		return;
	if (af == 2) {
		uint8_t vhl = cur_u8(c);

		/* code 4 is "fragmentation needed": the path, not the peer */
		if (type != 3 || code == 4 || (vhl >> 4) != 4 ||
		    (vhl & 0x0f) < 5)
			return;
		cur_skip(c, 8);
		proto = cur_u8(c);
		cur_skip(c, 2);
		a = cur_bytes(c, 4);
		b = cur_bytes(c, 4);
		cur_skip(c, (size_t)(vhl & 0x0f) * 4 - 20);
		if (!cur_ok(c))
			return;
		memcpy(src, a, 4);
		memcpy(dst, b, 4);
	} else {
		if (type != 1)
			return;
		cur_skip(c, 6);
		proto = cur_u8(c);
		cur_skip(c, 1);
		a = cur_bytes(c, 16);
		b = cur_bytes(c, 16);
		if (!cur_ok(c))
			return;
		memcpy(src, a, 16);
		memcpy(dst, b, 16);
	}
	sport = cur_be16(c);
	dport = cur_be16(c);
	if (!cur_ok(c))
		return;
	if (proto == 17 && dport == 88) {
		pcap_addr_text(af, dst, addr, sizeof(addr));
		proto_kdc_refused(s, p, addr);
	} else if (proto == 6 && (f = flow_get(s, p, af, src, dst, sport,
	    dport, 0, &side)) != NULL && f->conn.syn_seen && side == f->conn.client &&
	    !f->conn.established) {
		f->conn.refused = 2;
	}
}

void
pcap_tcp(struct pcap_ingest *s, struct pkt_ctx *p, int af,
    const uint8_t src[16], const uint8_t dst[16], struct cursor *c,
    int truncated)
{
	const uint8_t *h;
	struct flow *f;
	struct tcp_dir *d;
	uint32_t seq, ack;
	uint8_t off, flags;
	size_t n;
	int side;

	if ((h = cur_bytes(c, 20)) == NULL) {
		count(s, truncated ? UND_TRUNCATED : UND_MALFORMED);
		return;
	}
	p->sport = be16(h);
	p->dport = be16(h + 2);
	seq = be32(h + 4);
	ack = be32(h + 8);
	off = h[12];
	flags = h[13];
	if ((off >> 4) < 5) {
		count(s, UND_MALFORMED);
		return;
	}
	if ((off >> 4) > 5)
		cur_skip(c, (size_t)((off >> 4) - 5) * 4);	/* options */
	if (!cur_ok(c)) {
		count(s, truncated ? UND_TRUNCATED : UND_MALFORMED);
		return;
	}
	n = cur_left(c);
	if ((f = flow_get(s, p, af, src, dst, p->sport, p->dport, 1,
	    &side)) == NULL) {
		count(s, UND_FLOWS);
		return;
	}
	f->t_last = p->t;
	d = &f->dir[side];
	conn_track(s, p, f, side, flags, n);
	if ((flags & (TCP_SYN | TCP_ACK)) == TCP_SYN && f->ended) {
		/* the 4-tuple carries a new connection */
		f->ended = 0;
		s->n_ended--;
		f->dir[!side].fin = 0;
	}
	if (flags & TCP_SYN) {
		/* a new connection on an old 4-tuple starts afresh */
		dir_clear(s, d);
		d->kind = APP_UNKNOWN;
		d->resync = 0;
		d->skip = 0;
		d->fin = 0;
		d->next = seq + 1;
		d->have_next = 1;
		d->started = 1;
		d->has_msg_end = 0;
		d->until_fin = 0;
		proto_dir_lost(s, f, side);
		if (side == 0)
			f->q_n = 0;
	}
	if (flags & 0x10)
		skip_lost(s, p, f, !side, ack);
	if (n > 0) {
		if (truncated) {
			/* bytes missing from the stream: a hole */
			count(s, UND_TRUNCATED);
		} else {
			tcp_segment(s, p, f, side, seq, cur_bytes(c, n), n);
		}
	}
	if ((flags & TCP_FIN) && !d->fin) {
		d->fin = 1;
		if (d->have_next && d->n_pend == 0 &&
		    seq_diff(seq + (uint32_t)n, d->next) == 0) {
			proto_tcp_fin(s, p, f, side);
		}
	}
	if (flags & TCP_RST) {
		if (!f->ended)
			proto_conn_end(s, p, f);
		pcap_flow_free(s, f);
	} else if (f->dir[0].fin && f->dir[1].fin && !f->ended) {
		proto_conn_end(s, p, f);
		f->ended = 1;
		s->n_ended++;
	}
}
