/* capture.h - packets from a saved capture; the only interface to libpcap. */
#ifndef CCMDIAG_CAPTURE_H
#define CCMDIAG_CAPTURE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* One packet as read; data is valid only during the callback. */
struct capture_pkt {
	int linktype;		/* DLT_ value of the file or interface */
	double t;		/* seconds since the epoch */
	unsigned long frame;	/* 1-based, like Wireshark */
	const uint8_t *data;
	size_t caplen;		/* bytes in data */
	size_t len;		/* bytes on the wire */
};

typedef void capture_fn(void *arg, const struct capture_pkt *pkt);

/*
 * Read every packet of a pcap or pcapng file (or an open stream, which is
 * then closed) and hand it to fn.  Returns 0, or ERR_IO with a one-line
 * reason in errbuf when the capture cannot be opened.  A read error after
 * the start (a cut-short or corrupt file) stops the loop and returns 0 with
 * the reason in errbuf and *cut set: what was read is still evidence.
 */
int capture_read_file(const char *path, capture_fn *fn, void *arg,
    int *cut, char *errbuf, size_t errlen);
int capture_read_stream(FILE *f, capture_fn *fn, void *arg, int *cut,
    char *errbuf, size_t errlen);

/*
 * Live capture while the probes run.  Open it first (needs CAP_NET_RAW),
 * drop privileges, then start: a thread writes every matching packet to
 * dump_path (pcap format) until capture_live_stop.
 */
struct capture_live;

int capture_live_open(struct capture_live **out, const char *iface,
    const char *filter, const char *dump_path, char *errbuf, size_t errlen);
int capture_live_start(struct capture_live *c, char *errbuf, size_t errlen);
/* Narrow the filter once addresses are known; 0 or ERR_. */
int capture_live_filter(struct capture_live *c, const char *filter,
    char *errbuf, size_t errlen);
/* Stop, flush and close; the number of packets written. */
unsigned long capture_live_stop(struct capture_live *c);

#endif
