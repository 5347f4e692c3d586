/* spnego.c - GSS-API token decoder: SPNEGO, the krb5 mechanism, NTLMSSP. */
#include <string.h>

#include "cursor.h"
#include "error.h"
#include "krb.h"
#include "spnego.h"

#define OID_SPNEGO	"1.3.6.1.5.5.2"
#define OID_KRB5	"1.2.840.113554.1.2.2"
#define OID_MS_KRB5	"1.2.840.48018.1.2.2"

static const uint8_t ntlm_sig[8] = { 'N', 'T', 'L', 'M', 'S', 'S', 'P', 0 };

static int
is_ntlm(const struct cursor *c)
{
	struct cursor p = *c;
	const uint8_t *sig = cur_bytes(&p, sizeof(ntlm_sig));

	return sig != NULL && memcmp(sig, ntlm_sig, sizeof(ntlm_sig)) == 0;
}

/* NTLMSSP: signature, then MessageType as a little-endian uint32. */
static int
ntlm(struct cursor *c, struct gss_tok *t)
{
	uint32_t type;

	cur_skip(c, sizeof(ntlm_sig));
	type = cur_le32(c);
	if (!cur_ok(c))
		return c->err;
	if (type < 1 || type > 3)
		return ERR_UNSUPPORTED;
	t->ntlm_type = (int)type;
	return 0;
}

static int
get_oid(struct cursor *c, char *buf, size_t bufsz)
{
	struct cursor b = der_expect(c, 0x06);

	if (!cur_ok(c))
		return c->err;
	return der_oid(&b, buf, bufsz);
}

static int
krb_tok_id(int msg_type)
{
	switch (msg_type) {
	case KRB_AP_REQ:
		return 0x0100;
	case KRB_AP_REP:
		return 0x0200;
	case KRB_ERROR:
		return 0x0300;
	}
	return 0;
}

/* A bare Kerberos message (no RFC 4121 framing). */
static int
raw_krb(struct cursor *c, struct gss_tok *t)
{
	int r;

	r = krb_decode(c->ptr, cur_left(c), &t->krb);
	t->krb_tok_id = krb_tok_id(t->krb.msg_type);
	if (t->krb_tok_id == 0 && r == 0)
		r = ERR_UNSUPPORTED;
	return r;
}

/*
 * The body of an InitialContextToken whose thisMech is a krb5 OID: 2-byte
 * TOK_ID, then the Kerberos message.  trunc: body was cut short.
 */
static int
krb5_body(struct cursor *body, int trunc, const char *oid, struct gss_tok *t)
{
	int id, r;

	memcpy(t->krb_oid, oid, strlen(oid) + 1);
	id = cur_be16(body);
	if (!cur_ok(body))
		return trunc ? ERR_TRUNCATED : ERR_MALFORMED;
	if (id != 0x0100 && id != 0x0200 && id != 0x0300)
		return ERR_UNSUPPORTED;
	t->krb_tok_id = id;
	r = krb_decode(body->ptr, cur_left(body), &t->krb);
	if (trunc)
		return ERR_TRUNCATED;
	return r == ERR_TRUNCATED ? ERR_MALFORMED : r;
}

/* mechToken or responseToken contents; never SPNEGO again. */
static int
inner_token(struct cursor *c, int trunc, struct gss_tok *t)
{
	struct der app;
	char oid[40];
	uint8_t b;
	int r, e;

	t->has_mech_token = 1;
	if (is_ntlm(c)) {
		e = ntlm(c, t);
		return trunc ? ERR_TRUNCATED : e;
	}
	if (!cur_peek_u8(c, &b))
		return trunc ? ERR_TRUNCATED : 0;
	if (b == 0x6e || b == 0x6f || b == 0x7e) {
		e = raw_krb(c, t);
		if (trunc)
			return ERR_TRUNCATED;
		return e == ERR_TRUNCATED ? ERR_MALFORMED : e;
	}
	if (b != 0x60)
		return trunc ? ERR_TRUNCATED : 0;	/* NegoEx and others */
	r = der_next_partial(c, &app);
	if (!cur_ok(&app.body))
		return trunc ? ERR_TRUNCATED : r;
	if ((e = get_oid(&app.body, oid, sizeof(oid))) == 0) {
		if (strcmp(oid, OID_KRB5) == 0 || strcmp(oid, OID_MS_KRB5) == 0)
			e = krb5_body(&app.body, r != 0, oid, t);
		else
			e = ERR_UNSUPPORTED;
	}
	if (trunc || r != 0)
		return ERR_TRUNCATED;
	return e == ERR_TRUNCATED ? ERR_MALFORMED : e;
}

/* An OCTET STRING that may be cut short, handed to inner_token. */
static int
octets_token(struct cursor *c, struct gss_tok *t)
{
	struct der s;
	int r;

	r = der_next_partial(c, &s);
	if (!cur_ok(&s.body))
		return r;
	if (s.cls != 0 || s.tag != 4 || s.constructed)
		return ERR_MALFORMED;
	return inner_token(&s.body, r != 0, t);
}

static int
mech_entry(void *arg, struct der *d)
{
	struct gss_tok *t = arg;

	if (d->cls != 0 || d->tag != 6 || d->constructed)
		return ERR_MALFORMED;
	if (t->n_mechs >= 8)
		return 0;
	if (der_oid(&d->body, t->mechs[t->n_mechs], sizeof(t->mechs[0])) == 0)
		t->n_mechs++;
	return 0;
}

/* NegTokenInit: [0] mechTypes [1] reqFlags [2] mechToken [3] mechListMIC;
 * NegTokenInit2 puts negHints at [3] and the MIC at [4]. */
static int
init_field(void *arg, struct der *d)
{
	struct gss_tok *t = arg;

	if (d->cls != 2)
		return 0;
	switch (d->tag) {
	case 0:
		return der_walk(&d->body, 0x30, mech_entry, t);
	case 2:
		return octets_token(&d->body, t);
	}
	return 0;
}

/* NegTokenResp: [0] negState [1] supportedMech [2] responseToken [3] MIC */
static int
resp_field(void *arg, struct der *d)
{
	struct gss_tok *t = arg;
	struct cursor b;
	long long v;

	if (d->cls != 2)
		return 0;
	switch (d->tag) {
	case 0:
		b = der_expect(&d->body, 0x0a);
		if (!cur_ok(&d->body))
			return d->body.err;
		v = der_int(&b);
		if (!cur_ok(&b))
			return b.err;
		if (v < 0 || v > 255)
			return ERR_MALFORMED;
		t->neg_state = (int)v;
		return 0;
	case 1:
		return get_oid(&d->body, t->supported_mech,
		    sizeof(t->supported_mech));
	case 2:
		return octets_token(&d->body, t);
	}
	return 0;
}

static int
neg_seq(void *arg, struct der *d, der_fn *fn)
{
	if (d->cls != 0 || d->tag != 16 || !d->constructed)
		return ERR_MALFORMED;
	return der_each(&d->body, 0, fn, arg);
}

static int
init_seq(void *arg, struct der *d)
{
	return neg_seq(arg, d, init_field);
}

static int
resp_seq(void *arg, struct der *d)
{
	return neg_seq(arg, d, resp_field);
}

/* NegotiationToken ::= CHOICE { [0] NegTokenInit, [1] NegTokenResp } */
static int
negotiation(struct cursor *c, struct gss_tok *t)
{
	uint8_t b;

	if (!cur_peek_u8(c, &b))
		return cur_ok(c) ? ERR_MALFORMED : c->err;
	if (b == 0xa0) {
		t->kind = TOK_SPNEGO_INIT;
		return der_walk(c, 0xa0, init_seq, t);
	}
	if (b == 0xa1) {
		t->kind = TOK_SPNEGO_RESP;
		return der_walk(c, 0xa1, resp_seq, t);
	}
	return ERR_MALFORMED;
}

/* InitialContextToken ::= [APPLICATION 0] { thisMech OID, innerToken } */
static int
initial_context(struct cursor *c, struct gss_tok *t)
{
	struct der app;
	char oid[40];
	int r, e;

	r = der_next_partial(c, &app);
	if (!cur_ok(&app.body))
		return r;
	if ((e = get_oid(&app.body, oid, sizeof(oid))) != 0)
		;
	else if (strcmp(oid, OID_SPNEGO) == 0)
		e = negotiation(&app.body, t);
	else if (strcmp(oid, OID_KRB5) == 0 || strcmp(oid, OID_MS_KRB5) == 0) {
		t->kind = TOK_KRB5;
		e = krb5_body(&app.body, r != 0, oid, t);
	} else
		e = ERR_UNSUPPORTED;
	if (r != 0)
		return r;
	return e == ERR_TRUNCATED ? ERR_MALFORMED : e;
}

static void
tok_init(struct gss_tok *t)
{
	memset(t, 0, sizeof(*t));
	t->kind = TOK_UNKNOWN;
	t->neg_state = -1;
	krb_msg_init(&t->krb);
}

int
gss_tok_decode(const uint8_t *p, size_t n, struct gss_tok *out)
{
	struct cursor c;
	uint8_t b;

	tok_init(out);
	cur_init(&c, p, n);
	if (is_ntlm(&c)) {
		out->kind = TOK_NTLM;
		return ntlm(&c, out);
	}
	if (!cur_peek_u8(&c, &b))
		return ERR_TRUNCATED;
	switch (b) {
	case 0x60:
		return initial_context(&c, out);
	case 0xa0:
	case 0xa1:
		return negotiation(&c, out);
	case 0x6e:
	case 0x6f:
	case 0x7e:
		out->kind = TOK_KRB5;
		return raw_krb(&c, out);
	}
	return ERR_UNSUPPORTED;
}

const char *
gss_oid_name(const char *dotted)
{
	static const struct {
		const char *oid, *name;
	} names[] = {
		{ OID_KRB5, "krb5" },
		{ OID_MS_KRB5, "ms-krb5" },
		{ "1.2.840.113554.1.2.2.3", "krb5-u2u" },
		{ "1.3.6.1.5.2.5", "iakerb" },
		{ "1.3.6.1.4.1.311.2.2.10", "ntlmssp" },
		{ "1.3.6.1.4.1.311.2.2.30", "negoex" },
		{ OID_SPNEGO, "spnego" },
	};
	size_t i;

	if (dotted == NULL)
		return NULL;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(dotted, names[i].oid) == 0)
			return names[i].name;
	return NULL;
}
