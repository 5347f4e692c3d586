/*
 * probe.h - one step of the live approval path.
 *
 * Adding a probe:
 *   1. probes/<name>.c exporting only `const struct probe probe_<name>`;
 *   2. a row in probes/registry.c, in the order the client does things;
 *   3. a section in docs/probes.md;
 *   4. a test in tests/ (unit for its parsing, lab scenario for its verdict).
 * A probe records what it saw as events and never decides a root cause: the
 * engine does that, so a capture analysed offline reaches the same verdict.
 */
#ifndef CCMDIAG_PROBE_H
#define CCMDIAG_PROBE_H

#include <stddef.h>
#include <stdint.h>

#include "report.h"

#define PROBE_MAX_ADDR 8

struct krbs_tgt;
struct probe_memo;

/* What the checks of one client identity share in a run (ccmdiag fleet):
 * what a client does once, whatever the number of MPs it then talks to. */
struct probe_shared {
	struct krbs_tgt *tgt;		/* its TGT (src/gss.c) */
	struct probe_memo *clock;	/* the clock step: its KDC's clock */
};

struct probe_opts {
	const char *target;		/* MP name as the user gave it */
	int port;			/* 0: 80, or 443 with https */
	int https;
	double timeout;			/* whole run, seconds */
	const char *keytab, *principal;	/* act as a machine account */
	const char *cafile;		/* HTTPS trust anchors */
	int capture;			/* record the exchange with libpcap */
	const char *capture_iface;	/* NULL: all interfaces */
	const char *evidence_dir;	/* keep the capture there */
	int verbose;
	const struct probe_shared *shared;	/* in a run; NULL alone */
};

struct krb_session;
struct capture_live;

struct probe_ctx {
	const struct probe_opts *opts;
	struct report *report;
	int step;			/* current step index */
	double deadline;		/* now_mono() bound */

	/* dns */
	int resolved;
	char fqdn[256];			/* the name qualified as the client's
					 * resolver does (search list) */
	char canon[256];		/* canonical name after CNAMEs: the
					 * SPN's host */
	int name_is_address;		/* an address or localhost: no SPN */
	int hosts_only;			/* known to this machine, not DNS */
	char addrs[PROBE_MAX_ADDR][64];
	int n_addrs;
	char mp_realm_guess[128];	/* upper-cased DNS domain of canon */
	char kdc_addrs[PROBE_MAX_ADDR][64];	/* client realm's KDCs, by SRV */
	int n_kdc_addrs;
	int kdc_ports[PROBE_MAX_ADDR];	/* KDC ports other than 88 */
	int n_kdc_ports;
	int dns_silent;			/* the DNS servers failed a question
					 * (silence, garbage, refusal): later
					 * ones are not asked */

	/* anon-post */
	int mp_reached;

	/* Kerberos */
	struct krb_session *krb;
	char client_principal[256];
	char client_realm[128];
	int have_creds;
	int ticket_ok;			/* HTTP/<mp> ticket obtained */
	char ticket_realm[128];
	uint8_t *token;			/* SPNEGO init token; wiped on free */
	size_t token_len;
	int kdc_down;
	double krb_wait;		/* seconds MIT may wait for a KDC */
	struct capture_live *cap;
	char cap_path[512];
	int mp_krb_error;		/* KRB-ERROR in the MP's last reply, -1 */
	/* the first wait that --timeout cut short, for the exit-3 line */
	char short_step[32];
	double short_wait;
};

/* A network wait shorter than this that ran out blames --timeout, not the
 * other side. */
#define PROBE_MIN_WAIT 1.0

struct probe {
	const char *name;
	const char *summary;
	/* Returns 0; failures of the checked system are events, not errors. */
	int (*run)(struct probe_ctx *ctx);
};

extern const struct probe *const probes[];

/* Helpers for probes (probes/common.c). */
double probe_remaining(const struct probe_ctx *ctx);
/* A wait of `allowed` seconds ran out: when --timeout left too little for
 * it, remember so (the run then ends with exit 3); returns 1 then. */
int probe_out_of_time(struct probe_ctx *ctx, double allowed);
int probe_event(struct probe_ctx *ctx, struct event *ev);
void probe_step_done(struct probe_ctx *ctx, enum step_status st,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void probe_ctx_release(struct probe_ctx *ctx);
/* A KDC listens on port: the capture keeps its traffic too. */
void probe_capture_kdc_port(struct probe_ctx *ctx, int port);
/* Run every probe against opts->target, filling r; 0, or 3 if ccmdiag
 * itself could not run (message printed). */
int probe_run_all(const struct probe_opts *opts, struct report *r);
/* The same, printing nothing: 0, or 3 with why said in why.  Threads may
 * run it at once when each has its own r and opts->capture is off, inside
 * krbs_run_begin/krbs_run_end. */
int probe_run_target(const struct probe_opts *opts, struct report *r,
    char *why, size_t wn);

/*
 * A step's outcome found once per identity in a run (opts->shared): the
 * first check that needs it finds it, the others take it.  take: 1 when
 * it is had (its events, status and summary are in ctx's step now); 0
 * when the caller must find it, then keep it (the events from first_event
 * on, the step's status and summary).  Another check finding it is waited
 * for until ctx's deadline.
 */
struct probe_memo *probe_memo_new(void);
void probe_memo_free(struct probe_memo *m);
int probe_memo_take(struct probe_ctx *ctx, struct probe_memo *m);
void probe_memo_keep(struct probe_ctx *ctx, struct probe_memo *m,
    size_t first_event);

#endif
