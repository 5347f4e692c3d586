/* capture.h - packets from a saved capture (capture_file.c), and the live
 * capture during probes (capture.c, the only interface to libpcap). */
#ifndef CCMDIAG_CAPTURE_H
#define CCMDIAG_CAPTURE_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

/* One packet as read; data is valid only during the callback. */
struct capture_pkt {
	int linktype;		/* LINKTYPE_ value of the file or interface */
	double t;		/* seconds since the epoch */
	unsigned long frame;	/* 1-based, like Wireshark */
	const uint8_t *data;
	size_t caplen;		/* bytes in data */
	size_t len;		/* bytes on the wire */
};

typedef void capture_fn(void *arg, const struct capture_pkt *pkt);

/* Where a saved capture's bytes come from. */
struct capture_src {
	/* up to n bytes into buf: how many, 0 at the end, -1 on an error */
	ssize_t (*read)(void *arg, void *buf, size_t n);
	const char *(*error)(void *arg);	/* why read failed */
	uint64_t (*where)(void *arg);	/* for progress_update, or NULL */
	void *arg;
	int ahead;		/* a read never waits long (a file): read on
				 * a second thread while this one parses */
};

/* How a read ended. */
struct capture_end {
	int cut;		/* stopped before the end: why says where */
	unsigned long frames;	/* frames handed over */
	uint64_t offset;	/* stream bytes read whole (or up to the cut) */
	char why[256];		/* "ends at byte N, after frame F: ..." */
};

/*
 * Read every packet of a pcap or pcapng stream (any number of pcapng
 * sections and interfaces, each with its link type) and hand it to fn.
 * Returns 0 with end filled in, or ERR_IO (ERR_NOMEM) with a one-line
 * reason in errbuf when the stream does not start like a capture.  A
 * record cut short or malformed, or a failed read, ends the loop with
 * end->cut set: what was read is still evidence.
 */
int capture_read(const struct capture_src *src, capture_fn *fn, void *arg,
    struct capture_end *end, char *errbuf, size_t errlen);
/* The same for the file at path; a cut sets *cut, the reason in errbuf. */
int capture_read_file(const char *path, capture_fn *fn, void *arg,
    int *cut, char *errbuf, size_t errlen);

/*
 * Live capture while the probes run.  Open it first (needs CAP_NET_RAW),
 * drop privileges, then start: a thread writes every matching packet to
 * dump_path (pcap format) until capture_live_stop.
 */
struct capture_live;

/* The libpcap in use, as it names itself. */
const char *capture_lib_version(void);
int capture_live_open(struct capture_live **out, const char *iface,
    const char *filter, const char *dump_path, char *errbuf, size_t errlen);
int capture_live_start(struct capture_live *c, char *errbuf, size_t errlen);
/* Narrow the filter once addresses are known; 0 or ERR_. */
int capture_live_filter(struct capture_live *c, const char *filter,
    char *errbuf, size_t errlen);
/* Stop, flush and close; the number of packets written. */
unsigned long capture_live_stop(struct capture_live *c);

#endif
