/*
 * ingest_pcap.h - shared by the capture reader's files: pcap.c (the
 * reader and its packet loop), pcap_net.c (link layers, IP,
 * fragments, tunnels, UDP), pcap_tcp.c (TCP flows and reassembly),
 * pcap_event.c (the bounded timeline, naming the MP),
 * pcap_krb.c (Kerberos, kpasswd, DNS) and pcap_http.c (HTTP
 * and the other TCP payloads, connection failures).
 */
#ifndef CCMDIAG_INGEST_PCAP_H
#define CCMDIAG_INGEST_PCAP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "report.h"

struct cursor;

/* Why a frame (or a reassembled message) was not decoded. */
enum undecoded {
	UND_TRUNCATED,		/* cut short by the snap length or the file */
	UND_MALFORMED,		/* bad IP/UDP/TCP header */
	UND_LINKTYPE,		/* link layer we do not read */
	UND_NOT_IP,		/* ARP, LLDP, ... */
	UND_FRAGMENT,		/* IP fragment never reassembled: its datagram
				 * stayed incomplete, timed out or overflowed
				 * the fragment table */
	UND_NOT_KRB,		/* port 88 payload that is not Kerberos */
	UND_NOT_DNS,		/* port 53 payload that is not DNS */
	UND_NOT_HTTP,		/* HTTP stream that stopped parsing */
	UND_FLOWS,		/* flow table full */
	UND_STREAM,		/* TCP gap or per-flow cap: bytes dropped */
	UND_TUNNEL,		/* GRE/ERSPAN/VXLAN payload we do not read */
	UND__COUNT
};

#define PCAP_STREAM_CAP (256 * 1024)	/* bytes buffered per direction */
#define PCAP_MAX_FLOWS 4096
#define PCAP_FLOW_IDLE 300.0		/* seconds of capture time after which
					 * a flow may make room for a new one */
#define PCAP_MAX_PENDING 8		/* runs of out-of-order bytes per
					 * direction (contiguous segments
					 * share one) */
#define PCAP_HTTP_QUEUE 8		/* requests awaiting their response */
#define PCAP_MAX_KDCS 16		/* KDC addresses whose answers we track */
#define PCAP_KDC_REQS 64		/* recent KDC requests, to pair each
					 * reply with the name it asked for */
#define PCAP_MAX_NAMES 128		/* recent A/AAAA answers: address->name */
#define PCAP_FRAG_MAX 64		/* IP datagrams being reassembled */
#define PCAP_FRAG_BYTES (1024 * 1024)	/* bytes held by all of them */
#define PCAP_FRAG_TIMEOUT 30.0		/* seconds of capture time a datagram
					 * may wait for its missing fragments */
#define PCAP_MAX_NEST 4			/* tunnels inside tunnels */

/* Addresses as text, made only when asked for (pkt_src, pkt_dst). */
struct pkt_text {
	char src[48], dst[48];
	int done;
};

/* What the packet that completed a message says about its origin. */
struct pkt_ctx {
	double t;
	unsigned long frame;
	const char *source;	/* the capture's name, for event sources */
	int af;			/* 2 (IPv4), 10 (IPv6), 0 no addresses yet */
	uint8_t src[16], dst[16];	/* binary, as in the IP header */
	struct pkt_text *text;	/* formatted on demand: most packets
				 * never become an event */
	uint16_t sport, dport;
};

/* The packet's addresses as text ("" when it has none). */
const char *pkt_src(const struct pkt_ctx *p);
const char *pkt_dst(const struct pkt_ctx *p);
/* An address as text, IPv4 without inet_ntop's cost. */
void pcap_addr_text(int af, const uint8_t *a, char *buf, size_t n);

enum app_kind { APP_UNKNOWN, APP_KRB, APP_KPASSWD, APP_DNS, APP_HTTP,
    APP_NONE };

/* One direction of a TCP connection: an in-order byte buffer. */
struct tcp_seg {		/* contiguous bytes held past a hole */
	uint32_t seq;
	uint8_t *data;
	size_t len, cap;
};

struct tcp_dir {
	uint32_t next;		/* next expected sequence number */
	int have_next;
	uint8_t *buf;
	size_t len, cap;
	struct tcp_seg pend[PCAP_MAX_PENDING];
	int n_pend;
	enum app_kind kind;
	int resync;		/* HTTP: drop bytes until a message starts */
	size_t skip;		/* HTTP: body bytes still to drop */
	int fin;
	int started;		/* its SYN was seen: the first bytes are a
				 * message start */
	/*
	 * The message being read ends at msg_end (sequence space), known
	 * from a Content-Length or a record length: segments after a hole
	 * inside it wait for the hole, later ones start afresh (like
	 * tshark's reassembly, which never goes back before them).
	 */
	uint32_t msg_end;
	int has_msg_end;
	int until_fin;		/* HTTP body that runs to the FIN */
	void *held;		/* HTTP response head waiting for its body's
				 * end (pcap_http.c owns it) */
};

struct http_pending {
	int head;		/* a HEAD request: no body in the response */
	int negotiate;		/* the request carried Authorization: Negotiate */
	unsigned flags;		/* its event's EVF_CCM, EVF_SMS_MP */
	char scheme[24];	/* "Negotiate", "Negotiate/NTLM", "NTLM", "" */
	char sname[256];	/* its ticket's service, "" if none */
};

/* How a TCP connection went: flags and times only, no payload. */
struct tcp_conn {
	int syn_seen;		/* a SYN without ACK opened it */
	int client;		/* the side that sent that SYN */
	int syns;		/* SYNs the client sent */
	int established;	/* the server answered SYN-ACK */
	int refused;		/* 1 RST, 2 ICMP unreachable, before that */
	int closed_by;		/* side that first sent FIN or RST, -1 */
	int closed_rst;		/* ... and it was a RST */
	int waiting;		/* client bytes, no server byte since */
	int reported;		/* a failure event already came from it */
	int ccm;		/* it carried a CCM_POST or a Negotiate ticket */
	unsigned req_flags;	/* EVF_ flags of its last request */
	long id;		/* numbers the connections of the capture */
	double t_syn, t_wait;
	unsigned long frame_syn, frame_wait;
};

struct flow {
	struct flow *next;	/* hash chain */
	int af;
	uint8_t addr[2][16];
	uint16_t port[2];	/* side 0 sent the first packet we saw */
	struct tcp_dir dir[2];
	struct http_pending q[PCAP_HTTP_QUEUE];
	int q_head, q_n;
	struct tcp_conn conn;
	int ended;		/* both FINs seen: kept for retransmissions
				 * until a new SYN, or evicted when full */
	double t_last;		/* its last packet */
};

/* A KDC address and what became of the requests sent to it. */
struct kdc_peer {
	char addr[48];
	char realm[128];	/* of the last request sent to it */
	unsigned pending;	/* requests since its last answer */
	unsigned n_as, n_tgs;	/* ... of which AS-REQ, TGS-REQ */
	unsigned unreach;	/* ICMP unreachable since then */
	unsigned reset;		/* TCP connections refused (RST) since then */
	unsigned no_accept;	/* TCP connections never answered */
	int udp, tcp;		/* transports those requests used */
	int answered;		/* it ever answered */
	double t_first;		/* first request since its last answer */
	unsigned long frame_first;
	char client[48];	/* who sent the first request since then */
	double t_answer;	/* its last answer */
	int clocked;		/* a clock event came from its KRB-ERROR */
};

/* A request to a KDC, waiting for its answer on the same ports. */
struct kdc_req {
	char client[48], kdc[48];
	uint16_t cport;
	char sname[256];	/* the service asked for */
};

/* An A/AAAA answer: which name the client looked up for an address. */
struct addr_name {
	char addr[48];
	char name[256];
};

/*
 * The timeline stays bounded whatever the capture's size.  The first
 * PCAP_EV_FIRST events of each kind are all kept as they come.  After
 * that a repeat (same kind, same peer, and the same name, realm, value,
 * text, status, message type, error code, ...; only its time and frame
 * differ) is folded into the first event like it, which says at the end
 * how many more there were ("and 1,234 more like this").  A kind keeps at
 * most PCAP_EV_KIND_MAX distinct events; past that an event is folded into
 * the first of the same fact leaving out the peer and the free text
 * (which the engine's rules do not read, except the schemes of an HTTP
 * response and whether a DNS answer is empty), and only a new such fact
 * is kept, up to PCAP_EV_KIND_HARD.  What is past even that is counted in
 * the timeline's note.  So the engine sees every fact it looks for (a
 * KRB-ERROR code from a realm, an HTTP status for a ticket's service)
 * while memory and the report's size stop growing with the capture.
 */
#define PCAP_EV_FIRST 500
#define PCAP_EV_KIND_MAX 2048
#define PCAP_EV_KIND_HARD 4096
#define PCAP_EV_KINDS (EV_DIRECTORY_UNAVAILABLE + 1)

struct ev_slot {
	uint32_t hash;
	uint32_t idx1;		/* event index + 1, 0 empty */
};

struct ev_fold {
	struct ev_slot *fine, *coarse;	/* open addressing, power of 2 */
	size_t n_slots, n_used;
	unsigned long *more;	/* per event index: repeats folded in */
	unsigned long *last;	/* ... and the frame of the last one */
	size_t cap;
	unsigned kept[PCAP_EV_KINDS];
	unsigned long folded;
	unsigned long dropped[PCAP_EV_KINDS];
};

/* An IP datagram whose fragments are being collected. */
struct ip_frag {
	int af;
	uint8_t src[16], dst[16];
	uint32_t id;
	uint8_t proto;
	double t_first;
	uint8_t *data;		/* payload after the IP header(s) */
	size_t cap;
	size_t total;		/* payload length, known from the last fragment */
	int have_last;
	uint8_t got[65536 / 8 / 8];	/* 8-byte blocks received, a bitmap */
	int n;			/* fragments received */
};

struct pcap_ingest {
	struct report *r;
	char source[48];	/* the capture's name as given, for sources */
	unsigned long frames;
	unsigned long undecoded[UND__COUNT];
	struct flow **buckets;
	size_t n_buckets, n_flows, n_ended;
	size_t buffered;	/* bytes held by all flows */
	long n_conns;		/* TCP connections opened so far */
	double t_end;		/* the last packet */
	unsigned long frame_end;
	struct kdc_peer kdcs[PCAP_MAX_KDCS];
	struct kdc_req reqs[PCAP_KDC_REQS];	/* a ring */
	int reqs_next;
	int n_kdcs;
	struct addr_name names[PCAP_MAX_NAMES];
	int n_names, names_next;
	struct ip_frag *frags[PCAP_FRAG_MAX];
	int n_frags;
	size_t frag_bytes;	/* held by frags */
	int nest;		/* tunnel depth of the packet being read */
	struct ev_fold fold;	/* bounds the timeline (PCAP_EV_FIRST) */
};

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

/* One more frame (or message) not decoded, for why. */
static inline void
count(struct pcap_ingest *s, enum undecoded why)
{
	s->undecoded[why]++;
}

/* ---- packets (pcap_net.c, pcap_tcp.c) ---- */

/* Ethertype of what follows the link header at c, or -1 (counted). */
int pcap_link_layer(struct pcap_ingest *s, int linktype, struct cursor *c);
/* An IPv4 or IPv6 packet (type its ethertype) at c, tunnels and all. */
void pcap_network(struct pcap_ingest *s, struct pkt_ctx *p, int type,
    struct cursor *c);
/* Drop datagram i being reassembled, its n fragments counted as why. */
void pcap_frag_free(struct pcap_ingest *s, int i, enum undecoded why, int n);
/* A TCP segment src -> dst at c, into its flow (pcap_tcp.c). */
void pcap_tcp(struct pcap_ingest *s, struct pkt_ctx *p, int af,
    const uint8_t src[16], const uint8_t dst[16], struct cursor *c,
    int truncated);
/* ICMP destination unreachable at c: the KDC or connection it refuses. */
void pcap_icmp_unreach(struct pcap_ingest *s, const struct pkt_ctx *p, int af,
    struct cursor *c);
/* Unlink and free f and what it holds. */
void pcap_flow_free(struct pcap_ingest *s, struct flow *f);

/* ---- events (pcap_event.c) ---- */

/* Add ev to the timeline, or fold it into an earlier one like it. */
void pcap_event(struct pcap_ingest *s, const struct event *ev);
/* Free what pcap_event keeps. */
void pcap_event_release(struct pcap_ingest *s);
/* A new event of type seen in p, "NAME frame N" its source, peer its
 * peer. */
void pcap_ev_start(struct event *ev, enum ev_type type,
    const struct pkt_ctx *p, const char *peer);
/* After the last event: each folded event's count, and a note if any. */
void pcap_fold_finish(struct pcap_ingest *s);
/* The name the client looked up to get addr, "" when none did. */
const char *pcap_addr_name(const struct pcap_ingest *s, const char *addr);
/* An A/AAAA answer: the client looked up name and got addr. */
void pcap_addr_name_add(struct pcap_ingest *s, const char *addr,
    const char *name);

/* ---- Kerberos and DNS messages (pcap_krb.c) ---- */

/* One Kerberos message, over TCP when tcp is set. */
void pcap_krb_message(struct pcap_ingest *s, const struct pkt_ctx *p,
    const uint8_t *data, size_t n, int tcp);
/* One kpasswd message, after any TCP record mark. */
void pcap_kpasswd_message(struct pcap_ingest *s, const struct pkt_ctx *p,
    const uint8_t *data, size_t n);
/* One DNS message: an answer becomes an event. */
void pcap_dns_message(struct pcap_ingest *s, const struct pkt_ctx *p,
    const uint8_t *data, size_t n);
/* The KDC at addr did not accept f, a TCP connection to port 88. */
void pcap_kdc_no_accept(struct pcap_ingest *s, const char *addr,
    const struct flow *f);

/* A capture ccmdiag probe saved names its MP: added to r->mp_given. */
void pcap_probe_target(const uint8_t *head, size_t n, struct report *r);

/*
 * Payload handlers: proto_udp, proto_kdc_refused and proto_finish in
 * pcap_krb.c, the others in pcap_http.c.
 */
void proto_udp(struct pcap_ingest *s, const struct pkt_ctx *p,
    const uint8_t *data, size_t n, int truncated);
/* Consume what complete messages side's buffer holds. */
void proto_tcp(struct pcap_ingest *s, const struct pkt_ctx *p,
    struct flow *f, int side);
/* An in-order FIN from side: a body that runs to it ends. */
void proto_tcp_fin(struct pcap_ingest *s, const struct pkt_ctx *p,
    struct flow *f, int side);
/*
 * side's message in progress will not complete (a hole, the connection or
 * the capture ended): a response head held for its body is reported as
 * incomplete and freed.
 */
void proto_dir_lost(struct pcap_ingest *s, struct flow *f, int side);
/* A client's SYN opened f (p is that SYN). */
void proto_conn_open(struct pcap_ingest *s, const struct pkt_ctx *p,
    struct flow *f);
/*
 * f ends: closed, reset, or still open when the capture ends (p is the
 * packet that ended it, or the capture's last).  Judges whether the
 * connection failed.
 */
void proto_conn_end(struct pcap_ingest *s, const struct pkt_ctx *p,
    struct flow *f);
/* ICMP unreachable for a UDP datagram to KDC address addr, port 88. */
void proto_kdc_refused(struct pcap_ingest *s, const struct pkt_ctx *p,
    const char *addr);
/* After the last packet: unanswered KDCs, role hints, undecoded summary. */
void proto_finish(struct pcap_ingest *s);

#endif
