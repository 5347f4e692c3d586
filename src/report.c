/* report.c - the report container. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report.h"
#include "util.h"

void
report_init(struct report *r, const char *command, const char *target)
{
	memset(r, 0, sizeof(*r));
	strlcpy0(r->command, command, sizeof(r->command));
	strlcpy0(r->target, target ? target : "", sizeof(r->target));
	r->started = now_real();
}

void
report_release(struct report *r)
{
	size_t i;

	free(r->steps);
	free(r->events);
	free(r->findings);
	for (i = 0; i < r->n_clients; i++)
		free(r->clients[i].history);
	free(r->clients);
	free(r->inputs);
	memset(r, 0, sizeof(*r));
}

static int
grow(void **arr, size_t *cap, size_t n, size_t size)
{
	void *p;
	size_t ncap;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	if ((p = realloc(*arr, ncap * size)) == NULL)
		return -1;
	*arr = p;
	*cap = ncap;
	return 0;
}

int
report_add_step(struct report *r, const char *name)
{
	struct step *s;

	if (grow((void **)&r->steps, &r->cap_steps, r->n_steps, sizeof(*s)))
		return -1;
	s = &r->steps[r->n_steps];
	memset(s, 0, sizeof(*s));
	strlcpy0(s->name, name, sizeof(s->name));
	s->start = now_real();
	s->status = STEP_OK;
	return (int)r->n_steps++;
}

int
report_add_event(struct report *r, const struct event *ev)
{
	if (grow((void **)&r->events, &r->cap_events, r->n_events,
	    sizeof(*ev)))
		return -1;
	r->events[r->n_events] = *ev;
	return (int)r->n_events++;
}

int
report_add_client(struct report *r, const struct client_verdict *cv)
{
	if (grow((void **)&r->clients, &r->cap_clients, r->n_clients,
	    sizeof(*cv)))
		return -1;
	r->clients[r->n_clients] = *cv;
	r->clients[r->n_clients].history = NULL;
	if (client_set_history(&r->clients[r->n_clients], cv->history))
		return -1;
	return (int)r->n_clients++;
}

/* Room for MORE clients at once: a reader that knows how many it has
 * spares the report the doubling (and its copy) of a large array. */
int
report_reserve_clients(struct report *r, size_t more)
{
	void *p;

	if (more == 0 || r->n_clients + more <= r->cap_clients)
		return 0;
	if (more > ((size_t)-1) / sizeof(*r->clients) - r->n_clients ||
	    (p = realloc(r->clients, (r->n_clients + more) *
	    sizeof(*r->clients))) == NULL)
		return -1;
	r->clients = p;
	r->cap_clients = r->n_clients + more;
	return 0;
}

/* A client's history becomes a copy of TEXT (NULL or "" for none). */
int
client_set_history(struct client_verdict *cv, const char *text)
{
	char *copy = NULL;

	if (text && text[0] && (copy = strdup(text)) == NULL)
		return -1;
	free(cv->history);
	cv->history = copy;
	return 0;
}

int
report_add_input(struct report *r, const struct input *in)
{
	if (grow((void **)&r->inputs, &r->cap_inputs, r->n_inputs,
	    sizeof(*in)))
		return -1;
	r->inputs[r->n_inputs] = *in;
	return (int)r->n_inputs++;
}

const char *
input_status_name(enum input_status s)
{
	switch (s) {
	case INPUT_READ:
		return "read";
	case INPUT_CUT:
		return "cut";
	default:
		return "unreadable";
	}
}

void
report_input_line(const struct input *in, char *buf, size_t n)
{
	snprintf(buf, n, "%s (%s): %s%s%s", in->path, in->kind,
	    input_status_name(in->status), in->detail[0] ? ", " : "",
	    in->detail);
}

int
report_add_finding(struct report *r, enum finding_id id)
{
	size_t i;

	for (i = 0; i < r->n_findings; i++)
		if (r->findings[i].id == id)
			return (int)i;
	if (grow((void **)&r->findings, &r->cap_findings, r->n_findings,
	    sizeof(struct finding)))
		return -1;
	memset(&r->findings[r->n_findings], 0, sizeof(struct finding));
	r->findings[r->n_findings].id = id;
	return (int)r->n_findings++;
}

int
report_has_finding(const struct report *r, enum finding_id id)
{
	size_t i;

	for (i = 0; i < r->n_findings; i++)
		if (r->findings[i].id == id)
			return 1;
	return 0;
}

void
finding_add_evidence(struct finding *f, int event_index)
{
	int i;

	if (event_index < 0)
		return;
	for (i = 0; i < f->n_evidence; i++)
		if (f->evidence[i] == event_index)
			return;
	if (f->n_evidence < FINDING_MAX_EVIDENCE)
		f->evidence[f->n_evidence++] = event_index;
}

const char *
step_status_name(enum step_status s)
{
	switch (s) {
	case STEP_OK:
		return "ok";
	case STEP_FAILED:
		return "failed";
	case STEP_WARN:
		return "warning";
	default:
		return "skipped";
	}
}

/* Errors first, then warnings, then notes; within one, the order of
 * findings.def (root causes before their consequences). */
static int
finding_cmp(const void *a, const void *b)
{
	const struct finding *x = a, *y = b;
	enum severity sx = finding_severity(x->id), sy = finding_severity(y->id);

	if (sx != sy)
		return sx > sy ? -1 : 1;
	return (int)x->id - (int)y->id;
}

void
report_sort_findings(struct report *r)
{
	if (r->n_findings > 1)
		qsort(r->findings, r->n_findings, sizeof(*r->findings),
		    finding_cmp);
}

int
report_errors(const struct report *r)
{
	size_t i;
	int errors = 0;

	for (i = 0; i < r->n_findings; i++)
		if (finding_severity(r->findings[i].id) == SEV_ERROR)
			errors++;
	return errors;
}
