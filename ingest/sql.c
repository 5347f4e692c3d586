/*
 * sql.c - SQL traces of the MP's `exec spUpdateClientRegistration`
 * (SQL Profiler, or a log that quotes it): decode the certificates, check
 * the thumbprints and the CryptoAPI public key the MP stored against them,
 * and say what @ApprovalMethod/@IsIntegratedAuth mean for approval: each
 * check is an event that says what it showed, for the engine to judge.
 *
 * Both parameter styles are read: `(@Name) value, ...` as TechNet quotes
 * it with the parameters inlaid, and `@Name=value, ...` as Profiler shows
 * an RPC call.  Values: 0x hex, "..." or N'...' strings, numbers, NULL.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "crypto.h"
#include "error.h"
#include "ingest.h"
#include "logread.h"
#include "util.h"

#define SQL_MAX_PARAMS	64
#define SQL_MAX_HEX	(256 * 1024)	/* bytes of one 0x value */
#define SQL_MAX_CALLS	32		/* calls decoded per file */

#define EKU_SIGNING	"1.3.6.1.4.1.311.101"
#define EKU_ENCRYPTION	"1.3.6.1.4.1.311.101.2"

static const char needle[] = "exec spUpdateClientRegistration";

enum pkind { P_NULL, P_HEX, P_STR, P_NUM, P_RAW };

struct param {
	char name[48];
	enum pkind kind;
	uint8_t *bytes;		/* P_HEX */
	size_t len;
	char text[256];		/* P_STR, P_NUM, P_RAW */
};

struct call {
	struct param p[SQL_MAX_PARAMS];
	int n;
	int malformed;		/* the list stopped before its end */
};

struct sql {
	struct report *r;
	const char *base;
	unsigned long line;
	int n_calls;
};

/* ---- lexing, all through the cursor ---------------------------------- */

static int
peek(const struct cursor *c)
{
	uint8_t b;

	return cur_peek_u8(c, &b) ? b : -1;
}

static void
skip_ws(struct cursor *c)
{
	int b;

	while ((b = peek(c)) == ' ' || b == '\t' || b == '\r' || b == '\n')
		cur_skip(c, 1);
}

/* Does c start with s (ASCII, case-insensitive)?  Consumes nothing. */
static int
starts_ci(const struct cursor *c, const char *s)
{
	struct cursor t = *c;
	size_t k = strlen(s);
	const uint8_t *p;

	if (cur_left(&t) < k || (p = cur_bytes(&t, k)) == NULL)
		return 0;
	return strncasecmp((const char *)p, s, k) == 0;
}

/* Advance c past the first s; 0 (and c exhausted) when there is none. */
static int
find_ci(struct cursor *c, const char *s)
{
	while (cur_left(c) >= strlen(s)) {
		if (starts_ci(c, s)) {
			cur_skip(c, strlen(s));
			return 1;
		}
		cur_skip(c, 1);
	}
	cur_skip(c, cur_left(c));
	return 0;
}

static int
hexval(int b)
{
	if (b >= '0' && b <= '9')
		return b - '0';
	if (b >= 'a' && b <= 'f')
		return b - 'a' + 10;
	if (b >= 'A' && b <= 'F')
		return b - 'A' + 10;
	return -1;
}

static int
is_name_char(int b)
{
	return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') ||
	    (b >= '0' && b <= '9') || b == '_';
}

static void
read_name(struct cursor *c, char *buf, size_t n)
{
	size_t o = 0;

	while (is_name_char(peek(c))) {
		int b = cur_u8(c);

		if (o + 1 < n)
			buf[o++] = (char)b;
	}
	buf[o] = '\0';
}

static int
read_hex(struct cursor *c, struct param *p)
{
	struct cursor t = *c;
	size_t digits = 0, i;

	while (hexval(peek(&t)) >= 0) {
		cur_skip(&t, 1);
		digits++;
	}
	if (digits % 2 || digits / 2 > SQL_MAX_HEX)
		return -1;
	p->kind = P_HEX;
	p->len = digits / 2;
	if ((p->bytes = malloc(p->len ? p->len : 1)) == NULL)
		return -1;
	for (i = 0; i < p->len; i++) {
		int hi = hexval(cur_u8(c));
		int lo = hexval(cur_u8(c));

		p->bytes[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/* A quoted string; a doubled quote stands for one. */
static int
read_quoted(struct cursor *c, struct param *p)
{
	int q = cur_u8(c), b;
	size_t o = 0;

	p->kind = P_STR;
	while ((b = peek(c)) >= 0) {
		cur_skip(c, 1);
		if (b == q) {
			if (peek(c) != q) {
				p->text[o] = '\0';
				return 0;
			}
			cur_skip(c, 1);
		}
		if (o + 1 < sizeof(p->text))
			p->text[o++] = (b >= 0x20 && b < 0x7f) ? (char)b : '?';
	}
	p->text[o] = '\0';
	return -1;		/* unterminated */
}

static int
read_value(struct cursor *c, struct param *p)
{
	size_t o = 0;
	int b;

	skip_ws(c);
	if (starts_ci(c, "0x")) {
		cur_skip(c, 2);
		return read_hex(c, p);
	}
	b = peek(c);
	if ((b == 'N' || b == 'n') && starts_ci(c, "N'"))
		cur_skip(c, 1), b = '\'';
	if (b == '"' || b == '\'')
		return read_quoted(c, p);
	if (starts_ci(c, "NULL")) {
		struct cursor t = *c;

		cur_skip(&t, 4);
		if (is_name_char(peek(&t)))
			goto raw;
		cur_skip(c, 4);
		p->kind = P_NULL;
		return 0;
	}
raw:
	p->kind = (b == '-' || (b >= '0' && b <= '9')) ? P_NUM : P_RAW;
	while ((b = peek(c)) >= 0 && b != ',' && b != '(' && b != '@') {
		cur_skip(c, 1);
		if (o + 1 < sizeof(p->text))
			p->text[o++] = (char)(b >= 0x20 && b < 0x7f ? b : '?');
	}
	while (o > 0 && (p->text[o - 1] == ' ' || p->text[o - 1] == '\t'))
		o--;
	p->text[o] = '\0';
	if (p->kind == P_NUM) {
		size_t i;

		for (i = p->text[0] == '-'; p->text[i]; i++)
			if (p->text[i] < '0' || p->text[i] > '9')
				p->kind = P_RAW;
	}
	return o > 0 ? 0 : -1;
}

/* The parameter list after the procedure name. */
static void
parse_call(struct cursor *c, struct call *call)
{
	while (call->n < SQL_MAX_PARAMS) {
		struct param *p = &call->p[call->n];
		int paren = 0;

		skip_ws(c);
		while (peek(c) == ',' || peek(c) == ';') {
			cur_skip(c, 1);
			skip_ws(c);
		}
		if (cur_empty(c))
			return;
		if (peek(c) == '(') {
			cur_skip(c, 1);
			paren = 1;
		}
		if (peek(c) != '@') {
			call->malformed = 1;
			return;
		}
		cur_skip(c, 1);
		memset(p, 0, sizeof(*p));
		read_name(c, p->name, sizeof(p->name));
		skip_ws(c);
		if (paren) {
			if (peek(c) != ')') {
				call->malformed = 1;
				return;
			}
			cur_skip(c, 1);
		} else {
			if (peek(c) != '=') {
				call->malformed = 1;
				return;
			}
			cur_skip(c, 1);
		}
		if (p->name[0] == '\0' || read_value(c, p) != 0) {
			free(p->bytes);
			p->bytes = NULL;
			call->malformed = 1;
			return;
		}
		call->n++;
	}
}

static void
call_release(struct call *call)
{
	int i;

	for (i = 0; i < call->n; i++)
		free(call->p[i].bytes);
	call->n = 0;
}

static const struct param *
get(const struct call *call, const char *name)
{
	int i;

	for (i = 0; i < call->n; i++)
		if (strcasecmp(call->p[i].name, name) == 0)
			return &call->p[i];
	return NULL;
}

static const char *
text_of(const struct call *call, const char *name)
{
	const struct param *p = get(call, name);

	if (p == NULL)
		return "(absent)";
	if (p->kind == P_NULL)
		return "NULL";
	if (p->kind == P_HEX)
		return "(binary)";
	return p->text;
}

/* -1 absent or not a number */
static long
num_of(const struct call *call, const char *name)
{
	const struct param *p = get(call, name);

	if (p == NULL || p->kind != P_NUM)
		return -1;
	return strtol(p->text, NULL, 10);
}

/* ---- events ---------------------------------------------------------- */

static void
vemit(struct sql *s, enum ev_type type, enum sql_check check,
    const char *name, const char *fmt, va_list ap)
{
	struct event ev;

	event_init(&ev, type);
	ev.t = 0;
	snprintf(ev.source, sizeof(ev.source), "%.40s:%lu", s->base, s->line);
	strlcpy0(ev.name, name, sizeof(ev.name));
	vsnprintf(ev.text, sizeof(ev.text), fmt, ap);
	ev.sql.check = check;
	ev.sql.call = s->n_calls;
	(void)report_add_event(s->r, &ev);
}

/* What the call showed about parameter name. */
static void
note(struct sql *s, enum sql_check check, const char *name,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
note(struct sql *s, enum sql_check check, const char *name,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vemit(s, EV_SQL_REGISTRATION, check, name, fmt, ap);
	va_end(ap);
}

/* What was read of the file. */
static void
summary(struct sql *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
summary(struct sql *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vemit(s, EV_NOTE, SQL_CHECK_NOTED, "", fmt, ap);
	va_end(ap);
}

static void
date_text(double t, char *buf, size_t n)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t < 0 || gmtime_r(&tt, &tm) == NULL) {
		snprintf(buf, n, "?");
		return;
	}
	strftime(buf, n, "%Y-%m-%d %H:%M:%S", &tm);
}

static int
has_eku(const char *list, const char *oid)
{
	const char *p = list;
	size_t k = strlen(oid);

	while ((p = strstr(p, oid)) != NULL) {
		if ((p == list || p[-1] == ',') && (p[k] == '\0' || p[k] == ','))
			return 1;
		p += k;
	}
	return 0;
}

/* One certificate parameter: decoded, and its thumbprint checked. */
static int
check_cert(struct sql *s, const struct call *call, const char *pname,
    const char *tpname, const char *role, const char *want_eku,
    struct crypto_cert *cert)
{
	const struct param *p = get(call, pname), *tp = get(call, tpname);
	char nb[32], na[32], sha[48], given[48];

	if (p == NULL || p->kind != P_HEX) {
		note(s, SQL_CHECK_NOTED, pname, "@%s: no %s certificate in the "
		    "call", pname,
		    role);
		return -1;
	}
	if (crypto_cert_decode(p->bytes, p->len, cert) != 0) {
		note(s, SQL_CHECK_CERT_UNREADABLE, pname, "@%s: %zu bytes that "
		    "are not an X.509 certificate", pname, p->len);
		return -1;
	}
	date_text(cert->not_before, nb, sizeof(nb));
	date_text(cert->not_after, na, sizeof(na));
	note(s, SQL_CHECK_NOTED, pname, "@%s (%s certificate): subject %s, "
	    "%s, valid %s .. %s "
	    "UTC, serial %s%s, %s %d bits, %s, EKU %s%s", pname, role,
	    cert->subject, cert->self_signed ? "self-signed" : cert->issuer,
	    nb, na, cert->serial_hex, cert->serial_negative ?
	    " (negative as a DER INTEGER; Windows writes such serials)" : "",
	    cert->key_type, cert->key_bits, cert->sig_alg,
	    cert->eku[0] ? cert->eku : "none",
	    has_eku(cert->eku, want_eku) ? strcmp(want_eku, EKU_SIGNING) == 0 ?
	    " (SMS signing)" : " (SMS encryption)" :
	    strcmp(want_eku, EKU_SIGNING) == 0 ?
	    " - lacks SMS signing " EKU_SIGNING :
	    " - lacks SMS encryption " EKU_ENCRYPTION);
	{
		static const char digits[] = "0123456789ABCDEF";
		size_t i;

		for (i = 0; i < 20; i++) {
			sha[2 * i] = digits[cert->sha1[i] >> 4];
			sha[2 * i + 1] = digits[cert->sha1[i] & 15];
		}
		sha[40] = '\0';
	}
	if (tp == NULL || tp->kind != P_HEX) {
		note(s, SQL_CHECK_NOTED, tpname, "@%s absent; SHA-1 of @%s is %s",
		    tpname, pname,
		    sha);
		return 0;
	}
	{
		size_t i, n = tp->len < 20 ? tp->len : 20;

		for (i = 0; i < n; i++)
			snprintf(given + 2 * i, 3, "%02X", tp->bytes[i]);
		given[2 * n] = '\0';
	}
	if (tp->len == 20 && memcmp(tp->bytes, cert->sha1, 20) == 0) {
		note(s, SQL_CHECK_NOTED, tpname, "@%s %s = SHA-1 of @%s: "
		    "confirmed", tpname,
		    given, pname);
	} else {
		note(s, SQL_CHECK_THUMBPRINT_MISMATCH, tpname, "@%s %s%s is not "
		    "the SHA-1 of @%s (%s)", tpname, given, tp->len > 20 ?
		    "..." : "", pname, sha);
	}
	return 0;
}

/*
 * CryptoAPI PUBLICKEYBLOB: BLOBHEADER {bType 6, bVersion 2, reserved,
 * aiKeyAlg}, RSAPUBKEY {"RSA1", bitlen, pubexp}, modulus little-endian.
 */
static void
check_publickey(struct sql *s, const struct call *call,
    const struct crypto_cert *sign, int have_sign)
{
	const struct param *p = get(call, "PublicKey");
	struct cursor c, mod;
	uint8_t type, version;
	uint32_t alg, magic, bits, exp;
	size_t i, n;
	int match;

	if (p == NULL || p->kind != P_HEX) {
		note(s, SQL_CHECK_NOTED, "PublicKey", "@PublicKey absent");
		return;
	}
	cur_init(&c, p->bytes, p->len);
	type = cur_u8(&c);
	version = cur_u8(&c);
	(void)cur_le16(&c);
	alg = cur_le32(&c);
	magic = cur_le32(&c);
	bits = cur_le32(&c);
	exp = cur_le32(&c);
	if (!cur_ok(&c) || type != 6 || version != 2 || magic != 0x31415352 ||
	    bits == 0 || bits % 8 || bits > 16384 || cur_left(&c) < bits / 8) {
		note(s, SQL_CHECK_PUBLICKEY_MISMATCH, "PublicKey", "@PublicKey: "
		    "%zu bytes that are not a CryptoAPI RSA PUBLICKEYBLOB "
		    "(06 02 .. RSA1)", p->len);
		return;
	}
	n = bits / 8;
	mod = cur_sub(&c, n);
	match = have_sign && sign->modulus_len > 0 &&
	    sign->exponent == exp;
	/* the certificate's modulus may carry no leading zero bytes */
	for (i = 0; match && i < n; i++) {
		uint8_t b = cur_u8(&mod);	/* little-endian: least first */
		uint8_t want = i < sign->modulus_len ?
		    sign->modulus[sign->modulus_len - 1 - i] : 0;

		if (b != want)
			match = 0;
	}
	if (match && sign->modulus_len > n)
		match = 0;
	if (match) {
		note(s, SQL_CHECK_NOTED, "PublicKey", "@PublicKey: PUBLICKEYBLOB "
		    "%s, RSA %u bits, "
		    "e=%u, modulus little-endian: the signing certificate's "
		    "key, confirmed", alg == 0x2400 ? "CALG_RSA_SIGN" :
		    alg == 0xa400 ? "CALG_RSA_KEYX" : "(unusual aiKeyAlg)",
		    bits, exp);
		return;
	}
	note(s, have_sign ? SQL_CHECK_PUBLICKEY_MISMATCH : SQL_CHECK_NOTED,
	    "PublicKey", "@PublicKey: RSA %u bits, e=%u, %s", bits, exp,
	    have_sign ? "is not the key of the signing certificate "
	    "@Certificate" : "no signing certificate to compare it with");
}

/* @ValidFrom/@ValidTo as the MP stored them, against the certificate. */
static void
check_validity(struct sql *s, const struct call *call,
    const struct crypto_cert *sign)
{
	const char *vf = text_of(call, "ValidFrom"), *vt = text_of(call,
	    "ValidTo");
	char nb[32], na[32];

	if (get(call, "ValidFrom") == NULL && get(call, "ValidTo") == NULL)
		return;
	date_text(sign->not_before, nb, sizeof(nb));
	date_text(sign->not_after, na, sizeof(na));
	note(s, SQL_CHECK_NOTED, "ValidFrom", "@ValidFrom %s, @ValidTo %s: %s",
	    vf, vt,
	    strncmp(vf, nb, strlen(nb)) == 0 && strncmp(vt, na, strlen(na)) == 0 ?
	    "the signing certificate's validity" :
	    "differ from the signing certificate's validity");
}

static void
explain_approval(struct sql *s, const struct call *call)
{
	long am = num_of(call, "ApprovalMethod");
	long ia = num_of(call, "IsIntegratedAuth");

	if (am == 1 && ia == 1) {
		note(s, SQL_CHECK_NOTED, "IsIntegratedAuth", "@ApprovalMethod 1, "
		    "@IsIntegratedAuth 1: the MP authenticated the client with "
		    "Windows authentication (Kerberos on "
		    "ccm_system_windowsauth), so the site approves it "
		    "automatically when it approves computers in trusted "
		    "domains");
		return;
	}
	if (ia == 0) {
		note(s, SQL_CHECK_NOT_INTEGRATED_AUTH, "IsIntegratedAuth",
		    "@ApprovalMethod %ld, "
		    "@IsIntegratedAuth 0: the registration did not come "
		    "through Windows authentication (anonymous ccm_system, or "
		    "the 401/Negotiate handshake on ccm_system_windowsauth "
		    "failed), so the client stays unapproved unless the site "
		    "approves all computers or an administrator approves it",
		    am);
		return;
	}
	note(s, SQL_CHECK_NOTED, "IsIntegratedAuth", "@ApprovalMethod %s, "
	    "@IsIntegratedAuth %s: "
	    "not the 1/1 of an automatically approved registration",
	    text_of(call, "ApprovalMethod"), text_of(call, "IsIntegratedAuth"));
}

static void
analyse(struct sql *s, const struct call *call)
{
	struct crypto_cert sign, enc;
	long kt = num_of(call, "KeyType");
	int have_sign;

	note(s, SQL_CHECK_NOTED, "spUpdateClientRegistration",
	    "exec spUpdateClientRegistration "
	    "(%d parameters%s): site %s, %s, NetBIOS %s, FQDN %s, agent "
	    "version %s, KeyType %s%s", call->n, call->malformed ?
	    ", the list is cut short or malformed" : "",
	    text_of(call, "SiteCode"), text_of(call, "SMSID"),
	    text_of(call, "NetbiosName"), text_of(call, "FQDName"),
	    text_of(call, "Version"), text_of(call, "KeyType"),
	    kt == 1 ? " (self-signed)" : kt == 2 ? " (PKI)" : "");
	if (s->r->client[0] == '\0' && get(call, "FQDName") &&
	    get(call, "FQDName")->kind == P_STR) {
		strlcpy0(s->r->client, text_of(call, "FQDName"),
		    sizeof(s->r->client));
		strappendf(s->r->client, sizeof(s->r->client), " (%s)",
		    text_of(call, "SMSID"));
	}
	have_sign = check_cert(s, call, "Certificate", "Thumbprint", "signing",
	    EKU_SIGNING, &sign) == 0;
	if (check_cert(s, call, "EncKey", "EncThumbprint", "encryption",
	    EKU_ENCRYPTION, &enc) == 0)
		crypto_cert_release(&enc);
	check_publickey(s, call, &sign, have_sign);
	if (have_sign) {
		check_validity(s, call, &sign);
		crypto_cert_release(&sign);
	}
	explain_approval(s, call);
}

static void
line(struct sql *s, struct cursor c)
{
	struct call *call;

	if (!find_ci(&c, needle))
		return;
	if (s->n_calls++ >= SQL_MAX_CALLS)
		return;
	if ((call = calloc(1, sizeof(*call))) == NULL)
		return;
	parse_call(&c, call);
	analyse(s, call);
	call_release(call);
	free(call);
}

static int
sql_read(struct ingest_file *f, struct report *r, struct input *res)
{
	struct logread lr;
	struct cursor c;
	struct sql s;
	int rc, too_long;

	memset(&s, 0, sizeof(s));
	s.r = r;
	s.base = f->name;
	if ((rc = logread_start(&lr, f, res->detail,
	    sizeof(res->detail))) != 0)
		return rc;
	while ((rc = logread_next(&lr, &c, &too_long)) > 0) {
		s.line = lr.lineno;
		if (!too_long)
			line(&s, c);
	}
	if (s.n_calls == 0 || rc < 0 || lr.n_long) {
		s.line = lr.lineno;
		summary(&s, "SQL trace %s: %lu lines, %d spUpdateClientRegistration "
		    "call(s)%s%s", s.base, lr.lineno, s.n_calls,
		    lr.n_long ? ", some lines too long to read" : "",
		    rc < 0 ? ", read error" : "");
	}
	logread_result(&lr, lr.lineno, res);
	logread_close(&lr);
	return 0;
}

static int
sql_sniff(const uint8_t *head, size_t n)
{
	uint8_t text[4096];
	struct cursor c;

	cur_init(&c, text, logread_head(head, n, text, sizeof(text)));
	return find_ci(&c, needle);
}

const struct ingest_reader ingest_sql = {
	.name = "sql",
	.kind = "sql",
	.sniff = sql_sniff,
	.read = sql_read,
};
