/*
 * gss_ident.c - who the client is (gss.h): the principal a check acts as,
 * the keytab or credential cache it holds, and the cache a call uses.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_krb5.h>
#include <krb5.h>

#include "error.h"
#include "gss.h"
#include "gss_int.h"
#include "util.h"

long
krbs_peek_client(struct krb_session *s, const char *principal, char *princ,
    size_t pn, char *realm, size_t rn)
{
	krb5_principal p = NULL;
	krb5_ccache def = NULL;
	long code;

	princ[0] = realm[0] = '\0';
	if (principal)
		code = krb5_parse_name(s->ctx, principal, &p);
	else if ((code = krb5_cc_default(s->ctx, &def)) == 0)
		code = krb5_cc_get_principal(s->ctx, def, &p);
	if (code == 0) {
		krbs_unparse(s->ctx, p, princ, pn);
		snprintf(realm, rn, "%.*s", (int)p->realm.length,
		    p->realm.data);
		if (s->client)
			krb5_free_principal(s->ctx, s->client);
		s->client = p;
		p = NULL;
	}
	if (p)
		krb5_free_principal(s->ctx, p);
	if (def)
		krb5_cc_close(s->ctx, def);
	return code;
}

void
krbs_thread_ccache(const char *name)
{
	OM_uint32 min;

	gss_krb5_ccache_name(&min, name, NULL);
}

int
krbs_ccache_name(struct krb_session *s, char *buf, size_t n)
{
	if (s == NULL || s->dead || s->ctx == NULL || s->mcc == NULL)
		return -1;
	snprintf(buf, n, "MEMORY:%s", krb5_cc_get_name(s->ctx, s->mcc));
	return 0;
}

/* Up to 512 bytes of "a, b, c": the principals keytab kt holds. */
static int
keytab_scan(krb5_context ctx, krb5_keytab kt, krb5_const_principal want,
    char *list, size_t ln, char *machine, size_t mn, int *found)
{
	krb5_kt_cursor cur;
	krb5_keytab_entry e;
	char name[256];
	long code;
	int n = 0;

	list[0] = '\0';
	if (machine)
		machine[0] = '\0';
	*found = 0;
	if ((code = krb5_kt_start_seq_get(ctx, kt, &cur)) != 0)
		return (int)code;
	while ((code = krb5_kt_next_entry(ctx, kt, &e, &cur)) == 0) {
		krbs_unparse(ctx, e.principal, name, sizeof(name));
		if (want && krb5_principal_compare(ctx, want, e.principal))
			*found = 1;
		if (machine && !machine[0] && e.principal->length == 1 &&
		    e.principal->data[0].length > 1 &&
		    e.principal->data[0].data[e.principal->data[0].length -
		    1] == '$')
			strlcpy0(machine, name, mn);
		/* each name once: entries of one principal come together */
		if (!list[0] || strstr(list, name) == NULL) {
			if (n++ < 8)
				strappendf(list, ln, "%s%s", list[0] ? ", " :
				    "", name);
			else if (n == 9)
				strappendf(list, ln, ", ...");
		}
		krb5_free_keytab_entry_contents(ctx, &e);
	}
	krb5_kt_end_seq_get(ctx, kt, &cur);
	return code == KRB5_KT_END ? 0 : (int)code;
}

int
krbs_check_keytab(struct krb_session *s, const char *keytab,
    const char *principal, char *chosen, size_t cn, char *why, size_t wn)
{
	krb5_keytab kt = NULL;
	krb5_principal want = NULL;
	char list[512], machine[256], msg[256], path[1100];
	long code;
	int found = 0, r = ERR_MALFORMED;

	chosen[0] = why[0] = '\0';
	snprintf(path, sizeof(path), "%s%s", strchr(keytab, ':') ? "" :
	    "FILE:", keytab);
	if (principal && (code = krb5_parse_name(s->ctx, principal,
	    &want)) != 0) {
		krbs_message(s, code, msg, sizeof(msg));
		snprintf(why, wn, "--principal %s is not a principal name: %s",
		    principal, msg);
		goto out;
	}
	if ((code = krb5_kt_resolve(s->ctx, path, &kt)) != 0 ||
	    (code = keytab_scan(s->ctx, kt, want, list, sizeof(list), machine,
	    sizeof(machine), &found)) != 0) {
		krbs_message(s, code, msg, sizeof(msg));
		snprintf(why, wn, "--keytab %s is not a usable keytab: %s",
		    keytab, msg);
		goto out;
	}
	r = ERR_NOT_FOUND;
	if (!list[0])
		snprintf(why, wn, "--keytab %s holds no keys", keytab);
	else if (principal && !found)
		snprintf(why, wn, "--keytab %s holds no key for %s; it holds: "
		    "%s", keytab, principal, list);
	else if (!principal && !machine[0])
		snprintf(why, wn, "--keytab %s holds no machine account "
		    "(NAME$): name one with --principal; it holds: %s", keytab,
		    list);
	else
		r = 0;
	if (r == 0)
		strlcpy0(chosen, principal ? principal : machine, cn);
out:
	if (want)
		krb5_free_principal(s->ctx, want);
	if (kt)
		krb5_kt_close(s->ctx, kt);
	return r;
}

int
krbs_check_ccache(struct krb_session *s, char *why, size_t wn)
{
	krb5_ccache cc = NULL;
	krb5_principal client = NULL;
	krb5_cc_cursor cur;
	krb5_creds c;
	char name[300], msg[256], when[40];
	const char *env = getenv("KRB5CCNAME");
	long code;
	int r = ERR_MALFORMED, tgt = 0, live = 0;
	double expired = 0;

	why[0] = '\0';
	snprintf(name, sizeof(name), "%s%s", krb5_cc_default_name(s->ctx),
	    env ? " (KRB5CCNAME)" : "");
	if ((code = krb5_cc_default(s->ctx, &cc)) != 0) {
		krbs_message(s, code, msg, sizeof(msg));
		snprintf(why, wn, "the credential cache %s cannot be opened: "
		    "%s", name, msg);
		goto out;
	}
	if ((code = krb5_cc_get_principal(s->ctx, cc, &client)) != 0) {
		krbs_message(s, code, msg, sizeof(msg));
		if (code == KRB5_FCC_NOFILE || code == KRB5_CC_NOTFOUND ||
		    code == ENOENT) {
			r = ERR_NOT_FOUND;
			snprintf(why, wn, "no credential cache at %s: run kinit, "
			    "or give the machine's --keytab", name);
		} else {
			snprintf(why, wn, "the credential cache %s is not "
			    "readable as one (corrupt?): %s", name, msg);
		}
		goto out;
	}
	if ((code = krb5_cc_start_seq_get(s->ctx, cc, &cur)) != 0) {
		krbs_message(s, code, msg, sizeof(msg));
		snprintf(why, wn, "the credential cache %s is not readable as "
		    "one (corrupt?): %s", name, msg);
		goto out;
	}
	while ((code = krb5_cc_next_cred(s->ctx, cc, &cur, &c)) == 0) {
		if (c.server->length == 2 && c.server->data[0].length == 6 &&
		    memcmp(c.server->data[0].data, "krbtgt", 6) == 0 &&
		    krb5_realm_compare(s->ctx, c.server, client)) {
			tgt = 1;
			if ((double)(uint32_t)c.times.endtime > now_real())
				live = 1;
			else
				expired = (double)(uint32_t)c.times.endtime;
		}
		krb5_free_cred_contents(s->ctx, &c);
	}
	krb5_cc_end_seq_get(s->ctx, cc, &cur);
	if (code != KRB5_CC_END) {
		krbs_message(s, code, msg, sizeof(msg));
		snprintf(why, wn, "the credential cache %s is cut short or "
		    "corrupt: %s", name, msg);
		goto out;
	}
	r = ERR_NOT_FOUND;
	if (!tgt) {
		snprintf(why, wn, "the credential cache %s holds no ticket-"
		    "granting ticket of its own realm: run kinit", name);
	} else if (!live) {
		format_time(expired, when, sizeof(when));
		snprintf(why, wn, "the ticket-granting ticket in %s expired at "
		    "%s: run kinit again", name, when);
	} else {
		r = 0;
	}
out:
	if (client)
		krb5_free_principal(s->ctx, client);
	if (cc)
		krb5_cc_close(s->ctx, cc);
	return r;
}
