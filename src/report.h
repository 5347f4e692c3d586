/*
 * report.h - one finished diagnosis: steps, timeline, findings.
 * Probes and ingest append events; the engine adds findings; writers render.
 */
#ifndef CCMDIAG_REPORT_H
#define CCMDIAG_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "event.h"
#include "finding.h"

enum step_status { STEP_OK, STEP_FAILED, STEP_SKIPPED, STEP_WARN };

struct step {
	char name[32];
	enum step_status status;
	double start, elapsed;		/* seconds */
	char summary[256];
	char frames[48];		/* "frames 4-10" of the live capture */
};

/* One client's outcome on ccm_system_windowsauth, from a server log. */
struct client_verdict {
	char client[128];		/* c-ip */
	char user[128];			/* cs-username once authenticated */
	char verdict[32];		/* kerberos, ntlm, rejected, ... */
	int n_requests;
	char last_status[64];		/* "401.1 0x8009030C SEC_E_LOGON_DENIED" */
	char first[32], last[32];	/* times as logged, UTC */
	char source[64];		/* FILE:LINE of the deciding request */
	/* one story per client, whatever the evidence it comes from: */
	enum cv_approval { CV_UNKNOWN, CV_APPROVED, CV_NOT_APPROVED,
	    CV_UNDECIDED } approval;	/* UNDECIDED: the evidence ends
					 * before the MP's answer */
	char root_cause[48];		/* finding id, "" when none */
	int n_attempts;			/* capture: attempts seen */
	char machine[64];		/* NetBIOS name, from the user or a CM
					 * log's identity */
	char guid[48];			/* SMS GUID, from a CM log */
	char *history;			/* "approved 10:02:11; failing since
					 * 10:07:40: ...", or NULL (an IIS
					 * row's: one per client of a big log,
					 * so not held inline); the report
					 * owns its copy */
};

/* What the verdict could rest on (analyze). */
enum verdict_basis {
	BASIS_JUDGED,		/* the evidence holds what decides */
	BASIS_NO_EXCHANGE,	/* no ConfigMgr exchange in the evidence */
	BASIS_INCOMPLETE,	/* every exchange ends before the answer */
};

/* One input of an offline run, as the report lists it. */
enum input_status { INPUT_READ, INPUT_CUT, INPUT_UNREADABLE };

struct input {
	char path[1024];		/* as given (DIR/FILE, ARCHIVE:MEMBER) */
	char kind[16];			/* capture, iis, cmlog, sql; unknown */
	enum input_status status;
	char detail[256];		/* what was read, where it stops and
					 * why, or why it could not be read */
};

struct report {
	char command[16];		/* probe, analyze, demo */
	char target[256];
	char scenario[64];		/* demo only */
	double started;
	struct step *steps;
	size_t n_steps, cap_steps;
	struct event *events;
	size_t n_events, cap_events;
	struct finding *findings;
	size_t n_findings, cap_findings;
	struct client_verdict *clients;	/* per-client outcomes (analyze) */
	size_t n_clients, cap_clients;
	char client[256];		/* principal the client acted as */
	char client_realm[128];		/* hints for the engine, may be empty */
	char mp_realm[128];
	char mp_name[256];		/* canonical MP name */
	struct input *inputs;		/* analyze: every input, in order */
	size_t n_inputs, cap_inputs;
	int approved;			/* no error finding */
	enum verdict_basis basis;
	int n_exchanges;		/* analyze: MP attempts found */
	char mp_given[8][256];		/* analyze --mp NAME ... */
	int n_mp_given;
	int verbose;			/* writers: show the whole timeline */
	/* writers: how the command line wants it shown (0: as in a file) */
	int color;			/* text: ANSI colours */
	int width;			/* text: wrap column; 0: 80 */
	const char *cmdline;		/* html: the command, quoted; borrowed */
	int live_time;			/* html: say when it ran (live runs) */
};

void report_init(struct report *r, const char *command, const char *target);
void report_release(struct report *r);
/* Append; return the new element's index, or -1 when out of memory. */
int report_add_step(struct report *r, const char *name);
int report_add_event(struct report *r, const struct event *ev);
int report_add_finding(struct report *r, enum finding_id id);
/* Does r hold a finding id? */
int report_has_finding(const struct report *r, enum finding_id id);
/* The number of error findings in r. */
int report_errors(const struct report *r);
/* Sort r's findings root cause first. */
void report_sort_findings(struct report *r);
int report_add_client(struct report *r, const struct client_verdict *cv);
int report_reserve_clients(struct report *r, size_t more);
int client_set_history(struct client_verdict *cv, const char *text);
int report_add_input(struct report *r, const struct input *in);
/* "read", "cut", "unreadable" */
const char *input_status_name(enum input_status s);
/* One input as the writers list it: "PATH (KIND): STATUS, DETAIL". */
void report_input_line(const struct input *in, char *buf, size_t n);
void finding_add_evidence(struct finding *f, int event_index);
const char *step_status_name(enum step_status s);

/* Report writers, one per format (reports/). */
struct report_writer {
	const char *name;
	int (*write)(const struct report *r, FILE *out);
};
extern const struct report_writer report_text, report_json, report_markdown,
    report_html, report_jsonl, report_nagios;
const struct report_writer *report_writer_find(const char *name);
/* "text, json, ...": the writers' names, for usage and error messages. */
const char *report_writer_names(void);
/* The one verdict line ("VERDICT: ... - ...\n"), shared by the writers. */
/* The verdict in two parts: "NOT APPROVED" and what follows it. */
void report_verdict(const struct report *r, char *head, size_t hn,
    char *rest, size_t rn);
/* The text report's verdict line, coloured when r->color. */
void report_text_verdict(const struct report *r, FILE *out);

#endif
