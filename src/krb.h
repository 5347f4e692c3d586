/* krb.h - decode one Kerberos message (RFC 4120, MS-KILE) into plain fields. */
#ifndef CCMDIAG_KRB_H
#define CCMDIAG_KRB_H

#include <stddef.h>
#include <stdint.h>

enum krb_msg_type {
	KRB_AS_REQ = 10,
	KRB_AS_REP = 11,
	KRB_TGS_REQ = 12,
	KRB_TGS_REP = 13,
	KRB_AP_REQ = 14,
	KRB_AP_REP = 15,
	KRB_ERROR = 30
};

/* Principal name; components joined with '/', no realm.  type -1: absent. */
struct krb_name {
	int type;
	char text[256];
};

/*
 * Every int field that can be absent is -1 when it is.  Ticket fields come
 * from the reply's ticket, the AP-REQ's ticket, or (TGS-REQ) the TGT inside
 * PA-TGS-REQ.  enc_* describe the REP enc-part, the AP-REQ authenticator or
 * the AP-REP enc-part.  kvnos are the UInt32 cast to int (RODC kvnos above
 * 2^31 read negative).  Strings are printable ASCII ('?' for anything else)
 * and are only filled when the whole value was read.
 */
struct krb_msg {
	int msg_type;		/* enum krb_msg_type, from the application tag */
	int pvno;
	char realm[128];	/* KDC-REQ-BODY realm, KRB-ERROR realm */
	char crealm[128];	/* KDC-REP crealm, KRB-ERROR crealm */
	struct krb_name cname, sname;
	uint32_t kdc_options;	/* requests; bit 0 is the MSB, 0x40000000 forwardable */
	int etypes[16];		/* requested etypes, in order */
	int n_etypes;
	int padata[16];		/* PA-DATA types present (REQ, REP) */
	int n_padata;
	int pac_request;	/* PA-PAC-REQUEST include-pac: 0/1, -1 absent */
	int has_ticket;
	char tkt_realm[128];
	struct krb_name tkt_sname;
	int tkt_etype;
	int tkt_kvno;
	int enc_etype;
	int enc_kvno;
	uint32_t ap_options;	/* AP-REQ; 0x20000000 mutual-required */
	int error_code;		/* KRB-ERROR */
	long long stime;	/* seconds since the epoch */
	int susec;
	long long ctime;
	int cusec;
	char etext[256];
	int edata_kind;		/* enum krb_edata_kind */
	int kerb_err_data_type;	/* KERB-ERROR-DATA data-type: 2 skew, 3 ext */
	uint32_t ntstatus;	/* KERB-EXT-ERROR status (data-type 3) */
	int has_ntstatus;
	int edata_padata[16];	/* PA types in METHOD-DATA e-data */
	int n_edata_padata;
};

enum krb_edata_kind {
	KRB_EDATA_NONE = 0,
	KRB_EDATA_METHOD_DATA = 1,
	KRB_EDATA_KERB_ERROR_DATA = 2,
	KRB_EDATA_OTHER = 3
};

/*
 * Decode one DER message from p.  Returns 0 or an ERR_ code: ERR_TRUNCATED
 * when p ends inside the message, ERR_MALFORMED for bad encodings,
 * ERR_UNSUPPORTED for other application tags.  *out is always initialised,
 * and on error holds the fields read before the error.  Bytes after the
 * message are ignored.
 */
int krb_decode(const uint8_t *p, size_t n, struct krb_msg *out);

/* Every field absent (-1, empty, 0). */
void krb_msg_init(struct krb_msg *m);

/* A TGS-REP whose ticket is krbtgt/X with X not the ticket's realm. */
int krb_is_referral(const struct krb_msg *m);

/* Names for codes; NULL when unknown.  Static strings. */
const char *krb_err_name(int code);	/* "KDC_ERR_S_PRINCIPAL_UNKNOWN" */
const char *krb_msg_name(int msg_type);	/* "TGS-REP" */
const char *krb_etype_name(int etype);	/* "aes256-cts-hmac-sha1-96" */
const char *krb_padata_name(int type);	/* "PA-ETYPE-INFO2" */

#endif
