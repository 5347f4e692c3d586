/*
 * ccmmsg.h - the CCM messaging envelope of registration
 * (docs/ccm-protocol.md §1.3-§1.8): the multipart/mixed body with the
 * <Msg> header part and the zlib-compressed UTF-16LE payload, both ways.
 * The one file besides logread.c that calls zlib (in memory here,
 * streamed files there).
 */
#ifndef CCMDIAG_CCMMSG_H
#define CCMDIAG_CCMMSG_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define CCM_BOUNDARY "aAbBcCdDv1234567890VxXyYzZ"
#define CCM_CONTENT_TYPE "multipart/mixed; boundary=\"" CCM_BOUNDARY "\""

struct ccm_reg_request {
	int confirmation;		/* 0 Registration, 1 Confirmation */
	const char *smsid;		/* "" or "GUID:..." (validated) */
	const char *netbios, *fqdn;	/* validated host names */
	const char *mp;			/* TargetHost */
	const uint8_t *cert;		/* signing = encryption certificate */
	size_t cert_len;
	int pki;			/* KeyType 2 (PKI), else 1 (self-signed) */
	time_t now;
};

/* The <Data> element as ASCII; a new string the caller frees. */
int ccm_reg_data(const struct ccm_reg_request *rq, char **out);
/* ASCII s as UTF-16LE, with a trailing UTF-16 NUL when nul; caller frees. */
int ccm_utf16le(const char *s, int nul, uint8_t **out, size_t *len);
/* The whole request: data and its reversed signature (sig) in a
 * ClientRegistrationRequest, wrapped in the multipart envelope. */
int ccm_reg_message(const struct ccm_reg_request *rq, const char *data,
    const uint8_t *sig, size_t siglen, uint8_t **out, size_t *len);

/* What was wrong with a reply, when it is not a CCM message. */
enum ccm_reply_problem {
	CCM_REPLY_OK,
	CCM_REPLY_EMPTY,		/* no body at all */
	CCM_REPLY_HTML,			/* an HTML error page */
	CCM_REPLY_NOT_MULTIPART,	/* no CCM multipart framing */
	CCM_REPLY_BAD_ZLIB,		/* payload is not a zlib stream */
	CCM_REPLY_BAD_UTF16,		/* payload is not UTF-16LE text */
	CCM_REPLY_TRUNCATED,		/* the payload part has no end boundary */
};
const char *ccm_reply_problem_name(enum ccm_reply_problem p);

/*
 * The reply's payload as UTF-8 text (NUL-terminated, new buffer): the
 * application/octet-stream part, inflated and decoded from UTF-16LE.
 * Returns the problem; why says more in words.
 */
enum ccm_reply_problem ccm_reply_payload(const uint8_t *body, size_t len,
    char **text, size_t *textlen, char *why, size_t whylen);

/*
 * A reply taken apart: the <Msg> header part as UTF-8 (NULL when there is
 * none or it is not UTF-16LE), the octet-stream part as sent (the bytes the
 * MP signs), and the payload as UTF-8 text.  All owned; release with
 * ccm_reply_release.  Returns the problem; why says more in words.
 */
struct ccm_reply {
	char *header;
	size_t header_len;
	uint8_t *zpayload;
	size_t zlen;
	char *text;
	size_t textlen;
};
enum ccm_reply_problem ccm_reply_parse(const uint8_t *body, size_t len,
    struct ccm_reply *out, char *why, size_t whylen);
void ccm_reply_release(struct ccm_reply *r);

/* Hex digits (either case, even count, at most max bytes) to bytes; a new
 * buffer the caller frees.  0 or ERR_MALFORMED. */
int ccm_unhex(const char *hex, size_t max, uint8_t **out, size_t *len);

/* For the lab and tests: inflate/deflate in memory (cap: output bound). */
int ccm_deflate(const uint8_t *in, size_t n, uint8_t **out, size_t *outlen);
int ccm_inflate(const uint8_t *in, size_t n, size_t cap, uint8_t **out,
    size_t *outlen);

#endif
