/* ccmmsg.c - the CCM messaging envelope of registration, both ways. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <zlib.h>

#include "ccmmsg.h"
#include "cursor.h"
#include "error.h"
#include "util.h"

#define MAX_PAYLOAD (4 * 1024 * 1024)	/* inflated reply bound */

static const char hexdig[] = "0123456789ABCDEF";

static char *
hex_of(const uint8_t *p, size_t n)
{
	char *s;
	size_t i;

	if ((s = malloc(2 * n + 1)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		s[2 * i] = hexdig[p[i] >> 4];
		s[2 * i + 1] = hexdig[p[i] & 15];
	}
	s[2 * n] = '\0';
	return s;
}

static void
iso_time(time_t t, char *buf, size_t n)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int
ccm_reg_data(const struct ccm_reg_request *rq, char **out)
{
	char ts[32], *hex, *s;
	size_t n;

	*out = NULL;
	if ((hex = hex_of(rq->cert, rq->cert_len)) == NULL)
		return ERR_NOMEM;
	iso_time(rq->now, ts, sizeof(ts));
	n = 2 * strlen(hex) + 2048;
	if ((s = malloc(n)) == NULL) {
		free(hex);
		return ERR_NOMEM;
	}
	snprintf(s, n, "<Data HashAlgorithm=\"1.2.840.113549.1.1.11\" "
	    "SMSID=\"%s\" RequestType=\"%s\" TimeStamp=\"%s\">"
	    "<AgentInformation AgentIdentity=\"CCMSetup.exe\" "
	    "AgentVersion=\"5.00.8325.0000\" AgentType=\"0\"/>"
	    "<Certificates>%s%s%s%s<Signing Encoding=\"HexBinary\" "
	    "KeyType=\"%d\">%s</Signing></Certificates>",
	    rq->smsid, rq->confirmation ? "Confirmation" : "Registration", ts,
	    rq->confirmation ? "" : "<Encryption Encoding=\"HexBinary\" "
	    "KeyType=\"", rq->confirmation ? "" : rq->pki ? "2\">" : "1\">",
	    rq->confirmation ? "" : hex,
	    rq->confirmation ? "" : "</Encryption>", rq->pki ? 2 : 1, hex);
	if (!rq->confirmation)
		strappendf(s, n, "<DiscoveryProperties>"
		    "<Property Name=\"Netbios Name\" Value=\"%s\"/>"
		    "<Property Name=\"FQ Name\" Value=\"%s\"/>"
		    "<Property Name=\"Locale ID\" Value=\"2057\"/>"
		    "<Property Name=\"InternetFlag\" Value=\"0\"/>"
		    "</DiscoveryProperties>", rq->netbios, rq->fqdn);
	strappendf(s, n, "</Data>");
	free(hex);
	*out = s;
	return 0;
}

int
ccm_utf16le(const char *s, int nul, uint8_t **out, size_t *len)
{
	size_t n = strlen(s), i;
	uint8_t *p;

	if ((p = malloc(2 * n + 2)) == NULL)
		return ERR_NOMEM;
	for (i = 0; i < n; i++) {
		p[2 * i] = (uint8_t)s[i];
		p[2 * i + 1] = 0;
	}
	p[2 * n] = p[2 * n + 1] = 0;
	*out = p;
	*len = 2 * n + (nul ? 2 : 0);
	return 0;
}

int
ccm_deflate(const uint8_t *in, size_t n, uint8_t **out, size_t *outlen)
{
	uLongf cap = compressBound((uLong)n);
	uint8_t *p;

	if (n > MAX_PAYLOAD || (p = malloc(cap)) == NULL)
		return ERR_NOMEM;
	if (compress2(p, &cap, in, (uLong)n, Z_DEFAULT_COMPRESSION) != Z_OK) {
		free(p);
		return ERR_LIBRARY;
	}
	*out = p;
	*outlen = cap;
	return 0;
}

int
ccm_inflate(const uint8_t *in, size_t n, size_t cap, uint8_t **out,
    size_t *outlen)
{
	z_stream z;
	uint8_t *p;
	size_t size = 4096;
	int zr;

	*out = NULL;
	*outlen = 0;
	if ((p = malloc(size)) == NULL)
		return ERR_NOMEM;
	memset(&z, 0, sizeof(z));
	if (inflateInit(&z) != Z_OK) {
		free(p);
		return ERR_LIBRARY;
	}
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)n;
	do {
		if (z.total_out == size) {
			uint8_t *q;

			if (size >= cap || (q = realloc(p, size * 2)) == NULL) {
				zr = Z_MEM_ERROR;
				break;
			}
			p = q;
			size *= 2;
		}
		z.next_out = p + z.total_out;
		z.avail_out = (uInt)(size - z.total_out);
		zr = inflate(&z, Z_NO_FLUSH);
	} while (zr == Z_OK);
	*outlen = z.total_out;
	inflateEnd(&z);
	if (zr != Z_STREAM_END) {
		free(p);
		*outlen = 0;
		return ERR_MALFORMED;
	}
	*out = p;
	return 0;
}

int
ccm_reg_message(const struct ccm_reg_request *rq, const char *data,
    const uint8_t *sig, size_t siglen, uint8_t **out, size_t *len)
{
	char *sighex = NULL, *body = NULL, *hdr = NULL, ts[32];
	uint8_t *u16 = NULL, *hdr16 = NULL, *z = NULL, *msg = NULL;
	size_t u16len, hdr16len, zlen, n, o;
	int r = ERR_NOMEM;

	*out = NULL;
	*len = 0;
	if ((sighex = hex_of(sig, siglen)) == NULL)
		goto out;
	n = strlen(data) + strlen(sighex) + 256;
	if ((body = malloc(n)) == NULL)
		goto out;
	snprintf(body, n, "<ClientRegistrationRequest>%s<Signature>"
	    "<SignatureValue>%s</SignatureValue></Signature>"
	    "</ClientRegistrationRequest>", data, sighex);
	/* payload: UTF-16LE + NUL, then ASCII CRLF; Length excludes CRLF */
	if ((r = ccm_utf16le(body, 1, &u16, &u16len)) != 0)
		goto out;
	{
		uint8_t *p = realloc(u16, u16len + 2);

		if (p == NULL) {
			r = ERR_NOMEM;
			goto out;
		}
		u16 = p;
		u16[u16len] = '\r';
		u16[u16len + 1] = '\n';
	}
	if ((r = ccm_deflate(u16, u16len + 2, &z, &zlen)) != 0)
		goto out;
	iso_time(rq->now, ts, sizeof(ts));
	r = ERR_NOMEM;
	if ((hdr = malloc(2048)) == NULL)
		goto out;
	snprintf(hdr, 2048, "<Msg ReplyCompression=\"zlib\" "
	    "SchemaVersion=\"1.1\"><Body Type=\"ByteRange\" Length=\"%zu\" "
	    "Offset=\"0\" /><CorrelationID>"
	    "{00000000-0000-0000-0000-000000000000}</CorrelationID><Hooks>"
	    "<Hook3 Name=\"zlib-compress\" /></Hooks><ID>"
	    "{5DD100CD-DF1D-45F5-BA17-A327F43465F8}</ID><Payload "
	    "Type=\"inline\" /><Priority>0</Priority><Protocol>http</Protocol>"
	    "<ReplyMode>Sync</ReplyMode><ReplyTo>direct:%s:SccmMessaging"
	    "</ReplyTo><SentTime>%s</SentTime><SourceHost>%s</SourceHost>"
	    "<TargetAddress>mp:MP_ClientRegistration</TargetAddress>"
	    "<TargetEndpoint>MP_ClientRegistration</TargetEndpoint>"
	    "<TargetHost>%s</TargetHost><Timeout>60000</Timeout></Msg>",
	    u16len, rq->netbios, ts, rq->netbios, rq->mp);
	if ((r = ccm_utf16le(hdr, 0, &hdr16, &hdr16len)) != 0)
		goto out;
	r = ERR_NOMEM;
	n = hdr16len + zlen + 512;
	if ((msg = malloc(n)) == NULL)
		goto out;
	o = (size_t)snprintf((char *)msg, n, "--%s\r\ncontent-type: text/plain; "
	    "charset=UTF-16\r\n\r\n\xff\xfe", CCM_BOUNDARY);
	memcpy(msg + o, hdr16, hdr16len);
	o += hdr16len;
	o += (size_t)snprintf((char *)msg + o, n - o, "\r\n--%s\r\n"
	    "content-type: application/octet-stream\r\n\r\n", CCM_BOUNDARY);
	memcpy(msg + o, z, zlen);
	o += zlen;
	o += (size_t)snprintf((char *)msg + o, n - o, "\r\n--%s--",
	    CCM_BOUNDARY);
	*out = msg;
	*len = o;
	msg = NULL;
	r = 0;
out:
	free(sighex);
	free(body);
	free(hdr);
	free(u16);
	free(hdr16);
	free(z);
	free(msg);
	return r;
}

/* ---- replies ------------------------------------------------------------ */

const char *
ccm_reply_problem_name(enum ccm_reply_problem p)
{
	switch (p) {
	case CCM_REPLY_OK:
		return "ok";
	case CCM_REPLY_EMPTY:
		return "empty body";
	case CCM_REPLY_HTML:
		return "an HTML page";
	case CCM_REPLY_NOT_MULTIPART:
		return "not a CCM multipart message";
	case CCM_REPLY_BAD_ZLIB:
		return "payload is not a zlib stream";
	case CCM_REPLY_TRUNCATED:
		return "truncated";
	default:
		return "payload is not UTF-16LE text";
	}
}

/* Advance c to just past the next occurrence of s; 0 when none. */
static int
skip_past(struct cursor *c, const char *s, int ci)
{
	size_t k = strlen(s);

	while (cur_left(c) >= k) {
		struct cursor t = *c;
		const uint8_t *p = cur_bytes(&t, k);

		if (p && (ci ? strncasecmp((const char *)p, s, k) :
		    memcmp(p, s, k)) == 0) {
			*c = t;
			return 1;
		}
		cur_skip(c, 1);
	}
	return 0;
}

/* Bytes of c before the next s (c then points at s); found or not. */
static struct cursor
until_str(struct cursor *c, const char *s, int *found)
{
	struct cursor start = *c, t = *c;
	size_t n = 0, k = strlen(s);

	*found = 0;
	while (cur_left(&t) >= k) {
		struct cursor u = t;
		const uint8_t *p = cur_bytes(&u, k);

		if (p && memcmp(p, s, k) == 0) {
			*found = 1;
			break;
		}
		cur_skip(&t, 1);
		n++;
	}
	if (!*found)
		n = cur_left(c);
	*c = start;
	return cur_sub(c, n);
}

/* UTF-16LE (optional BOM, trailing NULs) to UTF-8. */
static int
utf16_to_utf8(struct cursor *c, char **out, size_t *outlen)
{
	size_t cap = cur_left(c) / 2 * 3 + 1, o = 0;
	char *s;

	if (cur_left(c) % 2)
		return -1;
	if ((s = malloc(cap)) == NULL)
		return -1;
	if (cur_left(c) >= 2) {
		struct cursor t = *c;

		if (cur_le16(&t) == 0xfeff)
			*c = t;
	}
	while (!cur_empty(c)) {
		uint32_t u = cur_le16(c);

		if (u == 0)
			break;		/* the trailing NUL */
		if (u >= 0xd800 && u < 0xdc00) {
			uint32_t lo = cur_empty(c) ? 0 : cur_le16(c);

			if (lo < 0xdc00 || lo >= 0xe000)
				goto bad;
			u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
		} else if (u >= 0xdc00 && u < 0xe000) {
			goto bad;
		}
		if (u < 0x80) {
			s[o++] = (char)u;
		} else if (u < 0x800) {
			s[o++] = (char)(0xc0 | u >> 6);
			s[o++] = (char)(0x80 | (u & 0x3f));
		} else if (u < 0x10000) {
			s[o++] = (char)(0xe0 | u >> 12);
			s[o++] = (char)(0x80 | ((u >> 6) & 0x3f));
			s[o++] = (char)(0x80 | (u & 0x3f));
		} else {
			/* 4 bytes from 2 units: within the 3-per-unit bound */
			s[o++] = (char)(0xf0 | u >> 18);
			s[o++] = (char)(0x80 | ((u >> 12) & 0x3f));
			s[o++] = (char)(0x80 | ((u >> 6) & 0x3f));
			s[o++] = (char)(0x80 | (u & 0x3f));
		}
	}
	/* anything after the NUL must be NULs or the CRLF of the framing */
	while (!cur_empty(c)) {
		uint8_t b = cur_u8(c);

		if (b != 0 && b != '\r' && b != '\n')
			goto bad;
	}
	s[o] = '\0';
	*out = s;
	*outlen = o;
	return 0;
bad:
	free(s);
	return -1;
}

void
ccm_reply_release(struct ccm_reply *r)
{
	free(r->header);
	free(r->zpayload);
	free(r->text);
	memset(r, 0, sizeof(*r));
}

int
ccm_unhex(const char *hex, size_t max, uint8_t **out, size_t *len)
{
	size_t n = strlen(hex), i;
	uint8_t *p;

	*out = NULL;
	*len = 0;
	if (n == 0 || n % 2 || n / 2 > max)
		return ERR_MALFORMED;
	if ((p = malloc(n / 2)) == NULL)
		return ERR_NOMEM;
	for (i = 0; i < n; i++) {
		char c = hex[i];
		int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ?
		    c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;

		if (v < 0) {
			free(p);
			return ERR_MALFORMED;
		}
		p[i / 2] = (uint8_t)(i % 2 ? p[i / 2] | v : v << 4);
	}
	*out = p;
	*len = n / 2;
	return 0;
}

/* A part's content without the CRLF that precedes the next boundary. */
static struct cursor
part_content(struct cursor part)
{
	if (cur_left(&part) >= 2) {
		struct cursor end = part;
		const uint8_t *crlf;

		cur_skip(&end, cur_left(&part) - 2);
		crlf = cur_bytes(&end, 2);
		if (crlf && crlf[0] == '\r' && crlf[1] == '\n')
			part = cur_sub(&part, cur_left(&part) - 2);
	}
	return part;
}

static int
is_html(struct cursor c, char *why, size_t whylen)
{
	struct cursor h;

	for (;;) {
		uint8_t b;

		if (!cur_peek_u8(&c, &b) || (b != ' ' && b != '\r' &&
		    b != '\n' && b != '\t'))
			break;
		cur_skip(&c, 1);
	}
	h = c;
	if (skip_past(&h, "<html", 1) && cur_left(&c) - cur_left(&h) < 64) {
		cur_str(&c, cur_left(&c) < 60 ? cur_left(&c) : 60, why, whylen);
		return 1;
	}
	return 0;
}

enum ccm_reply_problem
ccm_reply_parse(const uint8_t *body, size_t len, struct ccm_reply *out,
    char *why, size_t whylen)
{
	struct cursor c, part, hdrs, t;
	const uint8_t *zp;
	uint8_t *raw = NULL;
	size_t rawlen, zn;
	int found;

	memset(out, 0, sizeof(*out));
	why[0] = '\0';
	cur_init(&c, body, len);
	if (len == 0) {
		snprintf(why, whylen, "the MP answered with no body");
		return CCM_REPLY_EMPTY;
	}
	if (is_html(c, why, whylen))
		return CCM_REPLY_HTML;
	if (!skip_past(&c, "--" CCM_BOUNDARY, 0)) {
		snprintf(why, whylen, "no part with the CCM boundary in %zu "
		    "bytes", len);
		return CCM_REPLY_NOT_MULTIPART;
	}
	for (;;) {
		int octets, text16 = 0;

		part = until_str(&c, "--" CCM_BOUNDARY, &found);
		hdrs = until_str(&part, "\r\n\r\n", &octets);
		if (octets) {
			struct cursor h = hdrs;

			cur_skip(&part, 4);
			text16 = skip_past(&h, "charset=UTF-16", 1);
			octets = skip_past(&hdrs, "application/octet-stream", 1);
		}
		if (!found) {
			if (octets) {
				snprintf(why, whylen, "the payload part ends "
				    "after %zu bytes without the closing "
				    "boundary", cur_left(&part));
				return CCM_REPLY_TRUNCATED;
			}
			snprintf(why, whylen, "no application/octet-stream "
			    "part");
			return CCM_REPLY_NOT_MULTIPART;
		}
		cur_skip(&c, strlen("--" CCM_BOUNDARY));
		part = part_content(part);
		if (octets)
			break;
		/* the first other part is the <Msg> header (UTF-16LE) */
		if (out->header == NULL && text16) {
			t = part;
			if (utf16_to_utf8(&t, &out->header, &out->header_len) != 0)
				out->header = NULL;
		}
	}
	zn = cur_left(&part);
	zp = zn ? cur_bytes(&part, zn) : NULL;
	if (zp && (out->zpayload = malloc(zn)) != NULL) {
		memcpy(out->zpayload, zp, zn);
		out->zlen = zn;
	}
	if (zp == NULL || ccm_inflate(zp, zn, MAX_PAYLOAD, &raw,
	    &rawlen) != 0) {
		snprintf(why, whylen, "the octet-stream part (%zu bytes) does "
		    "not inflate", zn);
		return CCM_REPLY_BAD_ZLIB;
	}
	cur_init(&t, raw, rawlen);
	if (utf16_to_utf8(&t, &out->text, &out->textlen) != 0) {
		free(raw);
		snprintf(why, whylen, "%zu inflated bytes that are not UTF-16LE "
		    "text", rawlen);
		return CCM_REPLY_BAD_UTF16;
	}
	free(raw);
	return CCM_REPLY_OK;
}

enum ccm_reply_problem
ccm_reply_payload(const uint8_t *body, size_t len, char **text,
    size_t *textlen, char *why, size_t whylen)
{
	struct ccm_reply r;
	enum ccm_reply_problem p;

	p = ccm_reply_parse(body, len, &r, why, whylen);
	*text = r.text;
	*textlen = r.textlen;
	r.text = NULL;
	ccm_reply_release(&r);
	return p;
}
