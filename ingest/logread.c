/* logread.c - bounded line reader for logs: UTF-16 BOM, CRLF. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define SCAN_AVX2	1
#else
#define SCAN_AVX2	0
#endif

#include "error.h"
#include "ingest.h"
#include "logread.h"
#include "progress.h"
#include "report.h"

/*
 * Reads of CHUNK land straight in buf, small enough to stay in the cache
 * while the lines are split.
 */
#define CHUNK	(256 * 1024)

const char *
logread_error(struct logread *lr)
{
	return lr->in && lr->failed ? ingest_error(lr->in) : "read error";
}

void
logread_result(struct logread *lr, unsigned long lines, struct input *res)
{
	const char *packing = lr->in ? lr->in->packing : NULL;

	if (lr->failed) {
		res->status = INPUT_CUT;
		snprintf(res->detail, sizeof(res->detail), "ends after line "
		    "%lu: %s", lines, logread_error(lr));
		return;
	}
	res->status = INPUT_READ;
	snprintf(res->detail, sizeof(res->detail), "%lu line%s%s%s", lines,
	    lines == 1 ? "" : "s", packing ? ", " : "", packing ? packing : "");
}

const char *
logread_enc_name(enum logread_enc enc)
{
	switch (enc) {
	case LOGREAD_UTF16LE:
		return "UTF-16LE";
	case LOGREAD_UTF16BE:
		return "UTF-16BE";
	default:
		return "bytes";
	}
}

/* Append one code point as UTF-8; out has room for 3 bytes. */
static size_t
put_utf8(uint8_t *out, unsigned cp)
{
	if (cp < 0x80) {
		out[0] = (uint8_t)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (uint8_t)(0xc0 | cp >> 6);
		out[1] = (uint8_t)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp >= 0xd800 && cp < 0xe000)
		cp = 0xfffd;	/* surrogates: not worth pairing in a log */
	out[0] = (uint8_t)(0xe0 | cp >> 12);
	out[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
	out[2] = (uint8_t)(0x80 | (cp & 0x3f));
	return 3;
}

/* Decode UTF-16 code units from c into out (room for 3 per unit). */
static size_t
utf16_decode(struct cursor *c, enum logread_enc enc, uint8_t *out)
{
	size_t o = 0;

	while (cur_left(c) >= 2) {
		unsigned cp = enc == LOGREAD_UTF16LE ? cur_le16(c) :
		    cur_be16(c);

		o += put_utf8(out + o, cp);
	}
	return o;
}

/* n bytes, or fewer at the end; -1 when a read fails. */
static ssize_t
read_full(struct logread *lr, uint8_t *buf, size_t n)
{
	size_t have = 0;
	ssize_t got;

	while (have < n && (got = ingest_read(lr->in, buf + have,
	    n - have)) != 0) {
		if (got < 0) {
			lr->failed = 1;
			return -1;
		}
		have += (size_t)got;
	}
	return (ssize_t)have;
}

int
logread_start(struct logread *lr, struct ingest_file *f, char *errbuf,
    size_t errlen)
{
	uint8_t bom[3];
	ssize_t n, m;

	memset(lr, 0, sizeof(*lr));
	lr->in = f;
	lr->gzipped = f->packing && strcmp(f->packing, "gzip") == 0;
	lr->size = f->size;
	lr->cap = LOGREAD_MAX_LINE + 3 * CHUNK / 2 + 8;
	if ((lr->buf = malloc(lr->cap)) == NULL) {
		logread_close(lr);
		snprintf(errbuf, errlen, "out of memory");
		return ERR_NOMEM;
	}
	if ((n = read_full(lr, bom, 2)) < 0) {
		snprintf(errbuf, errlen, "%s", ingest_error(f));
		logread_close(lr);
		return ERR_IO;
	}
	if (n == 2 && bom[0] == 0xff && bom[1] == 0xfe)
		lr->enc = LOGREAD_UTF16LE;
	else if (n == 2 && bom[0] == 0xfe && bom[1] == 0xff)
		lr->enc = LOGREAD_UTF16BE;
	else if (n == 2 && bom[0] == 0xef && bom[1] == 0xbb) {
		m = read_full(lr, bom + 2, 1);
		if (m != 1 || bom[2] != 0xbf) {
			lr->len = m == 1 ? 3 : 2;
			memcpy(lr->buf, bom, lr->len);
		}
	} else {
		memcpy(lr->buf, bom, (size_t)n);
		lr->len = (size_t)n;
	}
	if (lr->enc != LOGREAD_BYTES &&
	    (lr->raw = malloc(CHUNK + 2)) == NULL) {
		logread_close(lr);
		snprintf(errbuf, errlen, "out of memory");
		return ERR_NOMEM;
	}
	return 0;
}

int
logread_open(struct logread *lr, const char *path, char *errbuf,
    size_t errlen)
{
	struct ingest_file *f;
	int rc;

	memset(lr, 0, sizeof(*lr));
	if ((f = calloc(1, sizeof(*f))) == NULL) {
		snprintf(errbuf, errlen, "%s: out of memory", path);
		return ERR_NOMEM;
	}
	if ((rc = ingest_open(f, path, errbuf, errlen)) != 0 ||
	    (rc = logread_start(lr, f, errbuf, errlen)) != 0) {
		ingest_close(f);
		free(f);
		return rc;
	}
	lr->own = f;
	return 0;
}

void
logread_close(struct logread *lr)
{
	if (lr->progress)
		progress_end();
	if (lr->own) {
		ingest_close(lr->own);
		free(lr->own);
	}
	free(lr->buf);
	free(lr->raw);
	memset(lr, 0, sizeof(*lr));
}

void
logread_progress(struct logread *lr, const char *label)
{
	if (lr->in == NULL || lr->size == 0)
		return;
	progress_start(lr->size, label);
	lr->progress = 1;
}

/*
 * Read at most limit bytes and decode them into to, which has room for
 * room bytes of text; sets eof.  Returns how many, or -ERR_IO.
 */
static long
read_text(struct logread *lr, uint8_t *to, size_t room, size_t limit)
{
	size_t want, got;
	struct cursor c;
	uint8_t *in;
	ssize_t n;

	if (lr->eof || room < 8)
		return 0;
	room -= 8;	/* a carried byte may add one code unit */
	want = lr->enc == LOGREAD_BYTES ? room : room * 2 / 3;
	if (lr->enc != LOGREAD_BYTES && limit > CHUNK)
		limit = CHUNK;		/* the size of raw */
	if (want > limit)
		want = limit;
	want &= ~(size_t)1;
	if (want == 0)
		return 0;
	in = lr->enc == LOGREAD_BYTES ? to : lr->raw;
	memcpy(in, lr->carry, lr->n_carry);
	n = ingest_read(lr->in, in + lr->n_carry, want);
	if (n < 0) {
		lr->failed = 1;
		return -ERR_IO;
	}
	if (n == 0)
		lr->eof = 1;
	if (lr->progress)
		progress_update(ingest_disk_offset(lr->in));
	got = lr->n_carry + (size_t)n;
	lr->n_carry = 0;
	if (lr->enc == LOGREAD_BYTES)
		return (long)got;
	cur_init(&c, lr->raw, got & ~(size_t)1);
	if (got & 1) {
		lr->carry[0] = lr->raw[got - 1];
		lr->n_carry = 1;
	}
	return (long)utf16_decode(&c, lr->enc, to);
}

/* Read more text to the end of buf; sets eof.  0 or -ERR_IO. */
static int
fill(struct logread *lr)
{
	long got;

	if ((got = read_text(lr, lr->buf + lr->len, lr->cap - lr->len,
	    CHUNK)) < 0)
		return -ERR_IO;
	lr->len += (size_t)got;
	return 0;
}

static void
compact(struct logread *lr)
{
	if (lr->pos == 0)
		return;
	memmove(lr->buf, lr->buf + lr->pos, lr->len - lr->pos);
	lr->len -= lr->pos;
	lr->pos = 0;
}

/* Drop text up to and including the next LF. */
static int
skip_line(struct logread *lr)
{
	struct cursor c;
	int found = 0;

	for (;;) {
		cur_init(&c, lr->buf + lr->pos, lr->len - lr->pos);
		(void)cur_until(&c, '\n', &found);
		if (found) {
			lr->pos = lr->len - cur_left(&c);
			return 0;
		}
		lr->pos = lr->len = 0;
		if (lr->eof)
			return 0;
		if (fill(lr) != 0)
			return -ERR_IO;
	}
}

int
logread_next(struct logread *lr, struct cursor *line, int *too_long)
{
	const uint8_t *p, *nl;
	size_t avail, n;

	*too_long = 0;
	cur_init(line, NULL, 0);
	for (;;) {
		p = lr->buf + lr->pos;
		avail = lr->len - lr->pos;
		nl = avail > lr->scanned ? memchr(p + lr->scanned, '\n',
		    avail - lr->scanned) : NULL;
		if (nl != NULL || (lr->eof && avail > 0)) {
			n = nl ? (size_t)(nl - p) : avail;
			lr->pos += nl ? n + 1 : n;
			lr->scanned = 0;
			lr->lineno++;
			if (n > 0 && p[n - 1] == '\r')
				n--;
			if (n > LOGREAD_MAX_LINE)
				goto long_line;
			cur_init(line, p, n);
			return 1;
		}
		if (lr->eof)
			return 0;
		lr->scanned = avail;
		if (avail > LOGREAD_MAX_LINE) {
			lr->lineno++;
			lr->scanned = 0;
			if (skip_line(lr) != 0)
				return -ERR_IO;
			goto long_line;
		}
		compact(lr);
		if (fill(lr) != 0)
			return -ERR_IO;
	}
long_line:
	if (lr->n_long++ == 0)
		lr->first_long = lr->lineno;
	*too_long = 1;
	cur_init(line, NULL, 0);
	return 1;
}

int
logread_block(struct logread *lr, uint8_t *buf, size_t cap, size_t want,
    size_t *len)
{
	size_t have, tail, seen = 0;
	uint8_t *nb;
	long got;

	*len = 0;
	if (lr->cap < cap) {	/* the tail kept below may be nearly cap */
		if ((nb = realloc(lr->buf, cap)) == NULL)
			return -ERR_NOMEM;
		lr->buf = nb;
		lr->cap = cap;
	}
	/* start with what the last call left: the head of a line */
	have = lr->len - lr->pos;
	if (have > cap) {
		/* more than a block is left (after a skipped line) */
		const uint8_t *p = lr->buf + lr->pos;

		for (tail = cap; tail > 0 && p[tail - 1] != '\n'; tail--)
			;
		if (tail == 0) {	/* another line too long */
			nb = memchr(p, '\n', have);
			if (nb != NULL) {
				lr->pos += (size_t)(nb - p) + 1;
				return 2;
			}
			lr->pos = lr->len = 0;
			return skip_line(lr) != 0 ? -ERR_IO : 2;
		}
		memcpy(buf, p, tail);
		lr->pos += tail;
		*len = tail;
		return 1;
	}
	memcpy(buf, lr->buf + lr->pos, have);
	lr->pos = lr->len = 0;
	/*
	 * Read want bytes, then on until the block holds a whole line.  With
	 * 16 bytes of room a read asks for some: it moves or ends.
	 */
	while (!lr->eof && cap - have >= 16) {
		if (have >= want) {
			if (memchr(buf + seen, '\n', have - seen) != NULL)
				break;
			seen = have;
		}
		if ((got = read_text(lr, buf + have, cap - have,
		    have + 64 < want ? want - have : CHUNK)) < 0)
			return -ERR_IO;
		have += (size_t)got;
	}
	if (have == 0)
		return 0;
	if (lr->eof) {
		*len = have;	/* the last line may lack its LF */
		return 1;
	}
	for (tail = have; tail > 0 && buf[tail - 1] != '\n'; tail--)
		;
	if (tail == 0) {
		/* one line fills the whole block: drop it up to its LF */
		if (skip_line(lr) != 0)
			return -ERR_IO;
		return 2;
	}
	/* keep the head of the next line for the next call */
	memcpy(lr->buf, buf + tail, have - tail);
	lr->len = have - tail;
	*len = tail;
	return 1;
}

#if defined(__SSE2__)
/* A bit for each byte of the 64 at p that equals d. */
static inline __attribute__((always_inline)) uint64_t
mask64(const uint8_t *p, __m128i d)
{
	uint64_t m0, m1, m2, m3;

	m0 = (uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(
	    _mm_loadu_si128((const __m128i *)p), d));
	m1 = (uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(
	    _mm_loadu_si128((const __m128i *)(p + 16)), d));
	m2 = (uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(
	    _mm_loadu_si128((const __m128i *)(p + 32)), d));
	m3 = (uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(
	    _mm_loadu_si128((const __m128i *)(p + 48)), d));
	return m0 | m1 << 16 | m2 << 32 | m3 << 48;
}
#endif

#if SCAN_AVX2
/* The same, 32 bytes to an instruction, for CPUs that have AVX2. */
static inline __attribute__((target("avx2"))) uint64_t
mask64_avx2(const uint8_t *p, uint8_t c)
{
	__m256i d = _mm256_set1_epi8((char)c);
	uint64_t lo, hi;

	lo = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(
	    _mm256_loadu_si256((const __m256i *)p), d));
	hi = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(
	    _mm256_loadu_si256((const __m256i *)(p + 32)), d));
	return lo | hi << 32;
}
#endif

/*
 * Set bits in m, by halves, nibbles and bytes: without -mpopcnt the
 * builtin is a call into libgcc.
 */
static inline int
bits(uint64_t m)
{
	m -= (m >> 1) & 0x5555555555555555ULL;
	m = (m & 0x3333333333333333ULL) + ((m >> 2) & 0x3333333333333333ULL);
	m = (m + (m >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	return (int)((m * 0x0101010101010101ULL) >> 56);
}

/*
 * Sixty-four bytes at a time: a bit per separator and per LF.  While fewer
 * than max are kept, every separator of the 64 is written out (sep has
 * room for LOGREAD_SCAN_SEP), without a branch per separator; n counts
 * them all.  Inlined twice: with SSE2, and with AVX2 where the CPU has it
 * (wide), where counting bits is one instruction too.
 */
static inline __attribute__((always_inline)) void
scan64(const uint8_t *p, size_t avail, uint8_t sepc, uint32_t *sep, int max,
    struct logread_line *out, int wide)
{
	size_t i = 0;
	int n = 0;		/* in a register: sep may alias out */
	uint8_t tail[64];

	for (; i < avail; i += 64) {
		const uint8_t *at = p + i;
		uint64_t ms = 0, ml = 0;
		unsigned end = 64;
		uint32_t *o;

		if (avail - i < 64) {	/* never read past the end */
			memset(tail, '\n', sizeof(tail));
			memcpy(tail, at, avail - i);
			at = tail;
		}
#if SCAN_AVX2
		if (wide) {
			ms = mask64_avx2(at, sepc);
			ml = mask64_avx2(at, '\n');
		}
#endif
#if defined(__SSE2__)
		if (!wide) {
			ms = mask64(at, _mm_set1_epi8((char)sepc));
			ml = mask64(at, _mm_set1_epi8('\n'));
		}
#endif
		if (ml) {
			end = (unsigned)__builtin_ctzll(ml);
			ms &= (1ULL << end) - 1;
		}
		if (n < max && ms) {
			int k = wide ? __builtin_popcountll(ms) : bits(ms);

			for (o = sep + n; ms; o += 4) {
				o[0] = (uint32_t)(i + (size_t)__builtin_ctzll(ms));
				ms &= ms - 1;
				o[1] = (uint32_t)(i + (size_t)
				    (ms ? __builtin_ctzll(ms) : 0));
				ms &= ms - 1;
				o[2] = (uint32_t)(i + (size_t)
				    (ms ? __builtin_ctzll(ms) : 0));
				ms &= ms - 1;
				o[3] = (uint32_t)(i + (size_t)
				    (ms ? __builtin_ctzll(ms) : 0));
				ms &= ms - 1;
			}
			n += k;
		} else if (ms) {
			n += wide ? __builtin_popcountll(ms) : bits(ms);
		}
		if (ml) {
			out->len = i + end < avail ? i + end : avail;
			out->next = out->len < avail ? out->len + 1 : avail;
			out->n_rec = n < max ? n : max;
			out->n_sep = n;
			return;
		}
	}
	out->len = out->next = avail;
	out->n_rec = n < max ? n : max;
	out->n_sep = n;
}

#if SCAN_AVX2
static __attribute__((target("avx2,popcnt,bmi"))) void
scan_avx2(const uint8_t *p, size_t avail, uint8_t sepc, uint32_t *sep,
    int max, struct logread_line *out)
{
	scan64(p, avail, sepc, sep, max, out, 1);
}
#endif

/* 0 not chosen yet, else 1 + the LOGREAD_SCAN_ level in use */
static int scan_level;

int
logread_scan_level(int level)
{
	int best = LOGREAD_SCAN_BYTES;

#if defined(__SSE2__)
	best = LOGREAD_SCAN_SSE2;
#endif
#if SCAN_AVX2
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx2") &&
	    __builtin_cpu_supports("popcnt") && __builtin_cpu_supports("bmi"))
		best = LOGREAD_SCAN_AVX2;
#endif
	if (level < 0 || level > best)
		level = best;
	__atomic_store_n(&scan_level, level + 1, __ATOMIC_RELAXED);
	return level;
}

void
logread_scan(const uint8_t *p, size_t avail, uint8_t sepc, uint32_t *sep,
    int max, struct logread_line *out)
{
	int level = __atomic_load_n(&scan_level, __ATOMIC_RELAXED) - 1;
	size_t i;
	int n = 0;

	if (level < 0)
		level = logread_scan_level(-1);
	if (avail > UINT32_MAX)
		avail = UINT32_MAX;
	if (max > LOGREAD_MAX_FIELDS)
		max = LOGREAD_MAX_FIELDS;
#if SCAN_AVX2
	if (level == LOGREAD_SCAN_AVX2) {
		scan_avx2(p, avail, sepc, sep, max, out);
		return;
	}
#endif
#if defined(__SSE2__)
	if (level == LOGREAD_SCAN_SSE2) {
		scan64(p, avail, sepc, sep, max, out, 0);
		return;
	}
#endif
	for (i = 0; i < avail && p[i] != '\n'; i++)
		if (p[i] == sepc) {
			if (n < max)
				sep[n] = (uint32_t)i;
			n++;
		}
	out->len = i;
	out->next = i < avail ? i + 1 : avail;
	out->n_rec = n < max ? n : max;
	out->n_sep = n;
}

size_t
logread_head(const uint8_t *raw, size_t n, uint8_t *out, size_t outsz)
{
	uint8_t tmp[8192];
	const uint8_t *p = raw;
	struct cursor c;
	size_t len = n, o = 0;
	z_stream zs;

	if (n >= 2 && raw[0] == 0x1f && raw[1] == 0x8b) {
		memset(&zs, 0, sizeof(zs));
		if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
			return 0;
		zs.next_in = (Bytef *)(uintptr_t)raw;
		zs.avail_in = (uInt)n;
		zs.next_out = tmp;
		zs.avail_out = sizeof(tmp);
		(void)inflate(&zs, Z_SYNC_FLUSH);
		len = sizeof(tmp) - zs.avail_out;
		inflateEnd(&zs);
		p = tmp;
	}
	cur_init(&c, p, len);
	if (len >= 2 && ((p[0] == 0xff && p[1] == 0xfe) ||
	    (p[0] == 0xfe && p[1] == 0xff))) {
		enum logread_enc enc = p[0] == 0xff ? LOGREAD_UTF16LE :
		    LOGREAD_UTF16BE;

		cur_skip(&c, 2);
		while (cur_left(&c) >= 2 && o + 3 < outsz) {
			unsigned cp = enc == LOGREAD_UTF16LE ? cur_le16(&c) :
			    cur_be16(&c);

			o += put_utf8(out + o, cp);
		}
		return o;
	}
	if (len >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
		cur_skip(&c, 3);
	o = cur_left(&c) < outsz ? cur_left(&c) : outsz;
	if (o > 0)
		memcpy(out, cur_bytes(&c, o), o);
	return o;
}
