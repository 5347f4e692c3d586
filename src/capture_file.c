/*
 * capture_file.c - saved captures (pcap, pcapng) read from a stream with
 * read(), never mapped: a file cut while it is read ends the read, it
 * cannot raise SIGBUS.  libpcap is not used here: it reads pcapng files
 * only while every interface has the first one's link type (mergecap's
 * output of two interfaces has two), and only from a FILE it opens or is
 * given from the start.  Records are read in large blocks through the
 * cursor; a record cut short or malformed ends the read, and what came
 * before it stands.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "cursor.h"
#include "error.h"
#include "progress.h"
#include "util.h"

#define BLOCK (1u << 20)		/* bytes read at a time */
#define MAX_CAPLEN 262144u		/* libpcap's largest snap length */
#define MAX_BLOCK (16u << 20)		/* libpcap's largest pcapng block */
#define MAX_IFACES 4096			/* interfaces in one pcapng section */
#define LINKTYPE_MASK 0x03ffffffu	/* the rest: FCS length bits */
#define SLOTS 3				/* blocks read ahead, with the one
					 * being parsed */
#define ROOM MAX_BLOCK			/* before a slot's block: the unparsed
					 * end of the one before, copied */

#define SHB 0x0a0d0d0au
#define IDB 1u
#define OPB 2u				/* obsolete packet block */
#define SPB 3u
#define EPB 6u
#define BOM 0x1a2b3c4du

/*
 * Reading ahead: on a file (where a read never waits long) a second thread
 * reads the next blocks while this one parses, so the copy out of the page
 * cache costs no time here.  Slot k holds block k of the stream after ROOM
 * bytes, where the parser puts what it has not used of block k - 1: a
 * record that straddles two blocks is then whole in one place.  Only the
 * pages of the room that are written are ever resident.
 */
struct slot {
	uint8_t *mem;			/* ROOM + BLOCK */
	size_t len;			/* bytes of the block */
	int last;			/* the stream ends, or failed, after it */
};

struct ahead {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	const struct capture_src *src;
	struct slot s[SLOTS];
	unsigned filled;		/* blocks read */
	unsigned released;		/* blocks the parser is done with */
	int stop;
	const char *error;		/* why the last read failed */
};

/* The stream, a block of it in buf. */
struct in {
	const struct capture_src *src;
	uint8_t *buf;
	size_t cap, have, at;		/* buf[at..have) not yet used */
	uint64_t base;			/* stream offset of buf[0] */
	int eof;
	const char *error;		/* the source's, when a read failed */
	struct ahead *ahead;		/* reading ahead, or NULL */
	unsigned taken;			/* ... blocks taken from it */
};

/* Up to n bytes: how many, the error's text in *err when one failed. */
static size_t
read_up_to(const struct capture_src *src, uint8_t *buf, size_t n,
    int *end, const char **err)
{
	size_t have = 0;
	ssize_t got = 1;

	while (have < n && (got = src->read(src->arg, buf + have,
	    n - have)) > 0)
		have += (size_t)got;
	*end = got <= 0;
	*err = got < 0 ? (src->error ? src->error(src->arg) : "read error") :
	    NULL;
	if (src->where)
		progress_update(src->where(src->arg));
	return have;
}

static void *
ahead_run(void *arg)
{
	struct ahead *a = arg;
	const char *err;
	struct slot *s;
	unsigned k;
	size_t len;
	int end;

	for (k = 0;; k++) {
		s = &a->s[k % SLOTS];
		pthread_mutex_lock(&a->mu);
		while (!a->stop && k >= a->released + SLOTS)
			pthread_cond_wait(&a->cv, &a->mu);
		end = a->stop;
		pthread_mutex_unlock(&a->mu);
		if (end)
			return NULL;
		len = read_up_to(a->src, s->mem + ROOM, BLOCK, &end, &err);
		pthread_mutex_lock(&a->mu);
		s->len = len;
		s->last = end;
		a->error = err;
		a->filled = k + 1;
		pthread_cond_broadcast(&a->cv);
		pthread_mutex_unlock(&a->mu);
		if (end)
			return NULL;
	}
}

static void
ahead_free(struct ahead *a)
{
	int i;

	for (i = 0; i < SLOTS; i++)
		free(a->s[i].mem);
	free(a);
}

/* Start reading ahead; NULL when it cannot (then read here). */
static struct ahead *
ahead_start(const struct capture_src *src)
{
	struct ahead *a;
	int i;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		return NULL;
	a->src = src;
	for (i = 0; i < SLOTS; i++)
		if ((a->s[i].mem = malloc(ROOM + BLOCK)) == NULL) {
			ahead_free(a);
			return NULL;
		}
	pthread_mutex_init(&a->mu, NULL);
	pthread_cond_init(&a->cv, NULL);
	if (pthread_create(&a->thread, NULL, ahead_run, a) != 0) {
		pthread_mutex_destroy(&a->mu);
		pthread_cond_destroy(&a->cv);
		ahead_free(a);
		return NULL;
	}
	return a;
}

static void
ahead_end(struct ahead *a)
{
	if (a == NULL)
		return;
	pthread_mutex_lock(&a->mu);
	a->stop = 1;
	pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(&a->mu);
	pthread_join(a->thread, NULL);
	pthread_mutex_destroy(&a->mu);
	pthread_cond_destroy(&a->cv);
	ahead_free(a);
}

/* need() from the blocks read ahead: the next one, behind what is left. */
static int
need_ahead(struct in *b, size_t n)
{
	struct ahead *a = b->ahead;
	size_t left;
	struct slot *s;

	while (b->have - b->at < n) {
		if (b->eof)
			return b->error ? -1 : 0;
		pthread_mutex_lock(&a->mu);
		while (a->filled <= b->taken)
			pthread_cond_wait(&a->cv, &a->mu);
		if (a->s[b->taken % SLOTS].last)
			b->error = a->error;
		pthread_mutex_unlock(&a->mu);
		s = &a->s[b->taken % SLOTS];
		left = b->have - b->at;		/* < n <= ROOM */
		if (left > 0)
			memcpy(s->mem + ROOM - left, b->buf + b->at, left);
		b->base += b->at;
		b->buf = s->mem + ROOM - left;
		b->have = left + s->len;
		b->at = 0;
		b->eof = s->last;
		/* the block before is done with */
		pthread_mutex_lock(&a->mu);
		a->released = b->taken;
		pthread_cond_broadcast(&a->cv);
		pthread_mutex_unlock(&a->mu);
		b->taken++;
	}
	return 1;
}

/*
 * At least n bytes at buf + at (n <= ROOM), reading as much as fits: 1, 0
 * when the stream ends first, -1 when a read fails.
 */
static int
need(struct in *b, size_t n)
{
	uint8_t *nb;
	size_t got;
	int end;

	if (b->have - b->at >= n)
		return 1;
	if (b->ahead)
		return need_ahead(b, n);
	if (b->at > 0) {
		memmove(b->buf, b->buf + b->at, b->have - b->at);
		b->have -= b->at;
		b->base += b->at;
		b->at = 0;
	}
	if (n > b->cap) {
		if ((nb = realloc(b->buf, n)) == NULL) {
			b->error = "out of memory";
			return -1;
		}
		b->buf = nb;
		b->cap = n;
	}
	while (b->have < n) {
		if (b->eof)
			return b->error ? -1 : 0;
		got = read_up_to(b->src, b->buf + b->have, b->cap - b->have,
		    &end, &b->error);
		b->eof = end;
		b->have += got;
	}
	return 1;
}

static uint32_t
u32(struct cursor *c, int big)
{
	return big ? cur_be32(c) : cur_le32(c);
}

static uint16_t
u16(struct cursor *c, int big)
{
	return big ? cur_be16(c) : cur_le16(c);
}

/* The packet being handed over, and to whom. */
struct out {
	struct capture_pkt pkt;
	capture_fn *fn;
	void *arg;
};

static void
deliver(struct out *o, uint64_t sec, uint64_t usec, const uint8_t *data,
    uint32_t caplen, uint32_t len)
{
	o->pkt.frame++;
	o->pkt.t = (double)sec + (double)usec / 1e6;	/* as libpcap gave */
	o->pkt.data = data;
	o->pkt.caplen = caplen;
	o->pkt.len = len;
	o->fn(o->arg, &o->pkt);
}

static uint32_t
get32(const uint8_t *p, int swap)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return swap ? __builtin_bswap32(v) : v;
}

/* Why the read stopped at offset off: "ends at byte N, after frame F: ..." */
static void
stop(struct capture_end *end, uint64_t off, const struct capture_pkt *pkt,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
stop(struct capture_end *end, uint64_t off, const struct capture_pkt *pkt,
    const char *fmt, ...)
{
	va_list ap;

	end->cut = 1;
	end->offset = off;
	snprintf(end->why, sizeof(end->why), "ends at byte %llu, after frame "
	    "%lu: ", (unsigned long long)off, pkt->frame);
	va_start(ap, fmt);
	vsnprintf(end->why + strlen(end->why), sizeof(end->why) -
	    strlen(end->why), fmt, ap);
	va_end(ap);
}

/* The stream ended or failed while n bytes were wanted at b->at. */
static void
stop_short(struct in *b, int r, struct capture_end *end,
    const struct capture_pkt *pkt, const char *what, size_t n)
{
	if (r < 0)
		stop(end, b->base + b->at, pkt, "%s", b->error);
	else
		stop(end, b->base + b->at, pkt, "inside %s (%zu of its %zu "
		    "bytes)", what, b->have - b->at, n);
}

/* ---- classic pcap ---- */

static void
read_pcap(struct in *b, struct out *o, struct capture_end *end)
{
	const struct capture_pkt *pkt = &o->pkt;
	const uint8_t *h, *d;
	struct cursor c;
	uint32_t magic, caplen, frac;
	int swap, nsec, r;

	memcpy(&magic, b->buf, 4);
	swap = magic == 0xd4c3b2a1u || magic == 0x4d3cb2a1u;
	nsec = magic == 0xa1b23c4du || magic == 0x4d3cb2a1u;
	o->pkt.linktype = (int)(get32(b->buf + 20, swap) & LINKTYPE_MASK);
	b->at = 24;
	for (;;) {
		/* the records all there, a 16-byte header and its data */
		while (b->have - b->at >= 16) {
			cur_init(&c, b->buf + b->at, b->have - b->at);
			h = cur_bytes(&c, 16);
			if ((caplen = get32(h + 8, swap)) > MAX_CAPLEN) {
				stop(end, b->base + b->at, pkt, "a record of "
				    "%u bytes, over the %u a capture holds",
				    caplen, MAX_CAPLEN);
				return;
			}
			if ((d = cur_bytes(&c, caplen)) == NULL)
				break;
			frac = get32(h + 4, swap);
			deliver(o, get32(h, swap), nsec ? frac / 1000 : frac,
			    d, caplen, get32(h + 12, swap));
			b->at += 16 + (size_t)caplen;
		}
		if (b->have == b->at) {
			if ((r = need(b, 1)) > 0)
				continue;
			if (r < 0)
				stop(end, b->base + b->at, pkt, "%s", b->error);
			return;			/* the end, between records */
		}
		if (b->have - b->at < 16) {
			if ((r = need(b, 16)) <= 0) {
				stop_short(b, r, end, pkt, "a record header",
				    16);
				return;
			}
			continue;
		}
		caplen = get32(b->buf + b->at + 8, swap);
		if ((r = need(b, 16 + (size_t)caplen)) <= 0) {
			stop_short(b, r, end, pkt, "a record",
			    16 + (size_t)caplen);
			return;
		}
	}
}

/* ---- pcapng ---- */

struct iface {
	int linktype;
	uint64_t units;			/* timestamp units a second */
	int64_t offset;			/* seconds added to every timestamp */
};

struct section {
	int big;			/* big-endian section */
	struct iface *ifs;
	uint32_t n, cap;
};

/* An IDB's options: if_tsresol (9) and if_tsoffset (14). */
static void
idb_options(struct cursor *c, int big, struct iface *i)
{
	uint16_t code, len;
	struct cursor v;
	uint8_t res;

	while (cur_left(c) >= 4) {
		code = u16(c, big);
		len = u16(c, big);
		if (code == 0)
			break;
		v = cur_sub(c, len);
		cur_skip(c, (4 - len % 4) % 4);
		if (code == 9 && len >= 1) {
			res = cur_u8(&v);
			/* a power of 10 or 2 that a 64-bit count can hold */
			if (res & 0x80 && (res & 0x7f) < 64)
				i->units = 1ull << (res & 0x7f);
			else if (!(res & 0x80) && res <= 19)
				for (i->units = 1; res > 0; res--)
					i->units *= 10;
		} else if (code == 14 && len >= 8) {
			uint64_t lo = u32(&v, big), hi = u32(&v, big);

			i->offset = (int64_t)(big ? lo << 32 | hi :
			    hi << 32 | lo);
		}
	}
}

static int
add_iface(struct section *s, struct cursor *body)
{
	struct iface *ni;

	if (s->n == s->cap) {
		if (s->cap >= MAX_IFACES)
			return -1;
		if ((ni = realloc(s->ifs, (s->cap ? s->cap * 2 : 8) *
		    sizeof(*ni))) == NULL)
			return -1;
		s->ifs = ni;
		s->cap = s->cap ? s->cap * 2 : 8;
	}
	ni = &s->ifs[s->n];
	ni->linktype = u16(body, s->big);
	cur_skip(body, 6);		/* reserved, snap length */
	ni->units = 1000000;
	ni->offset = 0;
	if (!cur_ok(body))
		return -1;
	idb_options(body, s->big, ni);
	s->n++;
	return 0;
}

/* A packet of interface i at timestamp ts (its units). */
static void
ng_packet(struct out *o, const struct iface *i, uint64_t ts,
    const uint8_t *data, uint32_t caplen, uint32_t len)
{
	uint64_t sec = ts / i->units, frac = ts % i->units;

	o->pkt.linktype = i->linktype;
	deliver(o, sec + (uint64_t)i->offset,
	    (uint64_t)((unsigned __int128)frac * 1000000 / i->units), data,
	    caplen, len);
}

/* One block's body (type t); 0, or -1 with the reason in *why. */
static int
ng_block(struct section *s, uint32_t t, struct cursor *body,
    struct out *o, const char **why)
{
	uint32_t ifid, hi, lo, caplen, len;
	const uint8_t *data;

	switch (t) {
	case IDB:
		if (add_iface(s, body) != 0) {
			*why = "an interface description that cannot be read";
			return -1;
		}
		return 0;
	case EPB:
	case OPB:
		ifid = t == EPB ? u32(body, s->big) : u16(body, s->big);
		if (t == OPB)
			cur_skip(body, 2);	/* drops */
		hi = u32(body, s->big);
		lo = u32(body, s->big);
		caplen = u32(body, s->big);
		len = u32(body, s->big);
		break;
	case SPB:
		ifid = 0;
		hi = lo = 0;
		len = u32(body, s->big);
		caplen = cur_left(body) < len ? (uint32_t)cur_left(body) : len;
		break;
	default:
		return 0;		/* statistics, names, comments, ... */
	}
	if (!cur_ok(body) || (data = cur_bytes(body, caplen)) == NULL) {
		*why = "a packet block shorter than its packet";
		return -1;
	}
	if (ifid >= s->n) {
		*why = "a packet of an interface never described";
		return -1;
	}
	ng_packet(o, &s->ifs[ifid], (uint64_t)hi << 32 | lo, data, caplen,
	    len);
	return 0;
}

static void
read_pcapng(struct in *b, struct out *o, struct capture_end *end)
{
	const struct capture_pkt *pkt = &o->pkt;
	struct section s;
	struct cursor c, body;
	const char *why;
	uint32_t t, len, bom;
	uint16_t major;
	int r;

	memset(&s, 0, sizeof(s));
	for (;;) {
		if ((r = need(b, 12)) <= 0) {
			if (r < 0)
				stop(end, b->base + b->at, pkt, "%s", b->error);
			else if (b->have > b->at)
				stop_short(b, r, end, pkt, "a block header",
				    12);
			break;
		}
		cur_init(&c, b->buf + b->at, 12);
		t = cur_le32(&c);	/* SHB's reads the same both ways */
		if (t == SHB) {
			len = cur_le32(&c);
			bom = cur_le32(&c);
			if (bom != BOM && bom != 0x4d3c2b1au) {
				stop(end, b->base + b->at, pkt, "a section "
				    "header without its byte-order mark");
				break;
			}
			s.big = bom != BOM;
			s.n = 0;	/* a new section: new interfaces */
			if (s.big)
				len = __builtin_bswap32(len);
		} else {
			if (s.big)
				t = __builtin_bswap32(t);
			len = u32(&c, s.big);
		}
		if (len < 12 || len % 4 != 0 || len > MAX_BLOCK) {
			stop(end, b->base + b->at, pkt, "a block length of "
			    "%u bytes", len);
			break;
		}
		if ((r = need(b, len)) <= 0) {
			stop_short(b, r, end, pkt, "a block", len);
			break;
		}
		cur_init(&c, b->buf + b->at + len - 4, 4);
		if (u32(&c, s.big) != len) {
			stop(end, b->base + b->at, pkt, "a block whose two "
			    "lengths differ");
			break;
		}
		cur_init(&body, b->buf + b->at + 8, len - 12);
		if (t == SHB) {
			cur_skip(&body, 4);
			if ((major = u16(&body, s.big)) != 1) {
				stop(end, b->base + b->at, pkt, "a section of "
				    "pcapng version %u, not 1", major);
				break;
			}
		} else if (ng_block(&s, t, &body, o, &why) != 0) {
			stop(end, b->base + b->at, pkt, "%s", why);
			break;
		}
		b->at += len;
	}
	free(s.ifs);
}

/* ---- the entry points ---- */

int
capture_read(const struct capture_src *src, capture_fn *fn, void *arg,
    struct capture_end *end, char *errbuf, size_t errlen)
{
	struct cursor c;
	struct out o;
	struct in b;
	uint32_t magic;
	uint16_t major;
	int r, rc = 0, ng;

	memset(end, 0, sizeof(*end));
	memset(&o, 0, sizeof(o));
	memset(&b, 0, sizeof(b));
	o.fn = fn;
	o.arg = arg;
	b.src = src;
	if (src->ahead)
		b.ahead = ahead_start(src);
	b.cap = BLOCK;
	if (b.ahead == NULL && (b.buf = malloc(b.cap)) == NULL) {
		snprintf(errbuf, errlen, "out of memory");
		return ERR_NOMEM;
	}
	if ((r = need(&b, 24)) <= 0 && (r < 0 || b.have < 12)) {
		snprintf(errbuf, errlen, "%s", r < 0 ? b.error :
		    "too short for a capture's header");
		rc = ERR_IO;
		goto out;
	}
	cur_init(&c, b.buf, b.have);
	magic = cur_le32(&c);
	ng = magic == SHB;
	if (!ng && magic != 0xa1b2c3d4u && magic != 0xa1b23c4du &&
	    magic != 0xd4c3b2a1u && magic != 0x4d3cb2a1u) {
		snprintf(errbuf, errlen, "not a pcap or pcapng capture");
		rc = ERR_IO;
		goto out;
	}
	if (!ng) {
		major = u16(&c, magic == 0xd4c3b2a1u || magic == 0x4d3cb2a1u);
		if (b.have < 24 || major != 2) {
			snprintf(errbuf, errlen, b.have < 24 ? "too short for "
			    "a capture's header" : "pcap version %u, not 2",
			    major);
			rc = ERR_IO;
			goto out;
		}
		read_pcap(&b, &o, end);
	} else {
		cur_skip(&c, 4);
		magic = cur_le32(&c);
		if (magic != BOM && magic != 0x4d3c2b1au) {
			snprintf(errbuf, errlen, "a pcapng file without its "
			    "byte-order mark");
			rc = ERR_IO;
			goto out;
		}
		read_pcapng(&b, &o, end);
	}
	end->frames = o.pkt.frame;
	if (!end->cut)
		end->offset = b.base + b.at;
out:
	if (b.ahead)
		ahead_end(b.ahead);
	else
		free(b.buf);
	return rc;
}

static ssize_t
fd_read(void *arg, void *buf, size_t n)
{
	ssize_t got;

	while ((got = read(*(int *)arg, buf, n)) < 0 && errno == EINTR)
		;
	return got;
}

static const char *
fd_error(void *arg)
{
	(void)arg;
	return strerror(errno);
}

int
capture_read_file(const char *path, capture_fn *fn, void *arg, int *cut,
    char *errbuf, size_t errlen)
{
	struct capture_src src = { fd_read, fd_error, NULL, NULL, 0 };
	struct capture_end end;
	int fd, rc;

	*cut = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(errbuf, errlen, "cannot read capture %s: %s", path,
		    strerror(errno));
		return ERR_IO;
	}
	src.arg = &fd;
	rc = capture_read(&src, fn, arg, &end, errbuf, errlen);
	close(fd);
	if (rc == 0 && end.cut) {
		*cut = 1;
		snprintf(errbuf, errlen, "%s", end.why);
	}
	return rc;
}
