/* capture.c - live and saved captures with libpcap; nothing else calls
 * pcap_*. */
#include <sys/mman.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "capture.h"
#include "progress.h"
#include "error.h"
#include "util.h"

/*
 * Classic pcap files are read here, not by libpcap, whose reader makes two
 * fread calls per packet through a 4 KB stdio buffer and copies each
 * packet once more: a file is mapped a window at a time (the window is
 * unmapped before the next, so resident memory stays at one window), any
 * other stream read in large blocks.  libpcap still opens the file (header
 * checks, link type, snap length) and takes over at the first record that
 * is not plainly well-formed (cut short, longer than the snap length, ...),
 * so such files are read, and their errors worded, exactly as before.
 * pcapng goes through libpcap.
 */
#define BLOCK (4u << 20)		/* bytes read at a time */
#define WINDOW (8u << 20)		/* bytes mapped at a time */
#define MAX_CAPLEN 262144u		/* libpcap's largest snap length */

struct fast {
	int swap, nsec;
	uint32_t snap;
	struct capture_pkt *pkt;
	capture_fn *fn;
	void *arg;
};

static uint32_t
get32(const uint8_t *b, int swap)
{
	uint32_t v;

	memcpy(&v, b, 4);
	return swap ? __builtin_bswap32(v) : v;
}

/*
 * Hand over the whole records in buf[*at..have); *at ends at the first
 * record not all there.  1 when a record is one to leave to libpcap.
 */
static int
records(const struct fast *x, const uint8_t *buf, size_t have, size_t *at)
{
	struct capture_pkt *pkt = x->pkt;
	uint32_t caplen, frac;
	size_t i = *at;

	while (have - i >= 16) {
		caplen = get32(buf + i + 8, x->swap);
		if (caplen > x->snap) {
			*at = i;
			return 1;
		}
		if (have - i - 16 < caplen)
			break;
		frac = get32(buf + i + 4, x->swap);
		if (x->nsec)
			frac /= 1000;	/* libpcap's default: microseconds */
		pkt->frame++;
		pkt->t = (double)get32(buf + i, x->swap) + (double)frac / 1e6;
		pkt->data = buf + i + 16;
		pkt->caplen = caplen;
		pkt->len = get32(buf + i + 12, x->swap);
		x->fn(x->arg, pkt);
		i += 16 + (size_t)caplen;
	}
	*at = i;
	return 0;
}

/* The file behind fd, from just after its header, a window at a time;
 * the offset to resume at with libpcap, -1 at the end, -2 when it cannot
 * be mapped. */
static long
fast_map(const struct fast *x, int fd)
{
	struct stat st;
	long page = sysconf(_SC_PAGESIZE), off = 24, start;
	size_t len, at;
	void *m;
	int stop;

	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || page <= 0)
		return -2;
	while (off < st.st_size) {
		start = off - off % page;
		len = (size_t)(st.st_size - start) < WINDOW ?
		    (size_t)(st.st_size - start) : WINDOW;
		m = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd,
		    start);
		if (m == MAP_FAILED)
			return off == 24 ? -2 : off;
		at = (size_t)(off - start);
		stop = records(x, m, len, &at);
		munmap(m, len);
		progress_update((uint64_t)start + at);
		if (stop || (at == (size_t)(off - start) && at < len) ||
		    (start + (long)len == st.st_size && at < len))
			return start + (long)at;	/* libpcap's */
		off = start + (long)at;
	}
	return -1;
}

/* Any other stream, in blocks: as fast_map. */
static long
fast_read(const struct fast *x, FILE *fp)
{
	uint8_t *buf;
	size_t have = 0, at = 0, n;
	long base = 24, resume = -1;	/* base: file offset of buf[0] */

	if ((buf = malloc(BLOCK)) == NULL)
		return -2;
	for (;;) {
		if (records(x, buf, have, &at)) {
			resume = base + (long)at;
			break;
		}
		memmove(buf, buf + at, have - at);
		base += (long)at;
		progress_update((uint64_t)base);
		have -= at;
		at = 0;
		if ((n = fread(buf + have, 1, BLOCK - have, fp)) == 0) {
			if (have > 0)
				resume = base;	/* cut short, or too long */
			break;
		}
		have += n;
	}
	free(buf);
	return resume;
}

/*
 * Read fp's records from just after its 24-byte header: 0 when all were
 * read, 1 when libpcap is to go on (fp is then where it should), -1 when
 * the fast path cannot be used at all.
 */
static int
fast_records(FILE *fp, pcap_t *p, struct capture_pkt *pkt, capture_fn *fn,
    void *arg)
{
	struct fast x;
	uint8_t head[24];
	uint32_t magic;
	long resume;
	int fd;

	if (ftell(fp) != 24 || fseek(fp, 0, SEEK_SET) != 0)
		return -1;
	if (fread(head, 1, 24, fp) != 24) {
		fseek(fp, 24, SEEK_SET);
		return -1;
	}
	memcpy(&magic, head, 4);
	x.swap = magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1;
	x.nsec = magic == 0xa1b23c4d || magic == 0x4d3cb2a1;
	if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d && !x.swap)
		return fseek(fp, 24, SEEK_SET) == 0 ? -1 : 1;
	x.snap = (uint32_t)pcap_snapshot(p);
	if (x.snap > MAX_CAPLEN)
		x.snap = MAX_CAPLEN;
	x.pkt = pkt;
	x.fn = fn;
	x.arg = arg;
	resume = -2;
	if ((fd = fileno(fp)) >= 0)
		resume = fast_map(&x, fd);
	if (resume == -2)
		resume = fast_read(&x, fp);
	if (resume == -2)
		return fseek(fp, 24, SEEK_SET) == 0 ? -1 : 1;
	if (resume < 0)
		return 0;
	return fseek(fp, resume, SEEK_SET) == 0 ? 1 : 0;
}

static int
loop(pcap_t *p, capture_fn *fn, void *arg, int *cut, char *errbuf,
    size_t errlen)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	struct capture_pkt pkt;
	FILE *fp = pcap_file(p);
	int rc;

	memset(&pkt, 0, sizeof(pkt));
	pkt.linktype = pcap_datalink(p);
	*cut = 0;
	errbuf[0] = '\0';
	if (fp != NULL && fast_records(fp, p, &pkt, fn, arg) == 0) {
		pcap_close(p);
		return 0;
	}
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		pkt.frame++;
		if (fp != NULL && (pkt.frame & 4095) == 0)
			progress_update((uint64_t)ftell(fp));
		pkt.t = (double)h->ts.tv_sec + (double)h->ts.tv_usec / 1e6;
		pkt.data = data;
		pkt.caplen = h->caplen;
		pkt.len = h->len;
		fn(arg, &pkt);
	}
	if (rc == PCAP_ERROR) {
		*cut = 1;
		snprintf(errbuf, errlen, "capture ends early after frame %lu: "
		    "%s", pkt.frame, pcap_geterr(p));
	}
	pcap_close(p);
	return 0;
}

int
capture_read_file(const char *path, capture_fn *fn, void *arg, int *cut,
    char *errbuf, size_t errlen)
{
	char pe[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p;

	struct stat st;
	const char *base = strrchr(path, '/');
	int r;

	if ((p = pcap_open_offline(path, pe)) == NULL) {
		snprintf(errbuf, errlen, "cannot read capture %s: %s", path, pe);
		return ERR_IO;
	}
	/* a bar on stderr for big files read from a terminal */
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
		progress_start((uint64_t)st.st_size, base ? base + 1 : path);
	r = loop(p, fn, arg, cut, errbuf, errlen);
	progress_end();
	return r;
}

int
capture_read_stream(FILE *f, capture_fn *fn, void *arg, int *cut,
    char *errbuf, size_t errlen)
{
	char pe[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p;

	if ((p = pcap_fopen_offline(f, pe)) == NULL) {
		snprintf(errbuf, errlen, "cannot read capture: %s", pe);
		fclose(f);
		return ERR_IO;
	}
	return loop(p, fn, arg, cut, errbuf, errlen);
}

struct capture_live {
	pcap_t *p;
	pcap_dumper_t *dump;
	pthread_t thread;
	int started;
	volatile int stop;
	unsigned long n;
};

static void
on_live(u_char *arg, const struct pcap_pkthdr *h, const u_char *data)
{
	struct capture_live *c = (struct capture_live *)arg;

	pcap_dump((u_char *)c->dump, h, data);
	c->n++;
}

static void *
live_loop(void *arg)
{
	struct capture_live *c = arg;

	while (!c->stop)
		if (pcap_dispatch(c->p, -1, on_live, (u_char *)c) < 0)
			break;
	return NULL;
}

static int
set_filter(pcap_t *p, const char *filter, char *errbuf, size_t errlen)
{
	struct bpf_program prog;

	if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		snprintf(errbuf, errlen, "capture filter '%s': %s", filter,
		    pcap_geterr(p));
		return ERR_USAGE;
	}
	if (pcap_setfilter(p, &prog) != 0) {
		snprintf(errbuf, errlen, "capture filter: %s", pcap_geterr(p));
		pcap_freecode(&prog);
		return ERR_LIBRARY;
	}
	pcap_freecode(&prog);
	return 0;
}

int
capture_live_open(struct capture_live **out, const char *iface,
    const char *filter, const char *dump_path, char *errbuf, size_t errlen)
{
	char pe[PCAP_ERRBUF_SIZE] = "";
	struct capture_live *c;
	FILE *f = NULL;
	int r, fd = -1;

	*out = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return ERR_NOMEM;
	if ((c->p = pcap_create(iface ? iface : "any", pe)) == NULL) {
		snprintf(errbuf, errlen, "cannot capture on %s: %s",
		    iface ? iface : "any", pe);
		r = ERR_IO;
		goto fail;
	}
	pcap_set_snaplen(c->p, 65535);
	pcap_set_immediate_mode(c->p, 1);
	pcap_set_timeout(c->p, 20);
	pcap_set_buffer_size(c->p, 4 << 20);
	if ((r = pcap_activate(c->p)) < 0) {
		snprintf(errbuf, errlen, "cannot capture on %s: %s",
		    iface ? iface : "any", pcap_geterr(c->p));
		r = r == PCAP_ERROR_PERM_DENIED ? ERR_PRIVILEGE : ERR_IO;
		goto fail;
	}
	if ((r = set_filter(c->p, filter, errbuf, errlen)) != 0)
		goto fail;
	/* the capture holds the Kerberos exchange: readable by us only */
	if ((fd = open(dump_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) < 0 || fchmod(fd, 0600) != 0 ||
	    (f = fdopen(fd, "wb")) == NULL) {
		snprintf(errbuf, errlen, "cannot write %s: %s", dump_path,
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		r = ERR_IO;
		goto fail;
	}
	if ((c->dump = pcap_dump_fopen(c->p, f)) == NULL) {
		snprintf(errbuf, errlen, "cannot write %s: %s", dump_path,
		    pcap_geterr(c->p));
		fclose(f);
		r = ERR_IO;
		goto fail;
	}
	*out = c;
	return 0;
fail:
	if (c->p)
		pcap_close(c->p);
	free(c);
	return r;
}

int
capture_live_start(struct capture_live *c, char *errbuf, size_t errlen)
{
	if (pthread_create(&c->thread, NULL, live_loop, c) != 0) {
		snprintf(errbuf, errlen, "cannot start the capture thread");
		return ERR_LIBRARY;
	}
	c->started = 1;
	return 0;
}

int
capture_live_filter(struct capture_live *c, const char *filter, char *errbuf,
    size_t errlen)
{
	return set_filter(c->p, filter, errbuf, errlen);
}

unsigned long
capture_live_stop(struct capture_live *c)
{
	unsigned long n;

	if (c == NULL)
		return 0;
	if (c->started) {
		/* let the last replies arrive, then end the loop */
		usleep(20000);
		c->stop = 1;
		pcap_breakloop(c->p);
		pthread_join(c->thread, NULL);
	}
	/* packets still buffered in the kernel */
	pcap_setnonblock(c->p, 1, NULL);
	while (pcap_dispatch(c->p, -1, on_live, (u_char *)c) > 0)
		;
	pcap_dump_close(c->dump);
	pcap_close(c->p);
	n = c->n;
	free(c);
	return n;
}
