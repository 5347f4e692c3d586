/* spnego.h - decode a GSS-API token: SPNEGO (RFC 4178), Kerberos (RFC 4121), NTLMSSP. */
#ifndef CCMDIAG_SPNEGO_H
#define CCMDIAG_SPNEGO_H

#include <stddef.h>
#include <stdint.h>

#include "krb.h"

enum tok_kind {
	TOK_UNKNOWN,
	TOK_SPNEGO_INIT,	/* NegTokenInit or NegTokenInit2 */
	TOK_SPNEGO_RESP,	/* NegTokenResp */
	TOK_KRB5,		/* RFC 4121 token, or a bare AP-REQ/AP-REP/KRB-ERROR */
	TOK_NTLM		/* bare NTLMSSP message */
};

enum gss_neg_state {
	NEG_ACCEPT_COMPLETED = 0,
	NEG_ACCEPT_INCOMPLETE = 1,
	NEG_REJECT = 2,
	NEG_REQUEST_MIC = 3
};

/*
 * What one token says.  Inner fields (krb_*, ntlm_type) describe the
 * SPNEGO mechToken / responseToken, or the token itself for TOK_KRB5 and
 * TOK_NTLM.  A Kerberos message sent without the RFC 4121 wrapper (raw
 * AP-REQ in a mechToken, raw AP-REP in a responseToken) leaves krb_oid
 * empty and sets krb_tok_id from its message type.
 */
struct gss_tok {
	enum tok_kind kind;
	char mechs[8][40];	/* dotted OIDs from NegTokenInit mechTypes */
	int n_mechs;
	int neg_state;		/* enum gss_neg_state; -1 absent */
	char supported_mech[40];
	int has_mech_token;	/* mechToken or responseToken present */
	int krb_tok_id;		/* 0x0100 AP-REQ 0x0200 AP-REP 0x0300 KRB-ERROR */
	char krb_oid[40];	/* 1.2.840.113554.1.2.2 or 1.2.840.48018.1.2.2 */
	struct krb_msg krb;	/* valid when krb_tok_id != 0 */
	int ntlm_type;		/* NTLMSSP message type 1, 2, 3; 0 none */
};

/*
 * Decode a token (the bytes after base64).  Returns 0 or an ERR_ code, like
 * krb_decode (an error in the inner Kerberos message is returned too);
 * *out is always initialised and holds what was read before any error.
 */
int gss_tok_decode(const uint8_t *p, size_t n, struct gss_tok *out);

/* "krb5", "ms-krb5", "krb5-u2u", "iakerb", "ntlmssp", "negoex", "spnego"; NULL. */
const char *gss_oid_name(const char *dotted);

#endif
