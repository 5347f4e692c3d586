/* cursor.h - the one bounds-checked reader for every untrusted byte. */
#ifndef CCMDIAG_CURSOR_H
#define CCMDIAG_CURSOR_H

#include <stddef.h>
#include <stdint.h>

/*
 * A cursor walks a byte range it does not own.  Every read checks the
 * remaining length; a failed read sets a sticky error, returns zero/NULL and
 * leaves the cursor empty, so a parser may do a series of reads and check
 * cur_ok() once at the end.  Child cursors are bounded views of the parent.
 */
struct cursor {
	const uint8_t *ptr;
	size_t len;
	int err;		/* sticky: 0 or the first enum err code */
};

void cur_init(struct cursor *c, const void *data, size_t len);
static inline int cur_ok(const struct cursor *c) { return c->err == 0; }
static inline size_t cur_left(const struct cursor *c) { return c->err ? 0 : c->len; }
static inline int cur_empty(const struct cursor *c) { return cur_left(c) == 0; }
void cur_fail(struct cursor *c, int err);

uint8_t cur_u8(struct cursor *c);
uint16_t cur_be16(struct cursor *c);
uint32_t cur_be32(struct cursor *c);
uint16_t cur_le16(struct cursor *c);
uint32_t cur_le32(struct cursor *c);
uint64_t cur_le64(struct cursor *c);
int cur_peek_u8(const struct cursor *c, uint8_t *out);	/* 0 if none */
const uint8_t *cur_bytes(struct cursor *c, size_t n);	/* NULL on short */
void cur_skip(struct cursor *c, size_t n);
/* Child cursor over the next n bytes; the parent advances past them. */
struct cursor cur_sub(struct cursor *c, size_t n);
/* Copy n bytes as a NUL-terminated string, replacing non-printables. */
void cur_str(struct cursor *c, size_t n, char *buf, size_t bufsz);
/* Offset of c->ptr from base (for absolute offsets such as DNS pointers). */
size_t cur_offset(const struct cursor *c, const void *base);

/* Text helpers: read up to and excluding a delimiter. */
struct cursor cur_until(struct cursor *c, uint8_t delim, int *found);
struct cursor cur_line(struct cursor *c, int *found);	/* strips CR */

/* ASN.1 DER (BER definite lengths only). */
struct der {
	uint8_t cls;		/* 0 universal, 1 application, 2 context, 3 private */
	int constructed;
	uint32_t tag;
	struct cursor body;
};
/* Read one TLV; 0 on success. */
int der_next(struct cursor *c, struct der *out);
/*
 * As der_next, but a value running past the end of c is handed back as far
 * as it goes, with ERR_TRUNCATED (and c failed): for decoders that report
 * what a cut-short capture still holds.
 */
int der_next_partial(struct cursor *c, struct der *out);
/* Expect a given identifier byte (e.g. 0x30, 0xa1); returns body cursor. */
struct cursor der_expect(struct cursor *c, uint8_t ident);
/* If the next identifier byte is ident, read it into *body and return 1. */
int der_optional(struct cursor *c, uint8_t ident, struct cursor *body);
/*
 * Walking constructed values that may be cut short.  der_each calls fn on
 * every TLV in body; trunc says body itself was cut short by the end of the
 * input.  A constructed value cut short is still handed to fn (so it can
 * report what precedes the cut), a primitive one is not.  Returns 0, the
 * first error, or ERR_TRUNCATED whenever the input ran out; an overrun
 * inside a body that was whole is ERR_MALFORMED.  der_walk opens the
 * constructed value ident at c, which may itself be cut short, and
 * der_eaches its contents.
 */
typedef int der_fn(void *arg, struct der *d);
int der_each(struct cursor *body, int trunc, der_fn *fn, void *arg);
int der_walk(struct cursor *c, uint8_t ident, der_fn *fn, void *arg);
long long der_int(struct cursor *body);	/* two's complement, <= 8 bytes */
/* GeneralizedTime "YYYYMMDDHHMMSSZ" to seconds since the epoch; -1 bad. */
long long der_time(struct cursor *body);
/* OBJECT IDENTIFIER body to dotted text ("1.2.840.113554.1.2.2"). */
int der_oid(struct cursor *body, char *buf, size_t bufsz);

#endif
