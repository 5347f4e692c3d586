/*
 * ingest_pcap.h - shared between the capture reader's two halves:
 * ingest_pcap.c (link layers, IP, UDP, TCP flows and reassembly) and
 * ingest_pcap_proto.c (DNS, Kerberos and HTTP payloads to events).
 */
#ifndef CCMDIAG_INGEST_PCAP_H
#define CCMDIAG_INGEST_PCAP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "report.h"

/* Why a frame (or a reassembled message) was not decoded. */
enum undecoded {
	UND_TRUNCATED,		/* cut short by the snap length or the file */
	UND_MALFORMED,		/* bad IP/UDP/TCP header */
	UND_LINKTYPE,		/* link layer we do not read */
	UND_NOT_IP,		/* ARP, LLDP, ... */
	UND_FRAGMENT,		/* IP fragment: not reassembled */
	UND_NOT_KRB,		/* port 88 payload that is not Kerberos */
	UND_NOT_DNS,		/* port 53 payload that is not DNS */
	UND_NOT_HTTP,		/* HTTP stream that stopped parsing */
	UND_FLOWS,		/* flow table full */
	UND_STREAM,		/* TCP gap or per-flow cap: bytes dropped */
	UND__COUNT
};

#define PCAP_STREAM_CAP (256 * 1024)	/* bytes buffered per direction */
#define PCAP_MAX_FLOWS 4096
#define PCAP_MAX_PENDING 8		/* out-of-order segments per direction */
#define PCAP_HTTP_QUEUE 8		/* requests awaiting their response */

/* What the packet that completed a message says about its origin. */
struct pkt_ctx {
	double t;
	unsigned long frame;
	char src[48], dst[48];	/* addresses as text */
	uint16_t sport, dport;
};

enum app_kind { APP_UNKNOWN, APP_KRB, APP_DNS, APP_HTTP, APP_NONE };

/* One direction of a TCP connection: an in-order byte buffer. */
struct tcp_seg {
	uint32_t seq;
	uint8_t *data;
	size_t len;
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
};

struct http_pending {
	int negotiate;		/* the request carried Authorization: Negotiate */
	char sname[256];	/* its ticket's service, "" if none */
};

struct flow {
	struct flow *next;	/* hash chain */
	int af;
	uint8_t addr[2][16];
	uint16_t port[2];	/* side 0 sent the first packet we saw */
	struct tcp_dir dir[2];
	struct http_pending q[PCAP_HTTP_QUEUE];
	int q_head, q_n;
};

struct pcap_ingest {
	struct report *r;
	unsigned long frames;
	unsigned long undecoded[UND__COUNT];
	struct flow **buckets;
	size_t n_buckets, n_flows;
	size_t buffered;	/* bytes held by all flows */
	int have_client_realm;
	int clock_done;		/* one client-KDC clock event */
	char mp_addr[48];	/* server that received a Negotiate ticket */
};

/*
 * The reader over an open stream (closed on return), for tests and the
 * fuzz target: 0, or ERR_IO with the reason in errbuf.
 */
int ingest_pcap_stream(FILE *f, struct report *r, char *errbuf,
    size_t errlen);

/* Payload handlers (ingest_pcap_proto.c). */
void proto_udp(struct pcap_ingest *s, const struct pkt_ctx *p,
    const uint8_t *data, size_t n, int truncated);
/* Consume what complete messages side's buffer holds. */
void proto_tcp(struct pcap_ingest *s, const struct pkt_ctx *p,
    struct flow *f, int side);
/* After the last packet: role hints and the undecoded summary. */
void proto_finish(struct pcap_ingest *s);

#endif
