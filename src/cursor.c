/* cursor.c - bounds-checked reads over untrusted bytes, and DER TLVs. */
#define _DEFAULT_SOURCE	/* timegm */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cursor.h"
#include "error.h"

void
cur_init(struct cursor *c, const void *data, size_t len)
{
	c->ptr = data;
	c->len = data ? len : 0;
	c->err = 0;
}

void
cur_fail(struct cursor *c, int err)
{
	if (c->err == 0)
		c->err = err ? err : ERR_MALFORMED;
	c->len = 0;
}

static int
need(struct cursor *c, size_t n)
{
	if (c->err)
		return 0;
	if (c->len < n) {
		cur_fail(c, ERR_TRUNCATED);
		return 0;
	}
	return 1;
}

uint8_t
cur_u8(struct cursor *c)
{
	uint8_t v;

	if (!need(c, 1))
		return 0;
	v = c->ptr[0];
	c->ptr++;
	c->len--;
	return v;
}

uint16_t
cur_be16(struct cursor *c)
{
	const uint8_t *p = cur_bytes(c, 2);

	return p ? (uint16_t)(p[0] << 8 | p[1]) : 0;
}

uint32_t
cur_be32(struct cursor *c)
{
	const uint8_t *p = cur_bytes(c, 4);

	return p ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3] : 0;
}

uint16_t
cur_le16(struct cursor *c)
{
	const uint8_t *p = cur_bytes(c, 2);

	return p ? (uint16_t)(p[1] << 8 | p[0]) : 0;
}

uint32_t
cur_le32(struct cursor *c)
{
	const uint8_t *p = cur_bytes(c, 4);

	return p ? (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[1] << 8 | p[0] : 0;
}

uint64_t
cur_le64(struct cursor *c)
{
	uint64_t lo = cur_le32(c);
	uint64_t hi = cur_le32(c);

	return hi << 32 | lo;
}

int
cur_peek_u8(const struct cursor *c, uint8_t *out)
{
	if (c->err || c->len == 0)
		return 0;
	*out = c->ptr[0];
	return 1;
}

const uint8_t *
cur_bytes(struct cursor *c, size_t n)
{
	const uint8_t *p;

	if (!need(c, n))
		return NULL;
	p = c->ptr;
	c->ptr += n;
	c->len -= n;
	return p;
}

void
cur_skip(struct cursor *c, size_t n)
{
	(void)cur_bytes(c, n);
}

struct cursor
cur_sub(struct cursor *c, size_t n)
{
	struct cursor sub;
	const uint8_t *p = cur_bytes(c, n);

	cur_init(&sub, p, p ? n : 0);
	if (!p)
		sub.err = c->err;
	return sub;
}

void
cur_str(struct cursor *c, size_t n, char *buf, size_t bufsz)
{
	const uint8_t *p = cur_bytes(c, n);
	size_t i, o = 0;

	if (bufsz == 0)
		return;
	if (p) {
		for (i = 0; i < n && o + 1 < bufsz; i++)
			buf[o++] = (p[i] >= 0x20 && p[i] < 0x7f) ? (char)p[i] : '?';
	}
	buf[o] = '\0';
}

size_t
cur_offset(const struct cursor *c, const void *base)
{
	return (size_t)(c->ptr - (const uint8_t *)base);
}

struct cursor
cur_until(struct cursor *c, uint8_t delim, int *found)
{
	struct cursor out;
	const uint8_t *hit;

	*found = 0;
	if (c->err) {
		cur_init(&out, NULL, 0);
		return out;
	}
	hit = memchr(c->ptr, delim, c->len);
	if (!hit)
		return cur_sub(c, c->len);
	*found = 1;
	out = cur_sub(c, (size_t)(hit - c->ptr));
	cur_skip(c, 1);
	return out;
}

struct cursor
cur_line(struct cursor *c, int *found)
{
	struct cursor line = cur_until(c, '\n', found);

	if (line.len > 0 && line.ptr[line.len - 1] == '\r')
		line.len--;
	return line;
}

/* Identifier and length of one TLV; the value is left in c. */
static int
der_head(struct cursor *c, struct der *out, size_t *lenp)
{
	uint8_t id, lb;
	size_t len = 0;

	cur_init(&out->body, NULL, 0);
	id = cur_u8(c);
	if (!cur_ok(c))
		goto out;
	out->cls = id >> 6;
	out->constructed = (id & 0x20) != 0;
	out->tag = id & 0x1f;
	if (out->tag == 0x1f) {
		uint32_t t = 0;
		int i;

		for (i = 0; i < 4; i++) {
			uint8_t b = cur_u8(c);

			t = t << 7 | (b & 0x7f);
			if (!(b & 0x80))
				break;
		}
		if (i == 4)
			cur_fail(c, ERR_UNSUPPORTED);
		out->tag = t;
	}
	lb = cur_u8(c);
	if (lb < 0x80) {
		len = lb;
	} else if (lb == 0x80 || lb > 0x84) {
		/* indefinite or absurd lengths are not DER */
		cur_fail(c, ERR_UNSUPPORTED);
	} else {
		int i;

		for (i = 0; i < (lb & 0x7f); i++)
			len = len << 8 | cur_u8(c);
	}
out:
	out->body.err = c->err;
	*lenp = len;
	return c->err;
}

int
der_next(struct cursor *c, struct der *out)
{
	size_t len;

	if (der_head(c, out, &len) != 0)
		return c->err;
	out->body = cur_sub(c, len);
	return c->err;
}

int
der_next_partial(struct cursor *c, struct der *out)
{
	size_t len;

	if (der_head(c, out, &len) != 0)
		return c->err;
	if (len <= c->len) {
		out->body = cur_sub(c, len);
		return c->err;
	}
	out->body = cur_sub(c, c->len);
	cur_fail(c, ERR_TRUNCATED);
	return ERR_TRUNCATED;
}

struct cursor
der_expect(struct cursor *c, uint8_t ident)
{
	struct cursor bad;
	struct der d;
	uint8_t b;

	cur_init(&bad, NULL, 0);
	if (!cur_peek_u8(c, &b) || b != ident) {
		cur_fail(c, ERR_MALFORMED);
		bad.err = c->err;
		return bad;
	}
	if (der_next(c, &d) != 0) {
		bad.err = c->err;
		return bad;
	}
	return d.body;
}

int
der_optional(struct cursor *c, uint8_t ident, struct cursor *body)
{
	uint8_t b;

	if (!cur_peek_u8(c, &b) || b != ident)
		return 0;
	*body = der_expect(c, ident);
	return cur_ok(c);
}

/* Error of a value whose own bounds were (outer == 0) or were not whole. */
static int
join(int outer, int inner)
{
	if (outer != 0)
		return outer;
	return inner == ERR_TRUNCATED ? ERR_MALFORMED : inner;
}

int
der_each(struct cursor *body, int trunc, der_fn *fn, void *arg)
{
	struct der d;
	int r = trunc ? ERR_TRUNCATED : 0, e, f;

	while (!cur_empty(body)) {
		e = der_next_partial(body, &d);
		if (e == 0 || (e == ERR_TRUNCATED && d.constructed &&
		    cur_ok(&d.body))) {
			f = fn(arg, &d);
			if (e == 0)
				e = f;
		}
		if (e != 0)
			return join(r, e);
	}
	return r;
}

int
der_walk(struct cursor *c, uint8_t ident, der_fn *fn, void *arg)
{
	struct der d;
	uint8_t b;
	int r;

	if (!cur_peek_u8(c, &b))
		return cur_ok(c) ? ERR_MALFORMED : c->err;
	if (b != ident)
		return ERR_MALFORMED;
	r = der_next_partial(c, &d);
	if (r != 0 && r != ERR_TRUNCATED)
		return r;
	if (!cur_ok(&d.body))
		return d.body.err;
	return der_each(&d.body, r != 0, fn, arg);
}

long long
der_int(struct cursor *body)
{
	unsigned long long v = 0;
	size_t n = cur_left(body), i;
	uint8_t first;

	if (n == 0 || n > 8) {
		cur_fail(body, n ? ERR_TOO_LARGE : ERR_MALFORMED);
		return 0;
	}
	first = body->ptr[0];
	for (i = 0; i < n; i++)
		v = v << 8 | cur_u8(body);
	if ((first & 0x80) && n < 8)
		v |= ~0ULL << (8 * n);
	return (long long)v;
}

static int
digits(const char *s, int n)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

long long
der_time(struct cursor *body)
{
	char s[16];
	struct tm tm;
	int f[6], i;
	static const int w[6] = { 4, 2, 2, 2, 2, 2 };
	const char *p = s;
	const uint8_t *b;

	if (cur_left(body) != 15) {
		cur_fail(body, ERR_MALFORMED);
		return -1;
	}
	if ((b = cur_bytes(body, 15)) == NULL)
		return -1;
	memcpy(s, b, 15);
	if (s[14] != 'Z')
		return -1;
	for (i = 0; i < 6; i++) {
		f[i] = digits(p, w[i]);
		if (f[i] < 0)
			return -1;
		p += w[i];
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = f[0] - 1900;
	tm.tm_mon = f[1] - 1;
	tm.tm_mday = f[2];
	tm.tm_hour = f[3];
	tm.tm_min = f[4];
	tm.tm_sec = f[5];
	if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 ||
	    tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
	    tm.tm_sec > 60)
		return -1;
	return (long long)timegm(&tm);
}

int
der_oid(struct cursor *body, char *buf, size_t bufsz)
{
	uint32_t arc = 0;
	size_t o = 0;
	int first = 1, nbytes = 0, w;

	if (bufsz == 0)
		return ERR_TOO_LARGE;
	buf[0] = '\0';
	if (cur_empty(body))
		cur_fail(body, ERR_MALFORMED);
	while (!cur_empty(body)) {
		uint8_t b = cur_u8(body);

		if (++nbytes > 4 && arc >> 25) {
			cur_fail(body, ERR_TOO_LARGE);
			break;
		}
		arc = arc << 7 | (b & 0x7f);
		if (b & 0x80) {
			if (cur_empty(body))
				cur_fail(body, ERR_MALFORMED);
			continue;
		}
		if (first) {
			uint32_t x = arc < 80 ? arc / 40 : 2;

			w = snprintf(buf + o, bufsz - o, "%u.%u", (unsigned)x,
			    (unsigned)(arc - 40 * x));
			first = 0;
		} else
			w = snprintf(buf + o, bufsz - o, ".%u", (unsigned)arc);
		if (w < 0 || (size_t)w >= bufsz - o) {
			buf[o] = '\0';
			cur_fail(body, ERR_TOO_LARGE);
			break;
		}
		o += (size_t)w;
		arc = 0;
		nbytes = 0;
	}
	if (!cur_ok(body))
		buf[0] = '\0';
	return body->err;
}
