/* ingest_pcap.c - pcap/pcapng captures: link layers, IP, UDP, and TCP
 * flows reassembled in order, handed to the payload decoders. */
#include <arpa/inet.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "cursor.h"
#include "error.h"
#include "ingest.h"
#include "ingest_pcap.h"
#include "util.h"

/* DLT_ values as libpcap reports them on Linux. */
#define DLT_NULL_ 0
#define DLT_EN10MB_ 1
#define DLT_RAW_ 12
#define DLT_RAW_BSD_ 14
#define LINKTYPE_RAW_ 101
#define DLT_LOOP_ 108
#define DLT_LINUX_SLL_ 113
#define DLT_IPV4_ 228
#define DLT_IPV6_ 229
#define DLT_LINUX_SLL2_ 276

#define ETH_IPV4 0x0800
#define ETH_IPV6 0x86dd

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_ACK 0x10

/* Fields of a header the cursor has handed over whole (cur_bytes): one
 * bounds check per header rather than one per field. */
static inline uint16_t
be16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

static inline uint32_t
be32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | b[3];
}

static void
count(struct pcap_ingest *s, enum undecoded why)
{
	s->undecoded[why]++;
}

/* Ethernet (and its VLAN tags) at c: the ethertype that follows. */
static uint16_t
ether(struct cursor *c)
{
	const uint8_t *h = cur_bytes(c, 14);
	uint16_t type;

	if (h == NULL)
		return 0;
	type = be16(h + 12);
	while (cur_ok(c) && (type == 0x8100 || type == 0x88a8 ||
	    type == 0x9100)) {
		cur_skip(c, 2);
		type = cur_be16(c);
	}
	return type;
}

/* Ethertype of what follows the link header, or -1 (counted). */
static int
link_layer(struct pcap_ingest *s, int linktype, struct cursor *c)
{
	uint32_t af;
	uint16_t type;
	uint8_t v = 0;

	switch (linktype) {
	case DLT_EN10MB_:
		type = ether(c);
		break;
	case DLT_LINUX_SLL_:
		cur_skip(c, 14);
		type = cur_be16(c);
		break;
	case DLT_LINUX_SLL2_:
		type = cur_be16(c);
		cur_skip(c, 18);
		break;
	case DLT_NULL_:
	case DLT_LOOP_:
		af = linktype == DLT_LOOP_ ? cur_be32(c) : cur_le32(c);
		if (af > 0xffff)
			af = ((af & 0xff) << 24) | ((af & 0xff00) << 8) |
			    ((af >> 8) & 0xff00) | (af >> 24);
		type = af == 2 ? ETH_IPV4 : (af == 10 || af == 24 ||
		    af == 28 || af == 30) ? ETH_IPV6 : 0;
		break;
	case DLT_RAW_:
	case DLT_RAW_BSD_:
	case LINKTYPE_RAW_:
	case DLT_IPV4_:
	case DLT_IPV6_:
		if (!cur_peek_u8(c, &v)) {
			count(s, UND_TRUNCATED);
			return -1;
		}
		type = (v >> 4) == 4 ? ETH_IPV4 : (v >> 4) == 6 ? ETH_IPV6 : 0;
		break;
	default:
		count(s, UND_LINKTYPE);
		return -1;
	}
	if (!cur_ok(c)) {
		count(s, UND_TRUNCATED);
		return -1;
	}
	if (type != ETH_IPV4 && type != ETH_IPV6) {
		count(s, UND_NOT_IP);
		return -1;
	}
	return type;
}

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

static void flow_free(struct pcap_ingest *, struct flow *);

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
			flow_free(s, f);
			freed++;
		}
	if (freed == 0 && lru != NULL) {
		proto_conn_end(s, p, lru);
		flow_free(s, lru);
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
	f->t_last = p->t;
	f->next = *b;
	*b = f;
	s->n_flows++;
	*side = 0;
	return f;
}

static void
flow_free(struct pcap_ingest *s, struct flow *f)
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
		    d->until_fin) && d->n_pend < PCAP_MAX_PENDING &&
		    n <= PCAP_STREAM_CAP &&
		    (d->pend[d->n_pend].data = malloc(n)) != NULL) {
			memcpy(d->pend[d->n_pend].data, data, n);
			d->pend[d->n_pend].seq = seq;
			d->pend[d->n_pend].len = n;
			d->n_pend++;
			s->buffered += n;
			return;
		}
		dir_hole(s, f, side, seq);
		off = 0;
	}
	if (n > 0 && off <= 0 && (size_t)-off < n) {
		size_t k = n - (size_t)-off;

		if (d->len == 0 && d->skip > k && d->kind != APP_UNKNOWN &&
		    d->kind != APP_NONE) {
			/* inside a body (or lost message) being passed over,
			 * not its end: nothing to keep or read */
			d->next += (uint32_t)k;
			d->skip -= k;
		} else {
			dir_append(s, d, data + (size_t)-off, k);
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
			if ((size_t)-off < g.len) {
				dir_append(s, d, g.data + (size_t)-off,
				    g.len - (size_t)-off);
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
static void
icmp_unreach(struct pcap_ingest *s, const struct pkt_ctx *p, int af,
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

static void
tcp(struct pcap_ingest *s, struct pkt_ctx *p, int af, const uint8_t src[16],
    const uint8_t dst[16], struct cursor *c, int truncated)
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
		f->dir[!side].fin_hole = 0;
	}
	if (flags & TCP_ACK) {
		/* duplicate ACKs: tshark's sign of a fast retransmission */
		if ((flags & (TCP_SYN | TCP_FIN | TCP_RST)) == 0 && n == 0 &&
		    d->have_ack && ack == d->last_ack)
			d->dupacks++;
		else
			d->dupacks = 0;
		d->last_ack = ack;
		d->have_ack = 1;
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
		d->fin_hole = 0;
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
		} else if (d->fin_hole && seq_diff(seq, d->fin_seq) < 0 &&
		    !(f->dir[!side].dupacks >= 2 &&
		    f->dir[!side].last_ack == seq)) {
			/*
			 * Bytes from before a FIN that came first: tshark
			 * reads them only as a fast retransmission (after two
			 * duplicate ACKs for them), not as out of order.
			 */
			count(s, UND_STREAM);
		} else {
			tcp_segment(s, p, f, side, seq, cur_bytes(c, n), n);
		}
	}
	if ((flags & TCP_FIN) && !d->fin) {
		d->fin = 1;
		if (d->have_next && seq_diff(seq + (uint32_t)n, d->next) > 0) {
			d->fin_hole = 1;
			d->fin_seq = seq + (uint32_t)n;
		} else if (d->have_next && d->n_pend == 0 &&
		    seq_diff(seq + (uint32_t)n, d->next) == 0) {
			proto_tcp_fin(s, p, f, side);
		}
	}
	if (flags & TCP_RST) {
		if (!f->ended)
			proto_conn_end(s, p, f);
		flow_free(s, f);
	} else if (f->dir[0].fin && f->dir[1].fin && !f->ended) {
		proto_conn_end(s, p, f);
		f->ended = 1;
		s->n_ended++;
	}
}

static void network(struct pcap_ingest *, struct pkt_ctx *, int,
    struct cursor *);

/*
 * GRE (RFC 2784/2890) and the ERSPAN types it carries: type I (no sequence
 * number) and II straight Ethernet after an 8-byte header, type III a
 * 12-byte one and maybe an 8-byte platform subheader.
 */
static void
gre(struct pcap_ingest *s, struct pkt_ctx *p, struct cursor *c,
    int truncated)
{
	uint16_t fl, proto, type;
	const uint8_t *h;
	uint8_t v = 0;

	fl = cur_be16(c);
	proto = cur_be16(c);
	if ((fl & 0x8000) || (fl & 0x4000))
		cur_skip(c, 4);		/* checksum, offset */
	if (fl & 0x2000)
		cur_skip(c, 4);		/* key */
	if (fl & 0x1000)
		cur_skip(c, 4);		/* sequence number */
	if (!cur_ok(c)) {
		count(s, truncated ? UND_TRUNCATED : UND_MALFORMED);
		return;
	}
	if ((fl & 0x4007) != 0) {	/* source routes, or PPTP's version 1 */
		count(s, UND_TUNNEL);
		return;
	}
	switch (proto) {
	case ETH_IPV4:
	case ETH_IPV6:
		type = proto;
		break;
	case 0x6558:			/* transparent Ethernet bridging */
		type = ether(c);
		break;
	case 0x88be:			/* ERSPAN I, II */
		if (fl & 0x1000)
			cur_skip(c, 8);
		type = ether(c);
		break;
	case 0x22eb:			/* ERSPAN III */
		if ((h = cur_bytes(c, 12)) == NULL) {
			count(s, truncated ? UND_TRUNCATED : UND_MALFORMED);
			return;
		}
		if (h[11] & 0x01)
			cur_skip(c, 8);	/* platform-specific subheader */
		if (((h[10] >> 2) & 0x1f) == 0) {
			type = ether(c);
		} else if (((h[10] >> 2) & 0x1f) == 2 && cur_peek_u8(c, &v)) {
			type = (v >> 4) == 4 ? ETH_IPV4 : ETH_IPV6;
		} else {
			count(s, UND_TUNNEL);
			return;
		}
		break;
	default:
		count(s, UND_TUNNEL);
		return;
	}
	if (!cur_ok(c)) {
		count(s, truncated ? UND_TRUNCATED : UND_MALFORMED);
		return;
	}
	if (type != ETH_IPV4 && type != ETH_IPV6) {
		count(s, UND_NOT_IP);
		return;
	}
	network(s, p, type, c);
}

/* VXLAN (UDP port 4789): an 8-byte header, then Ethernet.  0 when the
 * datagram is not VXLAN after all. */
static int
vxlan(struct pcap_ingest *s, struct pkt_ctx *p, struct cursor *c)
{
	struct cursor in = *c;
	uint8_t flags = 0;
	uint16_t type;

	if (!cur_peek_u8(&in, &flags) || (flags & 0x08) == 0 ||
	    cur_left(&in) < 8 + 14)
		return 0;
	cur_skip(&in, 8);
	type = ether(&in);
	if (!cur_ok(&in))
		return 0;
	if (type != ETH_IPV4 && type != ETH_IPV6)
		count(s, UND_NOT_IP);
	else
		network(s, p, type, &in);
	return 1;
}

void
pcap_addr_text(int af, const uint8_t *a, char *buf, size_t n)
{
	char tmp[16], *o = tmp;
	int i;

	if (af != 2) {
		if (af == 0 || inet_ntop(af, a, buf, (socklen_t)n) == NULL)
			buf[0] = '\0';
		return;
	}
	for (i = 0; i < 4; i++) {
		unsigned v = a[i];

		if (v >= 100)
			*o++ = (char)('0' + v / 100);
		if (v >= 10)
			*o++ = (char)('0' + v / 10 % 10);
		*o++ = (char)('0' + v % 10);
		*o++ = i < 3 ? '.' : '\0';
	}
	strlcpy0(buf, tmp, n);
}

static void
pkt_format(const struct pkt_ctx *p)
{
	struct pkt_text *x = p->text;

	pcap_addr_text(p->af, p->src, x->src, sizeof(x->src));
	pcap_addr_text(p->af, p->dst, x->dst, sizeof(x->dst));
	x->done = 1;
}

const char *
pkt_src(const struct pkt_ctx *p)
{
	if (!p->text->done)
		pkt_format(p);
	return p->text->src;
}

const char *
pkt_dst(const struct pkt_ctx *p)
{
	if (!p->text->done)
		pkt_format(p);
	return p->text->dst;
}

static void
transport(struct pcap_ingest *s, struct pkt_ctx *p, int af, int proto,
    const uint8_t src[16], const uint8_t dst[16], struct cursor *c,
    int truncated)
{
	const uint8_t *h;
	uint16_t ulen;

	/* binary here; text only if an event or a KDC needs it */
	p->af = af;
	memcpy(p->src, src, 16);
	memcpy(p->dst, dst, 16);
	p->text->done = 0;
	if (proto == 6) {
		tcp(s, p, af, src, dst, c, truncated);
		return;
	}
	if ((proto == 1 && af == 2) || (proto == 58 && af == 10)) {
		icmp_unreach(s, p, af, c);
		return;
	}
	if (proto == 47) {
		gre(s, p, c, truncated);
		return;
	}
	if (proto == 4 || proto == 41) {	/* IP in IP */
		network(s, p, proto == 4 ? ETH_IPV4 : ETH_IPV6, c);
		return;
	}
	if (proto != 17)
		return;
	if ((h = cur_bytes(c, 8)) == NULL) {
		count(s, truncated ? UND_TRUNCATED : UND_MALFORMED);
		return;
	}
	p->sport = be16(h);
	p->dport = be16(h + 2);
	ulen = be16(h + 4);
	if (ulen >= 8 && (size_t)ulen - 8 < cur_left(c))
		c->len = (size_t)ulen - 8;	/* drop link-layer padding */
	else if (ulen >= 8 && (size_t)ulen - 8 > cur_left(c))
		truncated = 1;
	if (p->dport == 4789 && vxlan(s, p, c))
		return;
	proto_udp(s, p, cur_bytes(c, cur_left(c)), cur_left(c), truncated);
}

/* ---- IP fragments ---- */

static void
frag_free(struct pcap_ingest *s, int i, enum undecoded why, int n)
{
	struct ip_frag *g = s->frags[i];

	s->undecoded[why] += (unsigned long)n;
	s->frag_bytes -= g->cap;
	free(g->data);
	free(g);
	s->frags[i] = s->frags[--s->n_frags];
}

static int
frag_complete(const struct ip_frag *g)
{
	size_t i, blocks = (g->total + 7) / 8;

	if (!g->have_last)
		return 0;
	for (i = 0; i < blocks; i++)
		if (!(g->got[i / 8] & (1u << (i % 8))))
			return 0;
	return 1;
}

/*
 * One fragment (payload n bytes at byte offset off) of the datagram af
 * src -> dst id; the datagram goes up when its last hole is filled.
 * Bounded: PCAP_FRAG_MAX datagrams, PCAP_FRAG_BYTES bytes, and a datagram
 * waits PCAP_FRAG_TIMEOUT seconds of capture time at most.
 */
static void
frag_add(struct pcap_ingest *s, struct pkt_ctx *p, int af,
    const uint8_t src[16], const uint8_t dst[16], uint32_t id, uint8_t proto,
    size_t off, int more, struct cursor *c, int truncated)
{
	struct ip_frag *g = NULL;
	size_t n = cur_left(c), i, ncap;
	struct cursor body;
	uint8_t *nb;
	int k;

	for (k = s->n_frags - 1; k >= 0; k--)
		if (p->t - s->frags[k]->t_first > PCAP_FRAG_TIMEOUT ||
		    p->t < s->frags[k]->t_first - PCAP_FRAG_TIMEOUT)
			frag_free(s, k, UND_FRAGMENT, s->frags[k]->n);
	for (k = 0; k < s->n_frags; k++) {
		g = s->frags[k];
		if (g->af == af && g->id == id && g->proto == proto &&
		    memcmp(g->src, src, 16) == 0 &&
		    memcmp(g->dst, dst, 16) == 0)
			break;
	}
	if (k == s->n_frags) {
		if (s->n_frags == PCAP_FRAG_MAX ||
		    (g = calloc(1, sizeof(*g))) == NULL) {
			count(s, UND_FRAGMENT);
			return;
		}
		g->af = af;
		memcpy(g->src, src, 16);
		memcpy(g->dst, dst, 16);
		g->id = id;
		g->proto = proto;
		g->t_first = p->t;
		s->frags[s->n_frags++] = g;
	}
	g->n++;
	if (truncated) {
		frag_free(s, k, UND_TRUNCATED, g->n);
		return;
	}
	if (off + n > 65535 || (more && (n == 0 || n % 8 != 0)) ||
	    (g->have_last && (off + n > g->total ||
	    (!more && off + n != g->total)))) {
		frag_free(s, k, UND_MALFORMED, g->n);
		return;
	}
	if (off + n > g->cap) {
		ncap = g->cap ? g->cap : 2048;
		while (ncap < off + n)
			ncap *= 2;
		if (ncap > 65535)
			ncap = 65535;
		if (s->frag_bytes - g->cap + ncap > PCAP_FRAG_BYTES ||
		    (nb = realloc(g->data, ncap)) == NULL) {
			frag_free(s, k, UND_FRAGMENT, g->n);
			return;
		}
		s->frag_bytes += ncap - g->cap;
		g->data = nb;
		g->cap = ncap;
	}
	memcpy(g->data + off, cur_bytes(c, n), n);
	for (i = off / 8; i < (off + n + 7) / 8; i++)
		g->got[i / 8] |= (uint8_t)(1u << (i % 8));
	if (!more) {
		g->total = off + n;
		g->have_last = 1;
	}
	if (!frag_complete(g))
		return;
	/* the datagram, whole: out of the table first, then up */
	s->frags[k] = s->frags[--s->n_frags];
	s->frag_bytes -= g->cap;
	cur_init(&body, g->data, g->total);
	transport(s, p, af, proto, g->src, g->dst, &body, 0);
	free(g->data);
	free(g);
}

static void
ipv4(struct pcap_ingest *s, struct pkt_ctx *p, struct cursor *c)
{
	uint8_t src[16] = { 0 }, dst[16] = { 0 }, vhl, proto;
	uint16_t total, frag, id;
	const uint8_t *a;
	size_t hl;
	int truncated = 0;
	struct cursor body;

	if ((a = cur_bytes(c, 20)) == NULL) {
		count(s, UND_TRUNCATED);
		return;
	}
	vhl = a[0];
	total = be16(a + 2);
	id = be16(a + 4);
	frag = be16(a + 6);
	proto = a[9];
	memcpy(src, a + 12, 4);
	memcpy(dst, a + 16, 4);
	hl = (size_t)(vhl & 0x0f) * 4;
	if ((vhl >> 4) != 4 || hl < 20 || (total != 0 && total < hl)) {
		count(s, UND_MALFORMED);
		return;
	}
	if (hl > 20)
		cur_skip(c, hl - 20);	/* options */
	if (!cur_ok(c)) {
		count(s, UND_TRUNCATED);
		return;
	}
	if (total != 0 && total - hl <= cur_left(c)) {
		body = cur_sub(c, total - hl);
	} else {
		/* total 0 is TSO on the capturing host: take what is there */
		truncated = total != 0;
		body = cur_sub(c, cur_left(c));
	}
	if (frag & 0x3fff) {
		frag_add(s, p, 2, src, dst, id, proto,
		    (size_t)(frag & 0x1fff) * 8, (frag & 0x2000) != 0, &body,
		    truncated);
		return;
	}
	transport(s, p, 2 /* AF_INET */, proto, src, dst, &body, truncated);
}

static void
ipv6(struct pcap_ingest *s, struct pkt_ctx *p, struct cursor *c)
{
	uint8_t src[16], dst[16], next;
	const uint8_t *a, *b;
	uint16_t plen;
	struct cursor body;
	int truncated = 0, hops;

	cur_skip(c, 4);
	plen = cur_be16(c);
	next = cur_u8(c);
	cur_skip(c, 1);
	a = cur_bytes(c, 16);
	b = cur_bytes(c, 16);
	if (!cur_ok(c)) {
		count(s, UND_TRUNCATED);
		return;
	}
	memcpy(src, a, 16);
	memcpy(dst, b, 16);
	if (plen <= cur_left(c)) {
		body = cur_sub(c, plen);
	} else {
		truncated = plen != 0;
		body = cur_sub(c, cur_left(c));
	}
	for (hops = 0; hops < 8; hops++) {
		uint8_t nh, elen;

		if (next == 44) {
			uint16_t offm;
			uint32_t id;

			nh = cur_u8(&body);
			cur_skip(&body, 1);
			offm = cur_be16(&body);
			id = cur_be32(&body);
			if (!cur_ok(&body)) {
				count(s, truncated ? UND_TRUNCATED :
				    UND_MALFORMED);
				return;
			}
			if ((offm & 0xfff9) == 0) {	/* atomic fragment */
				next = nh;
				continue;
			}
			frag_add(s, p, 10, src, dst, id, nh,
			    (size_t)(offm >> 3) * 8, offm & 1, &body,
			    truncated);
			return;
		}
		if (next != 0 && next != 43 && next != 60)
			break;
		nh = cur_u8(&body);
		elen = cur_u8(&body);
		cur_skip(&body, (size_t)elen * 8 + 6);
		if (!cur_ok(&body)) {
			count(s, truncated ? UND_TRUNCATED : UND_MALFORMED);
			return;
		}
		next = nh;
	}
	transport(s, p, 10 /* AF_INET6 */, next, src, dst, &body, truncated);
}

static void
network(struct pcap_ingest *s, struct pkt_ctx *p, int type, struct cursor *c)
{
	if (s->nest >= PCAP_MAX_NEST) {
		count(s, UND_TUNNEL);
		return;
	}
	s->nest++;
	if (type == ETH_IPV4)
		ipv4(s, p, c);
	else
		ipv6(s, p, c);
	s->nest--;
}

static void
on_packet(void *arg, const struct capture_pkt *pkt)
{
	struct pcap_ingest *s = arg;
	struct pkt_ctx p;
	struct pkt_text text;
	struct cursor c;
	int type;

	s->frames++;
	memset(&p, 0, sizeof(p));
	text.done = 0;
	p.text = &text;
	p.t = pkt->t;
	p.frame = pkt->frame;
	s->t_end = pkt->t;
	s->frame_end = pkt->frame;
	cur_init(&c, pkt->data, pkt->caplen);
	if ((type = link_layer(s, pkt->linktype, &c)) < 0)
		return;
	s->nest = 0;
	network(s, &p, type, &c);
}

static int
run(struct report *r, int (*open)(void *, struct pcap_ingest *, int *,
    char *, size_t), void *src, char *errbuf, size_t errlen)
{
	struct pcap_ingest s;
	struct event ev;
	size_t i;
	int rc, cut = 0;

	memset(&s, 0, sizeof(s));
	s.r = r;
	s.n_buckets = 8192;		/* a power of 2 */
	if ((s.buckets = calloc(s.n_buckets, sizeof(*s.buckets))) == NULL) {
		snprintf(errbuf, errlen, "out of memory");
		return ERR_NOMEM;
	}
	rc = open(src, &s, &cut, errbuf, errlen);
	while (s.n_frags > 0)		/* datagrams never completed */
		frag_free(&s, 0, UND_FRAGMENT, s.frags[0]->n);
	for (i = 0; i < s.n_buckets; i++) {
		struct flow *f;

		/* a message still waiting for bytes that never came */
		for (f = s.buckets[i]; f; f = f->next) {
			if (f->dir[0].len && f->dir[0].kind != APP_NONE)
				count(&s, UND_TRUNCATED);
			if (f->dir[1].len && f->dir[1].kind != APP_NONE)
				count(&s, UND_TRUNCATED);
		}
	}
	if (rc == 0) {
		struct pkt_ctx end;
		struct pkt_text none = { "", "", 1 };

		/* connections still open when the capture stopped */
		memset(&end, 0, sizeof(end));
		end.text = &none;
		end.t = s.t_end;
		end.frame = s.frame_end;
		for (i = 0; i < s.n_buckets; i++) {
			struct flow *f;

			for (f = s.buckets[i]; f; f = f->next) {
				proto_dir_lost(&s, f, 0);
				proto_dir_lost(&s, f, 1);
				if (!f->ended)
					proto_conn_end(&s, &end, f);
			}
		}
		if (cut) {
			count(&s, UND_TRUNCATED);
			event_init(&ev, EV_NOTE);
			strlcpy0(ev.source, "capture", sizeof(ev.source));
			strlcpy0(ev.text, errbuf, sizeof(ev.text));
			report_add_event(r, &ev);
		}
		proto_finish(&s);
	}
	for (i = 0; i < s.n_buckets; i++)
		while (s.buckets[i])
			flow_free(&s, s.buckets[i]);
	free(s.buckets);
	pcap_event_release(&s);
	return rc;
}

static int
open_path(void *src, struct pcap_ingest *s, int *cut, char *errbuf,
    size_t errlen)
{
	return capture_read_file(src, on_packet, s, cut, errbuf, errlen);
}

static int
open_stream(void *src, struct pcap_ingest *s, int *cut, char *errbuf,
    size_t errlen)
{
	return capture_read_stream(src, on_packet, s, cut, errbuf, errlen);
}

int
ingest_pcap_stream(FILE *f, struct report *r, char *errbuf, size_t errlen)
{
	return run(r, open_stream, f, errbuf, errlen);
}

static int
pcap_read(const char *path, struct report *r, char *errbuf, size_t errlen)
{
	return run(r, open_path, (void *)(uintptr_t)path, errbuf, errlen);
}

static int
pcap_sniff(const uint8_t *head, size_t n)
{
	static const uint8_t magics[][4] = {
		{ 0xa1, 0xb2, 0xc3, 0xd4 }, { 0xd4, 0xc3, 0xb2, 0xa1 },
		{ 0xa1, 0xb2, 0x3c, 0x4d }, { 0x4d, 0x3c, 0xb2, 0xa1 },
		{ 0x0a, 0x0d, 0x0d, 0x0a },
	};
	size_t i;

	if (n < 4)
		return 0;
	for (i = 0; i < sizeof(magics) / sizeof(magics[0]); i++)
		if (memcmp(head, magics[i], 4) == 0)
			return 1;
	return 0;
}

const struct ingest_reader ingest_pcap = {
	.name = "pcap",
	.sniff = pcap_sniff,
	.read = pcap_read,
};
