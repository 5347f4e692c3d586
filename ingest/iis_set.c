/*
 * iis_set.c - the IIS logs given to one report: read() notes each with the
 * time of its first request, finish() takes them all, oldest first, to be
 * read as one set of clients, and puts their events where the first log
 * was given.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "ingest_iis.h"

static struct iis_set *sets;
static pthread_mutex_t sets_mu = PTHREAD_MUTEX_INITIALIZER;

void
iis_set_free(struct iis_set *set)
{
	size_t k;

	if (set == NULL)
		return;
	for (k = 0; k < set->n_files; k++)
		free(set->files[k].path);
	free(set->files);
	free(set);
}

/* Take r's set out of the list, for r to add to; a set left by an earlier
 * report at r's address is freed. */
static struct iis_set *
set_take(const struct report *r)
{
	struct iis_set **pp, *set = NULL, *stale;

	pthread_mutex_lock(&sets_mu);
	for (pp = &sets; *pp; ) {
		if ((*pp)->r != r) {
			pp = &(*pp)->next;
			continue;
		}
		stale = *pp;
		*pp = stale->next;
		if (stale->started == r->started && set == NULL)
			set = stale;
		else
			iis_set_free(stale);
	}
	pthread_mutex_unlock(&sets_mu);
	return set;
}

static void
set_put(struct iis_set *set)
{
	pthread_mutex_lock(&sets_mu);
	set->next = sets;
	sets = set;
	pthread_mutex_unlock(&sets_mu);
}

/* "#Date: 2009-05-20 19:35:11" */
static double
date_directive(struct cursor *c)
{
	char when[32];
	uint8_t b;

	cur_skip(c, 6);
	while (cur_peek_u8(c, &b) && b == ' ')
		cur_skip(c, 1);
	iis_text_of(c, when, sizeof(when));
	return iis_log_time(when);
}

#define PEEK_LINES	1000

/*
 * The time of the log's first request line (any line under a #Fields
 * with date and time), or of its first #Date directive; 0 when the first
 * lines hold neither.
 */
static double
first_time(struct logread *lr)
{
	struct fmt m;
	struct cursor c;
	double date = 0;
	int too_long, i;

	memset(&m, 0, sizeof(m));
	for (i = 0; i < F__N; i++)
		m.col[i] = -1;
	while (lr->lineno < PEEK_LINES && logread_next(lr, &c, &too_long) > 0) {
		char d[16] = "", t[16] = "", when[40];
		int col = 0, found = 1;

		if (too_long || cur_empty(&c))
			continue;
		if (iis_has_prefix(&c, "#Fields:")) {
			cur_skip(&c, 8);
			iis_fields(&m, &c);
			continue;
		}
		if (iis_has_prefix(&c, "#Date:")) {
			if (date == 0)
				date = date_directive(&c);
			continue;
		}
		if (iis_has_prefix(&c, "#") || m.col[F_DATE] < 0 ||
		    m.col[F_TIME] < 0)
			continue;
		while (found && !cur_empty(&c)) {
			struct cursor tok = cur_until(&c, ' ', &found);

			if (col == m.col[F_DATE])
				iis_text_of(&tok, d, sizeof(d));
			if (col == m.col[F_TIME])
				iis_text_of(&tok, t, sizeof(t));
			col++;
		}
		snprintf(when, sizeof(when), "%s %s", d, t);
		if (iis_log_time(when) > 0)
			return iis_log_time(when);
	}
	return date;
}

int
iis_set_add(struct report *r, const char *path, const char *name, int input,
    char *errbuf, size_t errlen)
{
	struct logread lr;
	struct iis_set *set;
	struct iis_file *f;
	double first;
	int rc;

	if ((rc = logread_open(&lr, path, errbuf, errlen)) != 0)
		return rc;
	first = first_time(&lr);
	logread_close(&lr);
	if ((set = set_take(r)) == NULL) {
		if ((set = calloc(1, sizeof(*set))) == NULL)
			goto nomem;
		set->r = r;
		set->started = r->started;
		set->at = r->n_events;
	}
	if (set->n_files == MAX_FILES) {
		set_put(set);
		snprintf(errbuf, errlen, "%s: more than %d IIS logs at once",
		    path, MAX_FILES);
		return ERR_USAGE;
	}
	if (set->n_files == set->cap_files) {
		size_t ncap = set->cap_files ? 2 * set->cap_files : 8;

		if ((f = realloc(set->files, ncap * sizeof(*f))) == NULL) {
			set_put(set);
			goto nomem;
		}
		set->files = f;
		set->cap_files = ncap;
	}
	f = &set->files[set->n_files];
	memset(f, 0, sizeof(*f));
	if ((f->path = strdup(path)) == NULL) {
		set_put(set);
		goto nomem;
	}
	(void)name;
	f->base = strrchr(f->path, '/') ? strrchr(f->path, '/') + 1 : f->path;
	f->input = input;
	f->first = first;
	f->given = set->n_files++;
	set_put(set);
	return 0;
nomem:
	snprintf(errbuf, errlen, "%s: out of memory", path);
	return ERR_NOMEM;
}

/* Oldest first; logs without a time first, all in the order given. */
static int
file_cmp(const void *a, const void *b)
{
	const struct iis_file *x = a, *y = b;

	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	return x->given < y->given ? -1 : x->given > y->given;
}

static const char *
name_of(const struct iis_file *f)
{
	return strrchr(f->path, '/') ? strrchr(f->path, '/') + 1 : f->path;
}

/* Another log of the set has f's name (label: or f's label). */
static int
name_twice(const struct iis_set *set, const struct iis_file *f, int label)
{
	size_t j;

	for (j = 0; j < set->n_files; j++)
		if (&set->files[j] != f && strcmp(label ? set->files[j].base :
		    name_of(&set->files[j]), label ? f->base : name_of(f)) == 0)
			return 1;
	return 0;
}

/*
 * Logs of one name (two MPs' u_ex090520.log) are named with their
 * directory, "mp2/u_ex090520.log", or failing that a number, so that their
 * events' sources tell them apart.
 */
static void
name_apart(struct iis_set *set)
{
	struct iis_file *f;
	const char *name, *dir;
	size_t k;

	for (k = 0; k < set->n_files; k++) {
		f = &set->files[k];
		if (!name_twice(set, f, 0))
			continue;
		name = name_of(f);
		for (dir = name > f->path ? name - 1 : name; dir > f->path &&
		    dir[-1] != '/'; dir--)
			;
		snprintf(f->label, sizeof(f->label), "%.*s%s",
		    (int)(name - dir), dir, name);
		f->base = f->label;
	}
	for (k = 0; k < set->n_files; k++) {
		f = &set->files[k];
		if (f->base == f->label && name_twice(set, f, 1)) {
			snprintf(f->label, sizeof(f->label), "%.36s#%zu",
			    name_of(f), f->given + 1);
		}
	}
}

struct iis_set *
iis_set_take(const struct report *r)
{
	struct iis_set *set = set_take(r);

	if (set) {
		qsort(set->files, set->n_files, sizeof(*set->files),
		    file_cmp);
		name_apart(set);
	}
	return set;
}

static void
reverse(struct event *v, size_t a, size_t b)
{
	struct event tmp;

	while (a + 1 < b) {
		tmp = v[a];
		v[a++] = v[--b];
		v[b] = tmp;
	}
}

void
iis_move_events(struct report *r, size_t at, size_t from)
{
	if (at >= from || from >= r->n_events)
		return;
	reverse(r->events, at, from);
	reverse(r->events, from, r->n_events);
	reverse(r->events, at, r->n_events);
}
