/* pcap_net.c - link layers, IPv4/IPv6, fragments, tunnels, UDP. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
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
int
pcap_link_layer(struct pcap_ingest *s, int linktype, struct cursor *c)
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
	pcap_network(s, p, type, c);
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
		pcap_network(s, p, type, &in);
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
	size_t n;

	/* binary here; text only if an event or a KDC needs it */
	p->af = af;
	memcpy(p->src, src, 16);
	memcpy(p->dst, dst, 16);
	p->text->done = 0;
	if (proto == 6) {
		pcap_tcp(s, p, af, src, dst, c, truncated);
		return;
	}
	if ((proto == 1 && af == 2) || (proto == 58 && af == 10)) {
		pcap_icmp_unreach(s, p, af, c);
		return;
	}
	if (proto == 47) {
		gre(s, p, c, truncated);
		return;
	}
	if (proto == 4 || proto == 41) {	/* IP in IP */
		pcap_network(s, p, proto == 4 ? ETH_IPV4 : ETH_IPV6, c);
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
	/* the length first: arguments are evaluated in no set order, and
	 * cur_bytes empties c */
	n = cur_left(c);
	proto_udp(s, p, cur_bytes(c, n), n, truncated);
}

/* ---- IP fragments ---- */

void
pcap_frag_free(struct pcap_ingest *s, int i, enum undecoded why, int n)
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
			pcap_frag_free(s, k, UND_FRAGMENT, s->frags[k]->n);
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
		pcap_frag_free(s, k, UND_TRUNCATED, g->n);
		return;
	}
	if (off + n > 65535 || (more && (n == 0 || n % 8 != 0)) ||
	    (g->have_last && (off + n > g->total ||
	    (!more && off + n != g->total)))) {
		pcap_frag_free(s, k, UND_MALFORMED, g->n);
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
			pcap_frag_free(s, k, UND_FRAGMENT, g->n);
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

void
pcap_network(struct pcap_ingest *s, struct pkt_ctx *p, int type,
    struct cursor *c)
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
