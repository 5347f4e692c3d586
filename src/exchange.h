/*
 * exchange.h - private to the engine's offline half: exchange.c (clients
 * and their attempts, each judged), exchange_mp.c (which servers are
 * management points, which events belong to an exchange) and
 * exchange_story.c (each client's story and the report's findings).
 */
#ifndef CCMDIAG_EXCHANGE_H
#define CCMDIAG_EXCHANGE_H

#include <stddef.h>

#include "report.h"

#define MAX_MPS 32
#define CUT_WINDOW 5.0		/* seconds before the end of its input
				 * within which an unfinished attempt was cut
				 * by the capture, not abandoned */
#define LONE_GAP 60.0		/* seconds of silence that part attempts
				 * with no HTTP (Kerberos only, --mp) */

/* A management point: a server address (and port) or a name. */
struct mp {
	char addr[48];		/* "" known by name only */
	int port;		/* -1 any */
	char name[256];		/* "" not known */
};

enum outcome { OUT_APPROVED, OUT_FAILING, OUT_INCOMPLETE, OUT_TRANSIENT };

/* A growing list of event indices. */
struct evlist {
	int *ev;
	size_t n, cap;
};

struct attempt {
	int *ev;		/* indices into the report's events */
	size_t n, cap;
	int has_request;	/* an HTTP request to the MP */
	int has_connfail;	/* a failed connection to the MP */
	int auth_ok;		/* an authenticated request answered 2xx */
	int reached;		/* the MP answered something */
	int krb;		/* it holds Kerberos traffic of its own */
	int why;		/* an earlier attempt whose failure explains
				 * this one's silence, or -1 */
	double t_first, t_last;	/* of its MP events, else of any */
	enum outcome out;
	struct report sub;	/* judged copy; findings index sub's events */
};

struct xclient {
	int first;		/* its first event: clients in evidence order */
	char addr[48];
	char user[128];
	struct attempt *at;
	size_t n_at, cap_at;
};

#define MAX_INPUTS 64
struct xstate {
	struct report *r;
	int (*judge)(struct report *);	/* the rules, on one attempt */
	struct {
		char name[64];	/* a source's part before " frame N" */
		double end;	/* its last event's time */
	} inputs[MAX_INPUTS];
	int n_inputs;
	struct mp mps[MAX_MPS];
	int n_mps;
	struct xclient *cl;
	size_t n_cl, cap_cl;
	unsigned char *used;	/* per event: belongs to an attempt */
	unsigned char *rel;	/* per event: enum relevance */
};

enum relevance { REL_NONE, REL_MP, REL_CONTEXT };

/* Clients and attempts in offline evidence (analyze), each attempt judged
 * with judge (engine_judge: every rule, findings sorted, 1 when a
 * Kerberos-authenticated request was answered 2xx); fills r's findings,
 * clients and basis. */
void exchange_run(struct report *r, int (*judge)(struct report *));
/* One row per client across captures, IIS and CM logs (clients.c). */
void clients_run(struct report *r);

/* exchange_mp.c */
int exch_same_name(const char *a, const char *b);
void exch_sname_host(const char *sname, char *host, size_t n);
int exch_is_service(const char *sname, const char *svc);
int exch_is_mp_name(const struct xstate *x, const char *name);
int exch_is_reverse_of_mp(const struct xstate *x, const char *qname);
void exch_find_mps(struct xstate *x);
enum relevance exch_relevance(const struct xstate *x, const struct event *ev);
void exch_mp_summary(struct xstate *x);

/* exchange_story.c */
const struct attempt *exch_deciding(const struct xclient *c);
const struct attempt *exch_effective(const struct xclient *c,
    const struct attempt *a);
void exch_skew_by_peers(struct xstate *x);
void exch_explain_silence(struct xclient *c);
void exch_transient(struct xclient *c);
void exch_report_findings(struct xstate *x, const struct attempt *a);
void exch_client_verdict(struct xstate *x, struct xclient *c);
void exch_background_kerberos(struct xstate *x);
int exch_has_log_evidence(const struct report *r);
void exch_no_exchange(struct xstate *x);

#endif
