/* krb.c - Kerberos message decoder (RFC 4120 messages, MS-KILE e-data). */
#include <limits.h>
#include <string.h>

#include "cursor.h"
#include "error.h"
#include "krb.h"

/*
 * Constructed values are walked with der_walk(), so a message cut short by
 * the end of the capture still yields every field that precedes the cut;
 * leaf values (integers, strings, times) are read whole or not at all.
 * Field handlers ignore tags they do not know: messages grow extensions.
 */

static int
get_int(struct cursor *c, long long *out)
{
	struct cursor b = der_expect(c, 0x02);
	long long v;

	if (!cur_ok(c))
		return c->err;
	v = der_int(&b);
	if (!cur_ok(&b))
		return b.err;
	*out = v;
	return 0;
}

static int
get_i32(struct cursor *c, int *out)
{
	long long v;
	int r;

	if ((r = get_int(c, &v)) != 0)
		return r;
	if (v < INT_MIN || v > INT_MAX)
		return ERR_TOO_LARGE;
	*out = (int)v;
	return 0;
}

/* kvno is a UInt32; RODC kvnos above 2^31 come out negative. */
static int
get_kvno(struct cursor *c, int *out)
{
	long long v;
	int r;

	if ((r = get_int(c, &v)) != 0)
		return r;
	if (v < INT_MIN || v > (long long)UINT32_MAX)
		return ERR_TOO_LARGE;
	*out = (int)(uint32_t)v;
	return 0;
}

/* KerberosString is GeneralString; accept any primitive universal string. */
static int
get_str(struct cursor *c, char *buf, size_t bufsz)
{
	struct der d;

	if (der_next(c, &d) != 0)
		return c->err;
	if (d.cls != 0 || d.constructed)
		return ERR_MALFORMED;
	cur_str(&d.body, cur_left(&d.body), buf, bufsz);
	return d.body.err;
}

static int
get_time(struct cursor *c, long long *t)
{
	struct cursor b = der_expect(c, 0x18);
	long long v;

	if (!cur_ok(c))
		return c->err;
	v = der_time(&b);
	if (!cur_ok(&b))
		return b.err;
	*t = v;
	return 0;
}

/* KerberosFlags: the first 32 bits of a BIT STRING, bit 0 the MSB. */
static int
get_flags(struct cursor *c, uint32_t *out)
{
	struct cursor b = der_expect(c, 0x03);
	uint32_t v = 0;
	int i;

	if (!cur_ok(c))
		return c->err;
	(void)cur_u8(&b);		/* unused-bits count */
	if (!cur_ok(&b))
		return ERR_MALFORMED;
	for (i = 0; i < 4; i++)
		v = v << 8 | (cur_empty(&b) ? 0 : cur_u8(&b));
	*out = v;
	return 0;
}

static int
name_part(void *arg, struct der *d)
{
	struct krb_name *nm = arg;
	size_t o = strlen(nm->text);

	if (d->cls != 0 || d->constructed)
		return ERR_MALFORMED;
	if (o > 0 && o + 1 < sizeof(nm->text))
		nm->text[o++] = '/';
	cur_str(&d->body, cur_left(&d->body), nm->text + o,
	    sizeof(nm->text) - o);
	return d->body.err;
}

static int
name_field(void *arg, struct der *d)
{
	struct krb_name *nm = arg;

	if (d->cls != 2)
		return 0;
	switch (d->tag) {
	case 0:
		return get_i32(&d->body, &nm->type);
	case 1:
		return der_walk(&d->body, 0x30, name_part, nm);
	}
	return 0;
}

/* PrincipalName; *out is only touched when the whole name was read. */
static int
get_name(struct cursor *c, struct krb_name *out)
{
	struct krb_name nm;
	int r;

	nm.type = -1;
	nm.text[0] = '\0';
	if ((r = der_walk(c, 0x30, name_field, &nm)) == 0)
		*out = nm;
	return r;
}

struct encdata {
	int *etype;
	int *kvno;
};

static int
encdata_field(void *arg, struct der *d)
{
	struct encdata *e = arg;

	if (d->cls != 2)
		return 0;
	switch (d->tag) {
	case 0:
		return get_i32(&d->body, e->etype);
	case 1:
		return get_kvno(&d->body, e->kvno);
	}
	return 0;
}

static int
get_encdata(struct cursor *c, int *etype, int *kvno)
{
	struct encdata e = { etype, kvno };

	return der_walk(c, 0x30, encdata_field, &e);
}

static int
ticket_field(void *arg, struct der *d)
{
	struct krb_msg *m = arg;

	if (d->cls != 2)
		return 0;
	switch (d->tag) {
	case 1:
		return get_str(&d->body, m->tkt_realm, sizeof(m->tkt_realm));
	case 2:
		return get_name(&d->body, &m->tkt_sname);
	case 3:
		return get_encdata(&d->body, &m->tkt_etype, &m->tkt_kvno);
	}
	return 0;
}

static int
ticket_seq(void *arg, struct der *d)
{
	if (d->cls != 0 || d->tag != 16)
		return ERR_MALFORMED;
	return der_each(&d->body, 0, ticket_field, arg);
}

/* Ticket ::= [APPLICATION 1] SEQUENCE */
static int
get_ticket(struct cursor *c, struct krb_msg *m)
{
	m->has_ticket = 1;
	return der_walk(c, 0x61, ticket_seq, m);
}

/* One PA-DATA, collected into a list; request padata values are looked at. */
struct palist {
	struct krb_msg *m;
	int *types;
	int *n;
	int values;
};

struct pa {
	int type;
	struct cursor value;
	int have_value;
};

static int
pa_field(void *arg, struct der *d)
{
	struct pa *pa = arg;

	if (d->cls != 2)
		return 0;
	switch (d->tag) {
	case 1:
		return get_i32(&d->body, &pa->type);
	case 2:
		pa->value = der_expect(&d->body, 0x04);
		pa->have_value = cur_ok(&d->body);
		return d->body.err;
	}
	return 0;
}

/* KERB-PA-PAC-REQUEST ::= SEQUENCE { include-pac [0] BOOLEAN } */
static void
pac_request(struct cursor *v, struct krb_msg *m)
{
	struct cursor seq, tagged, b;

	seq = der_expect(v, 0x30);
	tagged = der_expect(&seq, 0xa0);
	b = der_expect(&tagged, 0x01);
	if (cur_left(&b) == 1)
		m->pac_request = cur_u8(&b) != 0;
}

/* PA-TGS-REQ holds an AP-REQ: report the TGT it presents. */
static void
tgs_req_ticket(struct cursor *v, struct krb_msg *m)
{
	struct krb_msg ap;
	uint8_t b;

	/* Only an AP-REQ: its decoding never comes back here. */
	if (!cur_peek_u8(v, &b) || b != 0x6e)
		return;
	if (krb_decode(v->ptr, cur_left(v), &ap) != 0 || !ap.has_ticket)
		return;
	m->has_ticket = 1;
	memcpy(m->tkt_realm, ap.tkt_realm, sizeof(m->tkt_realm));
	m->tkt_sname = ap.tkt_sname;
	m->tkt_etype = ap.tkt_etype;
	m->tkt_kvno = ap.tkt_kvno;
}

static int
pa_entry(void *arg, struct der *d)
{
	struct palist *pl = arg;
	struct pa pa;
	int r;

	if (d->cls != 0 || d->tag != 16)
		return ERR_MALFORMED;
	pa.type = -1;
	pa.have_value = 0;
	r = der_each(&d->body, 0, pa_field, &pa);
	if (pa.type == -1)
		return r;
	if (*pl->n < 16)
		pl->types[(*pl->n)++] = pa.type;
	if (r != 0 || !pl->values || !pa.have_value)
		return r;
	/* padata values are extensible: a bad one is not a bad message */
	if (pa.type == 128)
		pac_request(&pa.value, pl->m);
	else if (pa.type == 1 && pl->m->msg_type == KRB_TGS_REQ)
		tgs_req_ticket(&pa.value, pl->m);
	return 0;
}

static int
get_padata(struct cursor *c, struct krb_msg *m)
{
	struct palist pl = { m, m->padata, &m->n_padata, 1 };

	return der_walk(c, 0x30, pa_entry, &pl);
}

static int
etype_entry(void *arg, struct der *d)
{
	struct krb_msg *m = arg;
	long long v;

	if (d->cls != 0 || d->tag != 2 || d->constructed)
		return ERR_MALFORMED;
	v = der_int(&d->body);
	if (!cur_ok(&d->body))
		return d->body.err;
	if (v < INT_MIN || v > INT_MAX)
		return ERR_TOO_LARGE;
	if (m->n_etypes < 16)
		m->etypes[m->n_etypes++] = (int)v;
	return 0;
}

static int
req_body_field(void *arg, struct der *d)
{
	struct krb_msg *m = arg;

	if (d->cls != 2)
		return 0;
	switch (d->tag) {
	case 0:
		return get_flags(&d->body, &m->kdc_options);
	case 1:
		return get_name(&d->body, &m->cname);
	case 2:
		return get_str(&d->body, m->realm, sizeof(m->realm));
	case 3:
		return get_name(&d->body, &m->sname);
	case 8:
		return der_walk(&d->body, 0x30, etype_entry, m);
	}
	return 0;
}

/* KDC-REQ: [1] pvno [2] msg-type [3] padata [4] req-body */
static int
kdc_req_field(void *arg, struct der *d)
{
	struct krb_msg *m = arg;

	if (d->cls != 2)
		return 0;
	switch (d->tag) {
	case 1:
		return get_i32(&d->body, &m->pvno);
	case 3:
		return get_padata(&d->body, m);
	case 4:
		return der_walk(&d->body, 0x30, req_body_field, m);
	}
	return 0;
}

/* KDC-REP: [0] pvno [1] msg-type [2] padata [3] crealm [4] cname
 * [5] ticket [6] enc-part */
static int
kdc_rep_field(void *arg, struct der *d)
{
	struct krb_msg *m = arg;

	if (d->cls != 2)
		return 0;
	switch (d->tag) {
	case 0:
		return get_i32(&d->body, &m->pvno);
	case 2:
		return get_padata(&d->body, m);
	case 3:
		return get_str(&d->body, m->crealm, sizeof(m->crealm));
	case 4:
		return get_name(&d->body, &m->cname);
	case 5:
		return get_ticket(&d->body, m);
	case 6:
		return get_encdata(&d->body, &m->enc_etype, &m->enc_kvno);
	}
	return 0;
}

/* AP-REQ: [0] pvno [1] msg-type [2] ap-options [3] ticket [4] authenticator */
static int
ap_req_field(void *arg, struct der *d)
{
	struct krb_msg *m = arg;

	if (d->cls != 2)
		return 0;
	switch (d->tag) {
	case 0:
		return get_i32(&d->body, &m->pvno);
	case 2:
		return get_flags(&d->body, &m->ap_options);
	case 3:
		return get_ticket(&d->body, m);
	case 4:
		return get_encdata(&d->body, &m->enc_etype, &m->enc_kvno);
	}
	return 0;
}

/* AP-REP: [0] pvno [1] msg-type [2] enc-part */
static int
ap_rep_field(void *arg, struct der *d)
{
	struct krb_msg *m = arg;

	if (d->cls != 2)
		return 0;
	switch (d->tag) {
	case 0:
		return get_i32(&d->body, &m->pvno);
	case 2:
		return get_encdata(&d->body, &m->enc_etype, &m->enc_kvno);
	}
	return 0;
}

/* KERB-ERROR-DATA ::= SEQUENCE { [1] data-type, [2] data-value OPTIONAL } */
static int
ked_field(void *arg, struct der *d)
{
	struct krb_msg *m = arg;
	struct cursor v;

	if (d->cls != 2)
		return 0;
	switch (d->tag) {
	case 1:
		return get_i32(&d->body, &m->kerb_err_data_type);
	case 2:
		v = der_expect(&d->body, 0x04);
		if (!cur_ok(&d->body))
			return d->body.err;
		/* KERB-EXT-ERROR: status, reserved, flags; little-endian */
		if (m->kerb_err_data_type == 3 && cur_left(&v) >= 4) {
			m->ntstatus = cur_le32(&v);
			m->has_ntstatus = 1;
		}
		return 0;
	}
	return 0;
}

/* e-data is opaque to RFC 4120: classify it, never fail the message on it. */
static void
edata(struct cursor *v, struct krb_msg *m)
{
	struct palist pl = { m, m->edata_padata, &m->n_edata_padata, 0 };
	struct cursor probe = *v;
	struct cursor seq;
	uint8_t b;

	m->edata_kind = KRB_EDATA_OTHER;
	seq = der_expect(&probe, 0x30);
	if (!cur_ok(&probe) || !cur_peek_u8(&seq, &b))
		return;
	if (b == 0x30) {
		if (der_walk(v, 0x30, pa_entry, &pl) == 0)
			m->edata_kind = KRB_EDATA_METHOD_DATA;
		else
			m->n_edata_padata = 0;
	} else if (b == 0xa1) {
		if (der_walk(v, 0x30, ked_field, m) == 0 &&
		    m->kerb_err_data_type != -1) {
			m->edata_kind = KRB_EDATA_KERB_ERROR_DATA;
		} else {
			m->kerb_err_data_type = -1;
			m->has_ntstatus = 0;
			m->ntstatus = 0;
		}
	}
}

/* KRB-ERROR: [0] pvno [1] msg-type [2] ctime [3] cusec [4] stime [5] susec
 * [6] error-code [7] crealm [8] cname [9] realm [10] sname [11] e-text
 * [12] e-data */
static int
error_field(void *arg, struct der *d)
{
	struct krb_msg *m = arg;
	struct cursor v;

	if (d->cls != 2)
		return 0;
	switch (d->tag) {
	case 0:
		return get_i32(&d->body, &m->pvno);
	case 2:
		return get_time(&d->body, &m->ctime);
	case 3:
		return get_i32(&d->body, &m->cusec);
	case 4:
		return get_time(&d->body, &m->stime);
	case 5:
		return get_i32(&d->body, &m->susec);
	case 6:
		return get_i32(&d->body, &m->error_code);
	case 7:
		return get_str(&d->body, m->crealm, sizeof(m->crealm));
	case 8:
		return get_name(&d->body, &m->cname);
	case 9:
		return get_str(&d->body, m->realm, sizeof(m->realm));
	case 10:
		return get_name(&d->body, &m->sname);
	case 11:
		return get_str(&d->body, m->etext, sizeof(m->etext));
	case 12:
		v = der_expect(&d->body, 0x04);
		if (!cur_ok(&d->body))
			return d->body.err;
		edata(&v, m);
		return 0;
	}
	return 0;
}

void
krb_msg_init(struct krb_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->msg_type = -1;
	m->pvno = -1;
	m->cname.type = m->sname.type = m->tkt_sname.type = -1;
	m->pac_request = -1;
	m->tkt_etype = m->tkt_kvno = -1;
	m->enc_etype = m->enc_kvno = -1;
	m->error_code = -1;
	m->stime = m->ctime = -1;
	m->susec = m->cusec = -1;
	m->kerb_err_data_type = -1;
}

int
krb_decode(const uint8_t *p, size_t n, struct krb_msg *out)
{
	struct cursor c;
	struct der app;
	der_fn *fn;
	int r, e;

	krb_msg_init(out);
	cur_init(&c, p, n);
	r = der_next_partial(&c, &app);
	if (!cur_ok(&app.body))
		return r;
	if (app.cls != 1 || !app.constructed)
		return ERR_MALFORMED;
	out->msg_type = (int)app.tag;
	switch (app.tag) {
	case KRB_AS_REQ:
	case KRB_TGS_REQ:
		fn = kdc_req_field;
		break;
	case KRB_AS_REP:
	case KRB_TGS_REP:
		fn = kdc_rep_field;
		break;
	case KRB_AP_REQ:
		fn = ap_req_field;
		break;
	case KRB_AP_REP:
		fn = ap_rep_field;
		break;
	case KRB_ERROR:
		fn = error_field;
		break;
	default:
		return ERR_UNSUPPORTED;
	}
	e = der_walk(&app.body, 0x30, fn, out);
	if (r != 0)
		return r;
	return e == ERR_TRUNCATED ? ERR_MALFORMED : e;
}

static int
upper(int ch)
{
	return ch >= 'a' && ch <= 'z' ? ch - 'a' + 'A' : ch;
}

static int
eqi(const char *a, const char *b)
{
	while (*a && upper((unsigned char)*a) == upper((unsigned char)*b)) {
		a++;
		b++;
	}
	return *a == '\0' && *b == '\0';
}

int
krb_is_referral(const struct krb_msg *m)
{
	const char *s = m->tkt_sname.text;
	static const char pfx[] = "krbtgt/";
	size_t i;

	if (m->msg_type != KRB_TGS_REP || !m->has_ticket)
		return 0;
	for (i = 0; i < sizeof(pfx) - 1; i++)
		if (upper((unsigned char)s[i]) != upper(pfx[i]))
			return 0;
	s += sizeof(pfx) - 1;
	return *s != '\0' && !eqi(s, m->tkt_realm);
}

/* RFC 4120 7.5.9, RFC 4556 (PKINIT), RFC 6111, RFC 6113 (FAST), RFC 8636. */
static const char *const err_names[] = {
	[0] = "KDC_ERR_NONE",
	[1] = "KDC_ERR_NAME_EXP",
	[2] = "KDC_ERR_SERVICE_EXP",
	[3] = "KDC_ERR_BAD_PVNO",
	[4] = "KDC_ERR_C_OLD_MAST_KVNO",
	[5] = "KDC_ERR_S_OLD_MAST_KVNO",
	[6] = "KDC_ERR_C_PRINCIPAL_UNKNOWN",
	[7] = "KDC_ERR_S_PRINCIPAL_UNKNOWN",
	[8] = "KDC_ERR_PRINCIPAL_NOT_UNIQUE",
	[9] = "KDC_ERR_NULL_KEY",
	[10] = "KDC_ERR_CANNOT_POSTDATE",
	[11] = "KDC_ERR_NEVER_VALID",
	[12] = "KDC_ERR_POLICY",
	[13] = "KDC_ERR_BADOPTION",
	[14] = "KDC_ERR_ETYPE_NOSUPP",
	[15] = "KDC_ERR_SUMTYPE_NOSUPP",
	[16] = "KDC_ERR_PADATA_TYPE_NOSUPP",
	[17] = "KDC_ERR_TRTYPE_NOSUPP",
	[18] = "KDC_ERR_CLIENT_REVOKED",
	[19] = "KDC_ERR_SERVICE_REVOKED",
	[20] = "KDC_ERR_TGT_REVOKED",
	[21] = "KDC_ERR_CLIENT_NOTYET",
	[22] = "KDC_ERR_SERVICE_NOTYET",
	[23] = "KDC_ERR_KEY_EXPIRED",
	[24] = "KDC_ERR_PREAUTH_FAILED",
	[25] = "KDC_ERR_PREAUTH_REQUIRED",
	[26] = "KDC_ERR_SERVER_NOMATCH",
	[27] = "KDC_ERR_MUST_USE_USER2USER",
	[28] = "KDC_ERR_PATH_NOT_ACCEPTED",
	[29] = "KDC_ERR_SVC_UNAVAILABLE",
	[31] = "KRB_AP_ERR_BAD_INTEGRITY",
	[32] = "KRB_AP_ERR_TKT_EXPIRED",
	[33] = "KRB_AP_ERR_TKT_NYV",
	[34] = "KRB_AP_ERR_REPEAT",
	[35] = "KRB_AP_ERR_NOT_US",
	[36] = "KRB_AP_ERR_BADMATCH",
	[37] = "KRB_AP_ERR_SKEW",
	[38] = "KRB_AP_ERR_BADADDR",
	[39] = "KRB_AP_ERR_BADVERSION",
	[40] = "KRB_AP_ERR_MSG_TYPE",
	[41] = "KRB_AP_ERR_MODIFIED",
	[42] = "KRB_AP_ERR_BADORDER",
	[43] = "KRB_AP_ERR_ILL_CR_TKT",
	[44] = "KRB_AP_ERR_BADKEYVER",
	[45] = "KRB_AP_ERR_NOKEY",
	[46] = "KRB_AP_ERR_MUT_FAIL",
	[47] = "KRB_AP_ERR_BADDIRECTION",
	[48] = "KRB_AP_ERR_METHOD",
	[49] = "KRB_AP_ERR_BADSEQ",
	[50] = "KRB_AP_ERR_INAPP_CKSUM",
	[51] = "KRB_AP_PATH_NOT_ACCEPTED",
	[52] = "KRB_ERR_RESPONSE_TOO_BIG",
	[60] = "KRB_ERR_GENERIC",
	[61] = "KRB_ERR_FIELD_TOOLONG",
	[62] = "KDC_ERR_CLIENT_NOT_TRUSTED",
	[63] = "KDC_ERR_KDC_NOT_TRUSTED",
	[64] = "KDC_ERR_INVALID_SIG",
	[65] = "KDC_ERR_DH_KEY_PARAMETERS_NOT_ACCEPTED",
	[66] = "KDC_ERR_CERTIFICATE_MISMATCH",
	[67] = "KRB_AP_ERR_NO_TGT",
	[68] = "KDC_ERR_WRONG_REALM",
	[69] = "KRB_AP_ERR_USER_TO_USER_REQUIRED",
	[70] = "KDC_ERR_CANT_VERIFY_CERTIFICATE",
	[71] = "KDC_ERR_INVALID_CERTIFICATE",
	[72] = "KDC_ERR_REVOKED_CERTIFICATE",
	[73] = "KDC_ERR_REVOCATION_STATUS_UNKNOWN",
	[74] = "KDC_ERR_REVOCATION_STATUS_UNAVAILABLE",
	[75] = "KDC_ERR_CLIENT_NAME_MISMATCH",
	[76] = "KDC_ERR_KDC_NAME_MISMATCH",
	[77] = "KDC_ERR_INCONSISTENT_KEY_PURPOSE",
	[78] = "KDC_ERR_DIGEST_IN_CERT_NOT_ACCEPTED",
	[79] = "KDC_ERR_PA_CHECKSUM_MUST_BE_INCLUDED",
	[80] = "KDC_ERR_DIGEST_IN_SIGNED_DATA_NOT_ACCEPTED",
	[81] = "KDC_ERR_PUBLIC_KEY_ENCRYPTION_NOT_SUPPORTED",
	[82] = "KRB_AP_ERR_PRINCIPAL_UNKNOWN",
	[83] = "KRB_AP_ERR_REALM_UNKNOWN",
	[84] = "KRB_AP_ERR_PRINCIPAL_RESERVED",
	[85] = "KRB_AP_ERR_IAKERB_KDC_NOT_FOUND",
	[86] = "KRB_AP_ERR_IAKERB_KDC_NO_RESPONSE",
	[90] = "KDC_ERR_PREAUTH_EXPIRED",
	[91] = "KDC_ERR_MORE_PREAUTH_DATA_REQUIRED",
	[92] = "KDC_ERR_PREAUTH_BAD_AUTHENTICATION_SET",
	[93] = "KDC_ERR_UNKNOWN_CRITICAL_FAST_OPTIONS",
	[100] = "KDC_ERR_NO_ACCEPTABLE_KDF",
};

const char *
krb_err_name(int code)
{
	if (code < 0 || (size_t)code >= sizeof(err_names) / sizeof(err_names[0]))
		return NULL;
	return err_names[code];
}

const char *
krb_msg_name(int msg_type)
{
	switch (msg_type) {
	case KRB_AS_REQ:	return "AS-REQ";
	case KRB_AS_REP:	return "AS-REP";
	case KRB_TGS_REQ:	return "TGS-REQ";
	case KRB_TGS_REP:	return "TGS-REP";
	case KRB_AP_REQ:	return "AP-REQ";
	case KRB_AP_REP:	return "AP-REP";
	case 16:		return "TGT-REQ";
	case 17:		return "TGT-REP";
	case 20:		return "KRB-SAFE";
	case 21:		return "KRB-PRIV";
	case 22:		return "KRB-CRED";
	case KRB_ERROR:		return "KRB-ERROR";
	}
	return NULL;
}

/* IANA Kerberos encryption types, and Windows' private negative ones. */
const char *
krb_etype_name(int etype)
{
	switch (etype) {
	case 1:		return "des-cbc-crc";
	case 2:		return "des-cbc-md4";
	case 3:		return "des-cbc-md5";
	case 5:		return "des3-cbc-md5";
	case 7:		return "des3-cbc-sha1";
	case 16:	return "des3-cbc-sha1-kd";
	case 17:	return "aes128-cts-hmac-sha1-96";
	case 18:	return "aes256-cts-hmac-sha1-96";
	case 19:	return "aes128-cts-hmac-sha256-128";
	case 20:	return "aes256-cts-hmac-sha384-192";
	case 23:	return "rc4-hmac";
	case 24:	return "rc4-hmac-exp";
	case 25:	return "camellia128-cts-cmac";
	case 26:	return "camellia256-cts-cmac";
	case -128:	return "rc4-md4";
	case -129:	return "rc4-plain2";
	case -130:	return "rc4-lm";
	case -131:	return "rc4-sha";
	case -132:	return "des-plain";
	case -133:	return "rc4-hmac-old";
	case -134:	return "rc4-plain-old";
	case -135:	return "rc4-hmac-old-exp";
	case -136:	return "rc4-plain-old-exp";
	case -140:	return "rc4-plain";
	case -141:	return "rc4-plain-exp";
	}
	return NULL;
}

/* IANA "Kerberos Pre-authentication and Typed Data", the ones met here. */
const char *
krb_padata_name(int type)
{
	switch (type) {
	case 1:		return "PA-TGS-REQ";
	case 2:		return "PA-ENC-TIMESTAMP";
	case 3:		return "PA-PW-SALT";
	case 11:	return "PA-ETYPE-INFO";
	case 14:	return "PA-PK-AS-REQ-OLD";
	case 15:	return "PA-PK-AS-REP-OLD";
	case 16:	return "PA-PK-AS-REQ";
	case 17:	return "PA-PK-AS-REP";
	case 19:	return "PA-ETYPE-INFO2";
	case 20:	return "PA-SVR-REFERRAL-INFO";
	case 128:	return "PA-PAC-REQUEST";
	case 129:	return "PA-FOR-USER";
	case 130:	return "PA-FOR-X509-USER";
	case 131:	return "PA-FOR-CHECK-DUPS";
	case 133:	return "PA-FX-COOKIE";
	case 136:	return "PA-FX-FAST";
	case 137:	return "PA-FX-ERROR";
	case 138:	return "PA-ENCRYPTED-CHALLENGE";
	case 147:	return "PA-PKINIT-KX";
	case 149:	return "PA-REQ-ENC-PA-REP";
	case 150:	return "PA-AS-FRESHNESS";
	case 165:	return "PA-SUPPORTED-ETYPES";
	case 167:	return "PA-PAC-OPTIONS";
	}
	return NULL;
}
