/*
 * gss_int.h - what the files of the Kerberos wrapper share, and nothing
 * else of ccmdiag sees (it goes through gss.h): src/gss.c, the session,
 * its KDC transport and the GSS-API exchange; src/gss_run.c, a run's
 * profile, KDCs and TGTs; src/gss_ident.c, who the client is (keytab,
 * credential cache).
 */
#ifndef CCMDIAG_GSS_INT_H
#define CCMDIAG_GSS_INT_H

#include <pthread.h>

#include <gssapi/gssapi.h>
#include <krb5.h>

#include "event.h"
#include "gss.h"
#include "krbtrace.h"

/* One identity's TGT for a run (gss.h). */
struct krbs_tgt {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	enum { TGT_NONE, TGT_GETTING, TGT_DONE } state;
	long code;
	char msg[512];		/* the library's message for code */
	char ccname[128];	/* "MEMORY:...": the TGT, when code is 0 */
	char princ[256], realm[128];
	double when;		/* when it was got */
	struct event *events;	/* what getting it showed */
	size_t n_events, cap_events;
};

struct krb_session {
	krb5_context ctx;
	krb5_ccache mcc;
	krb5_principal client;
	char overlay[300];	/* $TMPDIR/ccmdiag-krb5-XXXXXX */
	char *saved_config;
	int had_config;
	double deadline;	/* now_mono(): the KDC exchanges end by then */
	/* a library call left blocked at its deadline (bounded_call): the
	 * session is its for good; no event leaves it any more */
	pthread_mutex_t emit_mu;
	int dead;
	krb_event_fn fn;
	void *arg;
	struct krbs_tgt *tgt;		/* the run's TGT of this identity */
	struct krbs_tgt *recording;	/* getting it: keep the events */
	struct krbtrace tr;	/* what MIT's trace said so far */
	/* GSS exchange */
	gss_ctx_id_t gctx;
	gss_cred_id_t gcred;
	gss_name_t gname;
};

/* ev to the session's caller (and to the TGT it is getting for a run). */
void krbs_emit(struct krb_session *s, struct event *ev);
/* "name@REALM" of p into buf, "?" when it has none. */
void krbs_unparse(krb5_context ctx, krb5_const_principal p, char *buf,
    size_t n);
/* The client's TGT (keytab) or a copy of the credential cache, in a call
 * that ends by the session's deadline whatever the library does. */
long krbs_bounded_creds(struct krb_session *s, const char *keytab,
    const char *principal, char *princ, size_t pn, char *realm, size_t rn);
/* The kdc lines of realm in ctx's profile; dns_lookup_kdc (default on). */
int krbs_profile_kdcs(krb5_context ctx, const char *realm, char out[][256],
    int max);
int krbs_profile_dns_kdc(krb5_context ctx);
/*
 * What the sessions of a run need of it (gss_run.c): on, the run's profile
 * is in KRB5_CONFIG (a session then writes none); text, the lines of it
 * that name the KDCs of realms (n of them) that krb5.conf names none for.
 * The arrays stay the caller's until the next call.
 */
void krbs_run_state(int on, const char *text, char (*realms)[128],
    size_t n);

#endif
