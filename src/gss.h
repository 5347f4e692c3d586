/*
 * gss.h - the Kerberos/GSS-API wrapper: the only file that calls gss_* and
 * krb5_*.  It works in a private memory ccache, so the user's credential
 * cache is read at most, never written, and configures MIT like a Windows
 * client: no reverse DNS, no host name canonicalisation.  Every KDC
 * exchange of the library goes through ccmdiag's own transport (src/kdc.c,
 * MIT's KDC send hook), so none waits past the session's deadline.
 * MIT's trace is turned into events; raw trace lines are never kept (they
 * can carry key material).
 */
#ifndef CCMDIAG_GSS_H
#define CCMDIAG_GSS_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"

struct krb_session;
struct kdc_list;
typedef void (*krb_event_fn)(void *arg, struct event *ev);

/* KRB5 library codes the probes map to findings. */
enum krbs_class {
	KRBS_OK, KRBS_KDC_ERROR, KRBS_KDC_UNREACH, KRBS_REALM_UNKNOWN,
	KRBS_NO_CREDS, KRBS_SKEW, KRBS_OTHER,
};

int krbs_open(struct krb_session **out, double timeout, krb_event_fn fn,
    void *arg);
void krbs_close(struct krb_session *s);
/* The library calls that follow end their KDC exchanges within timeout
 * seconds from now (one deadline for all the exchanges of a call). */
void krbs_set_timeout(struct krb_session *s, double timeout);
/* The realm's KDCs as the library and the send hook find them: krb5.conf's
 * kdc lines, else (dns_lookup_kdc) the SRV records, each with its port,
 * found by the session's deadline (src/kdc.h). */
int krbs_locate(struct krb_session *s, const char *realm,
    struct kdc_list *out);

/*
 * Load the client's credentials into the private ccache: from keytab and
 * principal (as the machine account does), else a copy of the default
 * ccache.  Returns a krb5 error code; the principal and realm on success.
 */
long krbs_creds(struct krb_session *s, const char *keytab,
    const char *principal, char *princ, size_t pn, char *realm, size_t rn);
/* The client's principal and realm without touching the network: the
 * given principal, or the default ccache's. */
long krbs_peek_client(struct krb_session *s, const char *principal,
    char *princ, size_t pn, char *realm, size_t rn);
/* Ticket for service/host, referrals only; realm of the ticket out. */
long krbs_service_ticket(struct krb_session *s, const char *service,
    const char *host, char *realm, size_t rn);
/* SPNEGO initial token for service@host with mutual auth; caller frees
 * with crypto_freezero. */
int krbs_token(struct krb_session *s, const char *service, const char *host,
    uint8_t **tok, size_t *len, struct event *status);
/* Feed the acceptor's reply token; 0 when mutual authentication holds. */
int krbs_reply(struct krb_session *s, const uint8_t *tok, size_t len,
    struct event *status);
/*
 * A run of many checks at once (ccmdiag fleet) shares what one client has
 * once.  krbs_run_begin writes the Windows-like profile once and points
 * KRB5_CONFIG at it until krbs_run_end; the sessions opened meanwhile leave
 * the environment and /tmp alone, so threads may open them.  A krbs_tgt is
 * one identity's TGT for the run: the first krbs_creds of a session given
 * it (krbs_share_tgt) gets it and keeps it with the events of its AS
 * exchange; the others wait for it, then take a copy and the same events.
 * realms are those the run will ask (its identities', its MPs' domains),
 * each once:
 * the KDCs of each that krb5.conf names none for are found once, first
 * (within a second or half the timeout), and written into the run's
 * profile, so that the library does not look them up again before each
 * request; krbs_config_kdcs still gives krb5.conf's lines only.
 * Call begin and end with no session open; free a krbs_tgt once no session
 * uses it.
 */
int krbs_run_begin(double timeout, const char (*realms)[128], size_t n);
void krbs_run_end(void);
struct krbs_tgt;
struct krbs_tgt *krbs_tgt_new(void);
void krbs_tgt_free(struct krbs_tgt *t);
void krbs_share_tgt(struct krb_session *s, struct krbs_tgt *t);
/* An AS-REQ without pre-authentication for the client, for the clock. */
long krbs_as_req(struct krb_session *s, uint8_t **req, size_t *len);
/* KDC host names or addresses configured for realm in krb5.conf. */
int krbs_config_kdcs(struct krb_session *s, const char *realm,
    char out[][256], int max);
/* "MEMORY:..." name of the private ccache, for another library (SASL
 * GSSAPI) to use for one call (krbs_thread_ccache); 0 on success. */
int krbs_ccache_name(struct krb_session *s, char *buf, size_t n);
/* The ccache GSS-API takes by default in the calling thread (name NULL:
 * the default again), whatever KRB5CCNAME says to the others. */
void krbs_thread_ccache(const char *name);
/*
 * The user's own credentials, checked before anything is sent, so that a
 * mistake of theirs is one line (exit 3) rather than a finding about
 * someone else.  krbs_check_keytab: the keytab must be one and hold
 * principal; with principal NULL, its first machine account (NAME$, as
 * kinit -k takes a host key) is chosen into chosen.  krbs_check_ccache:
 * the default ccache (KRB5CCNAME) must exist, be readable and hold an
 * unexpired TGT.  0, or ERR_NOT_FOUND/ERR_MALFORMED with why filled.
 */
int krbs_check_keytab(struct krb_session *s, const char *keytab,
    const char *principal, char *chosen, size_t cn, char *why, size_t wn);
int krbs_check_ccache(struct krb_session *s, char *why, size_t wn);
enum krbs_class krbs_classify(long code);
/*
 * Non-zero when a library call was still blocked at the deadline and left
 * behind (src/bounded.c): the session does nothing more, every call fails.
 * 2 when it was looking up a realm's KDCs in DNS, else 1.  The realm it
 * was at, and why in words, for the event.
 */
int krbs_hung(struct krb_session *s, char *realm, size_t rn, char *why,
    size_t wn);
/* RFC 4120 error number of a krb5 library code, or -1. */
int krbs_rfc_code(long code);
/* The library's message for code (no secrets), its name where known and
 * its number, through err_lib: "Decrypt integrity check failed (krb5
 * KRB5KRB_AP_ERR_BAD_INTEGRITY, -1765328353)". */
void krbs_message(struct krb_session *s, long code, char *buf, size_t n);

#endif
