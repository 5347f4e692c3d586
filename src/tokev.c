/* tokev.c - the events an MP's Negotiate reply token proves. */
#include <stdio.h>
#include <string.h>

#include "krb.h"
#include "tokev.h"
#include "util.h"

int
tokev_reply(const uint8_t *tok, size_t len, const char *sname,
    struct event *reply, struct event *err, struct gss_tok *tok_out)
{
	static const char *const state[] = { "accept-completed",
	    "accept-incomplete", "reject", "request-mic" };
	struct gss_tok t;
	const char *name;

	reply->type = EV_SPNEGO_REPLY;
	reply->from = ROLE_MP;
	reply->to = ROLE_CLIENT;
	strlcpy0(reply->name, sname, sizeof(reply->name));
	if (gss_tok_decode(tok, len, &t) != 0) {
		snprintf(reply->text, sizeof(reply->text), "undecodable (%zu "
		    "bytes)", len);
		return 0;
	}
	if (tok_out)
		*tok_out = t;
	reply->neg_state = t.neg_state;
	snprintf(reply->text, sizeof(reply->text), "negState %s",
	    t.neg_state >= 0 && t.neg_state < 4 ? state[t.neg_state] :
	    "absent");
	if (t.krb_tok_id == 0x0200)
		strappendf(reply->text, sizeof(reply->text), ", AP-REP");
	if (t.krb_tok_id != 0x0300)
		return 0;
	name = krb_err_name(t.krb.error_code);
	reply->code = t.krb.error_code;
	strappendf(reply->text, sizeof(reply->text), ", KRB-ERROR %d %s",
	    reply->code, name ? name : "");

	err->type = EV_KRB_ERROR;
	err->from = ROLE_MP;
	err->to = ROLE_CLIENT;
	err->msg_type = 30;
	err->code = t.krb.error_code;
	err->stime = t.krb.stime;
	strlcpy0(err->name, sname, sizeof(err->name));
	strlcpy0(err->realm, t.krb.realm, sizeof(err->realm));
	strlcpy0(err->text, t.krb.etext, sizeof(err->text));
	return 1;
}
