/*
 * register.c - `ccmdiag register MP_FQDN --create-record`: send a signed
 * ClientRegistrationRequest (Kerberos on ccm_system_windowsauth, or
 * anonymous on ccm_system), confirm while the MP says Pending, and report
 * the MP's answer: registered, approved or not, rejected, reset.  Each
 * answer is an event that says what came back; the engine judges them
 * (rules_mp.c).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ccmmsg.h"
#include "cli.h"
#include "crypto.h"
#include "engine.h"
#include "error.h"
#include "gss.h"
#include "http.h"
#include "httpev.h"
#include "mpxml.h"
#include "util.h"


struct reg {
	const char *target, *netbios, *fqdn, *keytab, *principal;
	int anonymous, port;
	double deadline, wait;
	struct report *r;
	struct krb_session *krb;
	struct crypto_ident *id;
	uint8_t *cert;
	size_t cert_len;
	int step;
	struct crypto_store *store;	/* --mp-certs, or NULL */
	/* native mode: HTTPS with a client certificate */
	int https;
	const char *cacert, *crl, *tls_cert, *tls_key, *p12, *p12pass;
};

static const char *const status_names[] = {
	"Registered", "Pending", "Reset", "Error", "CertificateReset",
};

static double
remaining(const struct reg *g)
{
	double left = g->deadline - now_mono();

	return left > 0 ? left : 0;
}

/* How register's exchanges with the MP are recorded (src/httpev.c). */
static void
call_of(const struct reg *g, struct httpev_call *c)
{
	memset(c, 0, sizeof(*c));
	c->r = g->r;
	c->step = g->step;
	c->command = "register";
	c->reply_type = EV_HTTP_RESPONSE;
	/* the engine's anonymous-windowsauth rule is for windowsauth only */
	c->reply_name = "ccm_system (anonymous)";
}

/* ev with text, sourced to the step, into the report. */
static int
vput(struct reg *g, struct event *ev, const char *fmt, va_list ap)
{
	struct httpev_call call;

	ev->step = g->step;
	call_of(g, &call);
	httpev_source(&call, ev->source, sizeof(ev->source));
	vsnprintf(ev->text, sizeof(ev->text), fmt, ap);
	return report_add_event(g->r, ev);
}

static int
note(struct reg *g, enum ev_type type, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
note(struct reg *g, enum ev_type type, const char *fmt, ...)
{
	struct event ev;
	va_list ap;
	int i;

	event_init(&ev, type);
	va_start(ap, fmt);
	i = vput(g, &ev, fmt, ap);
	va_end(ap);
	return i;
}

/* An event of a kind with its facts set, and its text. */
static int
fact(struct reg *g, struct event *ev, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fact(struct reg *g, struct event *ev, const char *fmt, ...)
{
	va_list ap;
	int i;

	va_start(ap, fmt);
	i = vput(g, ev, fmt, ap);
	va_end(ap);
	return i;
}

/* ev made an answer of kind what to a message. */
static struct event *
reply_event(struct event *ev, enum reg_reply what)
{
	event_init(ev, EV_REG_REPLY);
	ev->reg.reply = what;
	return ev;
}

/* ev made the reply's signature as checked. */
static struct event *
signature_event(const struct reg *g, struct event *ev,
    enum reg_signature sig)
{
	event_init(ev, EV_REG_SIGNATURE);
	ev->reg.signature = sig;
	ev->reg.trusted = g->store != NULL;
	return ev;
}

static void
on_krb_event(void *arg, struct event *ev)
{
	struct reg *g = arg;

	ev->step = g->step;
	snprintf(ev->source, sizeof(ev->source), "register kerberos");
	report_add_event(g->r, ev);
}

static void
step_done(struct reg *g, enum step_status st, const char *summary)
{
	struct step *s = &g->r->steps[g->step];

	s->status = st;
	s->elapsed = now_real() - s->start;
	strlcpy0(s->summary, summary, sizeof(s->summary));
}

/*
 * The MP's signature over the reply's compressed payload (docs/ccm-protocol.md
 * §1.4 signs the client's payload the same way), checked against the
 * trusted MP signing certificates; -1 when the reply must be dropped, as a
 * client drops it.  Without --mp-certs the signature is only noted.
 */
static int
check_signature(struct reg *g, const struct ccm_reply *cr)
{
	char hex[4100], alg[64], signer[256];
	struct event ev;
	uint8_t *sig = NULL;
	size_t siglen = 0;
	int r;

	r = cr->header ? mpxml_reply_sig(cr->header, cr->header_len, hex,
	    sizeof(hex), alg, sizeof(alg)) : ERR_NOT_FOUND;
	if (r == ERR_NOT_FOUND || r == ERR_MALFORMED) {
		fact(g, signature_event(g, &ev, REG_SIG_UNSIGNED), "the reply is "
		    "not signed: %s",
		    cr->header == NULL ? "it has no UTF-16 <Msg> header part" :
		    r == ERR_MALFORMED ? "its <Msg> header is not XML" :
		    "its <Msg> header has no Hook2 authenticate Signature");
		return g->store == NULL ? 0 : -1;
	}
	if (r == 0)
		r = ccm_unhex(hex, 2048, &sig, &siglen);
	if (g->store == NULL) {
		fact(g, signature_event(g, &ev, REG_SIG_UNCHECKED), "the reply "
		    "is signed (%zu-byte signature, %s); not verified: no "
		    "--mp-certs", siglen, alg[0] ? alg : "no HashAlgorithm");
		free(sig);
		return 0;
	}
	if (r == 0)
		r = crypto_store_verify(g->store, alg, cr->zpayload, cr->zlen,
		    sig, siglen, signer, sizeof(signer));
	free(sig);
	if (r == 0) {
		fact(g, signature_event(g, &ev, REG_SIG_VERIFIED), "the reply's "
		    "signature (%s) verifies with the trusted MP signing "
		    "certificate %s", alg[0] ? alg : "SHA-256", signer);
		return 0;
	}
	fact(g, signature_event(g, &ev, REG_SIG_BAD), "the reply's signature "
	    "%s",
	    r == ERR_UNSUPPORTED ?
	    "names a hash algorithm ccmdiag does not know" : r == ERR_REFUSED ?
	    "verifies with none of the trusted MP signing certificates: the "
	    "reply was altered or signed by another key" :
	    "is not a hex signature");
	if (r != ERR_REFUSED || g->r->verbose)
		note(g, EV_NOTE, "%zu trusted MP signing certificate%s, hash "
		    "algorithm %s", crypto_store_count(g->store),
		    crypto_store_count(g->store) == 1 ? "" : "s",
		    alg[0] ? alg : "(none given)");
	return -1;
}

static int
valid_smsid(const char *s)
{
	size_t i;

	if (strncmp(s, "GUID:", 5) != 0 || strlen(s) > 60)
		return 0;
	for (i = 5; s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' &&
		    s[i] <= 'F') || (s[i] >= 'a' && s[i] <= 'f') || s[i] == '-'))
			return 0;
	return 1;
}

/* One message to the MP and its reply's payload; -1 when there is none
 * (the events and findings say why). */
static int
exchange(struct reg *g, int confirmation, const char *smsid,
    struct ccm_reg_reply *reply)
{
	struct ccm_reg_request rq;
	struct http_request req;
	struct http_reply rep;
	struct http_content body;
	struct http_body hb;
	struct ccm_reply cr;
	struct httpev_call call;
	struct event ev;
	uint8_t *sig = NULL, *msg = NULL, *data16 = NULL, *tok = NULL;
	size_t siglen, msglen, data16len, toklen = 0;
	char *data = NULL, *b64 = NULL, why[256], what[200], spn[300];
	enum ccm_reply_problem pb;
	int r = -1, i;

	memset(&rq, 0, sizeof(rq));
	memset(&body, 0, sizeof(body));
	memset(&rep, 0, sizeof(rep));
	memset(&cr, 0, sizeof(cr));
	rq.confirmation = confirmation;
	rq.smsid = smsid;
	rq.netbios = g->netbios;
	rq.fqdn = g->fqdn;
	rq.mp = g->target;
	rq.cert = g->cert;
	rq.cert_len = g->cert_len;
	rq.pki = g->https;
	rq.now = time(NULL);
	if (ccm_reg_data(&rq, &data) != 0 ||
	    ccm_utf16le(data, 0, &data16, &data16len) != 0 ||
	    crypto_ident_sign(g->id, data16, data16len, &sig, &siglen) != 0 ||
	    ccm_reg_message(&rq, data, sig, siglen, &msg, &msglen) != 0) {
		note(g, EV_NOTE, "could not build the request");
		goto out;
	}
	if (!g->anonymous) {
		krbs_set_timeout(g->krb, remaining(g) / 2);
		if (krbs_token(g->krb, "HTTP", g->target, &tok, &toklen,
		    &ev) != 0) {
			ev.step = g->step;
			snprintf(ev.source, sizeof(ev.source), "register kerberos");
			report_add_event(g->r, &ev);
			goto out;
		}
		if ((b64 = crypto_b64encode(tok, toklen)) == NULL)
			goto out;
	}
	memset(&req, 0, sizeof(req));
	req.host = g->target;
	req.port = g->port ? g->port : g->https ? 443 : 80;
	req.https = g->https;
	req.cafile = g->cacert;
	req.crlfile = g->crl;
	req.client_cert = g->p12 ? g->p12 : g->tls_cert;
	req.client_key = g->p12 ? NULL : g->tls_key;
	req.client_p12 = g->p12 != NULL;
	req.client_password = g->p12pass;
	req.method = "CCM_POST";
	req.path = g->anonymous ? CCM_PATH_ANONYMOUS : CCM_PATH_WINDOWSAUTH;
	req.negotiate_b64 = b64;
	req.timeout = remaining(g);
	hb.content_type = CCM_CONTENT_TYPE;
	hb.data = msg;
	hb.len = msglen;

	call_of(g, &call);
	snprintf(what, sizeof(what), "ClientRegistrationRequest %s%s%s (%zu "
	    "bytes)%s", confirmation ? "Confirmation" : "Registration",
	    smsid[0] ? " for " : "", smsid, msglen, req.client_cert ?
	    ", with a TLS client certificate" : "");
	call.what = what;
	if (b64) {
		snprintf(spn, sizeof(spn), "HTTP/%s", g->target);
		call.auth = "Negotiate";
		call.ticket = spn;
	}
	httpev_request(&call, &req);
	if ((i = http_send(&req, &hb, &rep, &body)) != 0) {
		note(g, EV_NOTE, "the request could not be sent: %s",
		    err_str(i));
		goto out;
	}
	if (!rep.transport_ok && (rep.too_large || rep.partial)) {
		fact(g, reply_event(&ev, rep.too_large ? REG_REPLY_TOO_LARGE :
		    REG_REPLY_TRUNCATED), "the MP's reply %s: %s",
		    rep.too_large ? "passed the bound on a reply body, reading "
		    "stopped" : "ended before its announced length",
		    rep.errtext);
		goto out;
	}
	if (!rep.transport_ok && rep.tls != HTTP_TLS_NONE &&
	    rep.tls != HTTP_TLS_CLIENT_CERT_UNUSABLE) {
		static const enum tls_failure tls[] = {
			[HTTP_TLS_CLIENT_CERT_REJECTED] =
			    TLS_FAIL_CLIENT_CERT_REJECTED,
			[HTTP_TLS_CLIENT_CERT_REVOKED] =
			    TLS_FAIL_CLIENT_CERT_REVOKED,
			[HTTP_TLS_SERVER_CERT_REVOKED] =
			    TLS_FAIL_SERVER_CERT_REVOKED,
			[HTTP_TLS_CRL_UNUSABLE] = TLS_FAIL_CRL_UNUSABLE,
		};

		event_init(&ev, EV_TLS_FAILURE);
		ev.tls = tls[rep.tls];
		fact(g, &ev, "TLS with %s:%d failed: %s%s", g->target,
		    req.port, rep.errtext, req.client_cert ? "" :
		    " (no client certificate was offered)");
		goto out;
	}
	httpev_result(&call, &req, &rep, NULL);
	if (!rep.transport_ok)
		goto out;
	if (rep.status != 200)
		goto out;
	pb = ccm_reply_parse(body.data, body.len, &cr, why, sizeof(why));
	if (pb != CCM_REPLY_OK) {
		static const enum reg_reply kinds[] = {
			[CCM_REPLY_EMPTY] = REG_REPLY_EMPTY,
			[CCM_REPLY_HTML] = REG_REPLY_HTML,
			[CCM_REPLY_NOT_MULTIPART] = REG_REPLY_NOT_MULTIPART,
			[CCM_REPLY_BAD_ZLIB] = REG_REPLY_BAD_ZLIB,
			[CCM_REPLY_BAD_UTF16] = REG_REPLY_BAD_UTF16,
			[CCM_REPLY_TRUNCATED] = REG_REPLY_TRUNCATED,
		};

		fact(g, reply_event(&ev, kinds[pb]), "the MP's %ld reply (%s, %zu "
		    "bytes) is %s: %s", rep.status, body.content_type[0] ?
		    body.content_type : "no Content-Type", body.len,
		    ccm_reply_problem_name(pb), why);
		goto out;
	}
	if (check_signature(g, &cr) != 0)
		goto out;
	if (mpxml_reg_reply(cr.text, cr.textlen, reply, why, sizeof(why)) != 0) {
		fact(g, reply_event(&ev, REG_REPLY_BAD_PAYLOAD), "the MP's "
		    "reply payload: %s", why);
		goto out;
	}
	reply_event(&ev, REG_REPLY_RESPONSE);
	ev.reg.status = reply->status;
	ev.reg.approval = reply->approval;
	strlcpy0(ev.reg.smsid, reply->smsid, sizeof(ev.reg.smsid));
	ev.reg.smsid_valid = valid_smsid(reply->smsid);
	r = fact(g, &ev, "ClientRegistrationResponse ResponseType %s, "
	    "Status %d (%s)%s%s, ApprovalStatus %d (%s)",
	    reply->response_type[0] ? reply->response_type : "?",
	    reply->status, reply->status >= 0 && reply->status <= 4 ?
	    status_names[reply->status] : "unknown",
	    reply->smsid[0] ? ", SMSID " : "", reply->smsid, reply->approval,
	    reply->approval == -2 ? "absent" : reply->approval == -1 ?
	    "Unknown" : reply->approval == 0 ? "Pending: not approved" :
	    reply->approval == 1 ? "Approved" : reply->approval == 2 ?
	    "NotApplicable" : "undocumented");
out:
	free(data);
	free(data16);
	free(sig);
	free(msg);
	ccm_reply_release(&cr);
	crypto_freezero(tok, toklen);
	if (b64)
		crypto_freezero(b64, strlen(b64));
	http_content_release(&body);
	http_reply_release(&rep);
	return r;
}

/* The reply at ev is the one the registration ended on. */
static void
ended(struct reg *g, int ev)
{
	if (ev >= 0 && (size_t)ev < g->r->n_events)
		g->r->events[ev].reg.final = 1;
}

static void
run(struct reg *g)
{
	struct ccm_reg_reply reply;
	char smsid[64] = "", msg[256];
	int ev, confirmations = 0;

	g->step = report_add_step(g->r, "register");
	ev = exchange(g, 0, "", &reply);
	while (ev >= 0 && reply.status == 1) {
		double w = g->wait < remaining(g) ? g->wait : remaining(g);

		if (!valid_smsid(reply.smsid)) {
			ended(g, ev);
			step_done(g, STEP_FAILED, "Pending without a usable SMSID");
			return;
		}
		strlcpy0(smsid, reply.smsid, sizeof(smsid));
		if (w < 0.05 || remaining(g) - w < 0.5) {
			ended(g, ev);
			snprintf(msg, sizeof(msg), "still Pending when --timeout "
			    "ran out (%d confirmation%s)", confirmations,
			    confirmations == 1 ? "" : "s");
			step_done(g, STEP_WARN, msg);
			return;
		}
		note(g, EV_NOTE, "Pending: confirming %s in %.1f s", smsid, w);
		usleep((useconds_t)(w * 1e6));
		g->wait = g->wait * 2 > 300 ? 300 : g->wait * 2;
		confirmations++;
		ev = exchange(g, 1, smsid, &reply);
	}
	if (ev < 0) {
		step_done(g, STEP_FAILED, "no registration reply from the MP");
		return;
	}
	ended(g, ev);
	switch (reply.status) {
	case 0:
		snprintf(msg, sizeof(msg), "Registered as %s after %d "
		    "confirmation%s, %s", reply.smsid, confirmations,
		    confirmations == 1 ? "" : "s", reply.approval == 1 ?
		    "approved" : "NOT approved");
		if (reply.approval == 1 || reply.approval == 2)
			step_done(g, STEP_OK, msg);
		else
			step_done(g, STEP_FAILED, msg);
		break;
	case 2:
		step_done(g, STEP_FAILED, "the MP asks for a new registration");
		break;
	case 4:
		step_done(g, STEP_FAILED, "certificate conflict");
		break;
	default:
		step_done(g, STEP_FAILED, "the MP rejected the registration");
		break;
	}
}

static int
identity(struct reg *g, const char *certfile, const char *keyfile)
{
	struct crypto_cert cc;
	char err[256] = "", sha[48];
	size_t i;

	g->step = report_add_step(g->r, "identity");
	if (g->p12) {
		if (crypto_ident_load_p12(g->p12, g->p12pass, &g->id, err,
		    sizeof(err)) != 0) {
			fprintf(stderr, "ccmdiag: %s\n", err);
			return 3;
		}
		certfile = g->p12;
	} else if (certfile) {
		if (crypto_ident_load(certfile, keyfile, &g->id, err,
		    sizeof(err)) != 0) {
			fprintf(stderr, "ccmdiag: %s\n", err);
			return 3;
		}
	} else if (crypto_ident_new("ConfigMgr Client", &g->id) != 0) {
		fprintf(stderr, "ccmdiag: cannot create a key and certificate\n");
		return 3;
	}
	if (crypto_ident_cert(g->id, &g->cert, &g->cert_len) != 0 ||
	    crypto_cert_decode(g->cert, g->cert_len, &cc) != 0) {
		fprintf(stderr, "ccmdiag: cannot encode the certificate\n");
		return 3;
	}
	for (i = 0; i < 20; i++)
		snprintf(sha + 2 * i, 3, "%02X", cc.sha1[i]);
	note(g, EV_NOTE, "%s certificate %s, %s %d bits, EKU %s, thumbprint %s; "
	    "sent as the Signing and the Encryption certificate",
	    certfile ? "loaded" : "self-signed", cc.subject, cc.key_type,
	    cc.key_bits, cc.eku, sha);
	crypto_cert_release(&cc);
	step_done(g, STEP_OK, certfile ? "certificate loaded" :
	    "new self-signed certificate");
	return 0;
}

static int
kerberos(struct reg *g)
{
	char princ[256] = "", realm[128] = "", mrealm[128] = "", spn[420];
	long code;

	g->step = report_add_step(g->r, "kerberos");
	if (krbs_open(&g->krb, remaining(g) / 2, on_krb_event, g) != 0) {
		fprintf(stderr, "ccmdiag: cannot set up Kerberos\n");
		return 3;
	}
	if ((code = krbs_creds(g->krb, g->keytab, g->principal, princ,
	    sizeof(princ), realm, sizeof(realm))) != 0) {
		struct event ev;

		event_init(&ev, EV_NO_CREDENTIALS);
		ev.step = g->step;
		snprintf(ev.source, sizeof(ev.source), "register kerberos");
		krbs_message(g->krb, code, ev.text, sizeof(ev.text));
		report_add_event(g->r, &ev);
		step_done(g, STEP_FAILED, "no credentials");
		return 1;
	}
	strlcpy0(g->r->client, princ, sizeof(g->r->client));
	strlcpy0(g->r->client_realm, realm, sizeof(g->r->client_realm));
	if (krbs_service_ticket(g->krb, "HTTP", g->target, mrealm,
	    sizeof(mrealm)) != 0) {
		step_done(g, STEP_FAILED, "no ticket for the MP");
		return 1;
	}
	strlcpy0(g->r->mp_realm, mrealm, sizeof(g->r->mp_realm));
	snprintf(spn, sizeof(spn), "ticket for HTTP/%s@%s", g->target, mrealm);
	step_done(g, STEP_OK, spn);
	return 0;
}

static int
names(struct reg *g, char *nb, size_t nbn, char *fq, size_t fqn)
{
	char host[256] = "";
	size_t i;

	if (g->fqdn == NULL) {
		if (gethostname(host, sizeof(host) - 1) != 0)
			return -1;
		strlcpy0(fq, host, fqn);
		g->fqdn = fq;
	}
	if (g->netbios == NULL) {
		strlcpy0(nb, g->fqdn, nbn < 16 ? nbn : 16);
		if (strchr(nb, '.'))
			*strchr(nb, '.') = '\0';
		for (i = 0; nb[i]; i++)
			if (nb[i] >= 'a' && nb[i] <= 'z')
				nb[i] = (char)(nb[i] - 'a' + 'A');
		g->netbios = nb;
	}
	return valid_hostname(g->fqdn) && valid_hostname(g->netbios) &&
	    strchr(g->netbios, '.') == NULL && strlen(g->netbios) <= 15 ? 0 :
	    -1;
}

int
register_run(const struct register_opts *o, struct report *r)
{
	char nb[16], fq[256];
	struct reg g;
	int rc;

	memset(&g, 0, sizeof(g));
	g.target = o->target;
	g.netbios = o->netbios;
	g.fqdn = o->fqdn;
	g.keytab = o->keytab;
	g.principal = o->principal;
	g.anonymous = o->anonymous;
	g.port = o->port;
	g.wait = o->wait;
	g.https = o->https;
	g.cacert = o->cacert;
	g.crl = o->crl;
	g.p12 = o->p12;
	if (g.https) {
		g.anonymous = 1;
		g.tls_cert = o->certfile;
		g.tls_key = o->keyfile;
		g.p12pass = getenv("CCMDIAG_PKCS12_PASSWORD");
	}
	if (names(&g, nb, sizeof(nb), fq, sizeof(fq)) != 0) {
		fprintf(stderr, "ccmdiag: --netbios wants a name of at most 15 "
		    "letters, digits or '-', --fqdn a host name\n");
		return 2;
	}
	if (o->mpcerts) {
		char err[256] = "";

		if (crypto_store_load(o->mpcerts, &g.store, err,
		    sizeof(err)) != 0) {
			fprintf(stderr, "ccmdiag: --mp-certs: %s\n", err);
			return 3;
		}
	}
	strlcpy0(r->mp_name, g.target, sizeof(r->mp_name));
	g.r = r;
	g.deadline = now_mono() + o->timeout;
	rc = identity(&g, o->certfile, o->keyfile);
	if (rc == 0 && !g.anonymous)
		rc = kerberos(&g);
	if (rc == 0)
		run(&g);
	krbs_close(g.krb);
	crypto_ident_free(g.id);
	crypto_store_free(g.store);
	free(g.cert);
	return rc;
}
