/*
 * mpxml.h - the libxml2 wrapper: the only file that calls libxml2.  Reads
 * the XML a management point answers (registration replies, .sms_aut).
 */
#ifndef CCMDIAG_MPXML_H
#define CCMDIAG_MPXML_H

#include <stddef.h>

struct ccm_reg_reply {
	char response_type[32];		/* Registration | Confirmation */
	int status;			/* 0..4, -1 absent */
	int approval;			/* ApprovalStatus, -2 absent */
	char smsid[64];			/* "GUID:...", printable */
};

/* Parse a ClientRegistrationResponse; 0 or ERR_MALFORMED with why. */
int mpxml_reg_reply(const char *xml, size_t len, struct ccm_reg_reply *out,
    char *why, size_t whylen);

/*
 * The MP's signature of a reply, from the reply's <Msg> header:
 * Hooks/Hook2 Name="authenticate" with Property Name="Signature" (hex) and
 * Property Name="HashAlgorithm" (an OID; "" when absent).  Returns 0,
 * ERR_NOT_FOUND when the header carries no signature, ERR_TOO_LARGE when
 * it does not fit sighex, ERR_MALFORMED when the header is not XML.
 */
int mpxml_reply_sig(const char *xml, size_t len, char *sighex,
    size_t sighexlen, char *hashalg, size_t hashlen);

/*
 * Every element of an MP XML document whose text is a hex-encoded value of
 * at least min_hex digits (certificates in MPCERT, SITESIGNCERT,
 * MPKEYINFORMATION): cb gets the element's name and the hex text.  Returns
 * how many, or ERR_MALFORMED.
 */
int mpxml_hex_values(const char *xml, size_t len, size_t min_hex,
    void (*cb)(void *arg, const char *elem, const char *hex), void *arg);

/*
 * A summary of any MP XML document for mp-info: the root element and, for
 * each element with text or attributes, "path: text [attr=value ...]"
 * lines (printable, bounded) appended to out.  0 or ERR_MALFORMED.
 */
int mpxml_summary(const char *xml, size_t len, char *out, size_t outlen);

#endif
