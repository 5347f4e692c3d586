/*
 * fleet.h - every client identity against every management point, at once
 * (ccmdiag fleet): the targets file, the run and its results, and the
 * outputs made of them.
 *
 * A run is threads in one process: each target is the whole probe
 * (probes/, probe_run_target) in a context of its own, bounded by its
 * --timeout; what a client has once is had once per identity (its TGT, its
 * KDC's clock: struct probe_shared), and DNS answers once per run
 * (src/dnscache.c).  Results go out in the targets' order as they come
 * (fleet_sink), then the matrix and the causes (fleet_render_*).
 */
#ifndef CCMDIAG_FLEET_H
#define CCMDIAG_FLEET_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "nagios.h"
#include "report.h"

#define FLEET_MAX_JOBS		64
#define FLEET_MAX_TARGETS	100000
#define FLEET_MAX_REALMS	64	/* whose KDCs a run finds first */

/* One line of the targets file: an MP and who asks it. */
struct fleet_target {
	char mp[256];		/* host name or address, as the probe takes it */
	int port, https;	/* 0: the run's (--port, --https) */
	char principal[256];	/* "" : the keytab's first NAME$, or the
				 * credential cache's */
	char keytab[1024];	/* "" : the credential cache */
	unsigned long line;	/* in the targets file, from 1 */
	size_t ident;		/* its identity's index in the run */
};

/* Defaults for the lines that do not say (--principal, --keytab). */
struct fleet_defaults {
	const char *principal, *keytab;
	int port, https;
};

/* A line that cannot serve: its number and why, one line. */
typedef void (*fleet_bad_fn)(void *arg, unsigned long line, const char *why);

/*
 * Targets from a file's bytes: "MP [PRINCIPAL [KEYTAB]]" a line, '#' to
 * the end of a line a comment, blank lines nothing.  MP is NAME,
 * NAME:PORT or http(s)://NAME[:PORT]/.  A bad line goes to bad and is
 * skipped.  0 and *out (the caller frees) with *n_out targets, or ERR_NOMEM
 * or ERR_TOO_LARGE (more than FLEET_MAX_TARGETS).
 */
int fleet_parse(const uint8_t *buf, size_t len,
    const struct fleet_defaults *def, fleet_bad_fn bad, void *arg,
    struct fleet_target **out, size_t *n_out);

/* What one target came to. */
struct fleet_result {
	int rc;			/* 0 approved, 1 an error finding, 3 the
				 * check could not run */
	enum nagios_state state;
	char why[1200];		/* rc 3: what kept it from running */
	struct report r;	/* judged; only the events its findings cite
				 * are kept once it has gone out */
	int done;
};

/* A client identity of the run: the targets that share it share its TGT. */
struct fleet_ident {
	char principal[256], keytab[1024];	/* as the lines gave them */
	char label[256];	/* the matrix's row: the principal acted as */
	char realm[128];
	struct probe_shared *shared;
};

/* A management point of the run: the matrix's column. */
struct fleet_mp {
	char name[256];		/* as the lines gave it */
	char label[280];	/* the column head: the first label when
				 * that names it alone, else the name; and
				 * ":PORT" when a line gave one */
	size_t first;		/* its first target */
};

struct fleet_run;
/* Called in the targets' order, once a target and all before it are
 * done, under the run's lock. */
typedef int (*fleet_sink_fn)(void *arg, const struct fleet_run *run,
    size_t i);

struct fleet_opts {
	int jobs;		/* targets at once */
	double timeout;		/* each target's bound, seconds */
	const char *cafile;
	int verbose;
	fleet_sink_fn sink;
	void *sink_arg;
};

struct fleet_run {
	const struct fleet_opts *opts;
	struct fleet_target *targets;
	struct fleet_result *results;
	size_t n;
	struct fleet_ident *idents;
	size_t n_idents;
	struct fleet_mp *mps;
	size_t n_mps;
	size_t *mp_of;		/* each target's column */
	long *cells;		/* [ident * n_mps + mp]: the target, -1 */
	char host[256];		/* the machine that ran it */
	char id[400];		/* the run's id (jsonl) */
	double started, elapsed;
	int sink_failed;
};

/*
 * Run every target, opts->jobs at once.  Takes the targets (freed by
 * fleet_run_release).  0, or 3 with why said (Kerberos could not be set up
 * for the run, no thread could start).
 */
int fleet_run(struct fleet_run *run, const struct fleet_opts *opts,
    struct fleet_target *targets, size_t n, char *why, size_t wn);
void fleet_run_release(struct fleet_run *run);
/* The run's exit status: 1 when any target has an error finding, else 3
 * when any could not run, else 0; and its state (nagios_worse of all). */
int fleet_exit_code(const struct fleet_run *run);
enum nagios_state fleet_state(const struct fleet_run *run);

/* The target of row ident and column mp, or -1 when the file has none. */
long fleet_cell(const struct fleet_run *run, size_t ident, size_t mp);
/* The matrix as it is drawn: identities as rows and MPs as columns, or
 * the other way when the MPs are more (a long list reads down, not
 * across).  fleet_label: a row's (row 1) or a column's head. */
int fleet_mp_rows(const struct fleet_run *run);
size_t fleet_rows(const struct fleet_run *run);
size_t fleet_cols(const struct fleet_run *run);
const char *fleet_label(const struct fleet_run *run, int row, size_t k);
long fleet_at(const struct fleet_run *run, size_t row, size_t col);
/* A cell's words: "approved", the top finding's id, "approved, ID" with
 * a warning, "not run". */
void fleet_cell_text(const struct fleet_result *res, char *buf, size_t n);

/*
 * The findings grouped by root cause: each error finding that is a
 * target's root cause, then each warning, with the targets it holds for,
 * in words: "mpspn, mp07 - for every client", "WS99$@UNTRUSTED.LAB - at
 * every MP", "mpskew: WS01$@CHILD.PARENT.LAB, WS10$@PARENT.LAB".  Then the
 * targets that could not run.
 */
struct fleet_cause {
	enum finding_id id;	/* FID__COUNT: could not run */
	size_t *targets;
	size_t n;
	char where[1024];
};
int fleet_causes(const struct fleet_run *run, struct fleet_cause **out,
    size_t *n_out);
void fleet_causes_free(struct fleet_cause *c, size_t n);

/* "9 of 12 targets approved (1 with a warning), 2 failing, 1 not run" */
void fleet_summary(const struct fleet_run *run, char *buf, size_t n);
/* "3 client identities x 4 MPs, 8 at once, 0.41 s, on HOST at TIME" */
void fleet_about(const struct fleet_run *run, char *buf, size_t n);

/* The outputs (src/fleet_text.c, src/fleet_html.c, src/fleet_json.c):
 * streamed (begin, one per target in order from the sink, end) or whole
 * at the end. */
struct fleet_writer {
	const char *name;
	int (*begin)(const struct fleet_run *run, FILE *out);
	int (*target)(const struct fleet_run *run, size_t i, FILE *out);
	int (*end)(const struct fleet_run *run, FILE *out);
};
extern const struct fleet_writer fleet_text, fleet_markdown, fleet_html,
    fleet_json, fleet_jsonl, fleet_nagios;
const struct fleet_writer *fleet_writer_find(const char *name);
/* "text json jsonl markdown html nagios" */
#define FLEET_FORMATS "text json jsonl markdown html nagios"

#endif
