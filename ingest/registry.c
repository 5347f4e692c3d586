/* registry.c - the offline readers, in the order their formats are tried,
 * and the walk from what the user named to each file a reader reads. */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest.h"
#include "util.h"

#define MAX_DEPTH	2	/* directories below the one named */
#define MAX_NESTING	2	/* zips inside zips */

static const struct ingest_reader *const readers[] = {
	&ingest_sql,
	&ingest_iis,
	&ingest_cmlog,
	&ingest_pcap,
	NULL,
};

static const char not_ours[] = "not a capture, IIS log, CM log or SQL trace "
    "that ccmdiag reads";

const struct ingest_reader *
ingest_reader_for(const uint8_t *head, size_t n)
{
	int i;

	for (i = 0; readers[i]; i++)
		if (readers[i]->sniff(head, n))
			return readers[i];
	return NULL;
}

struct walk {
	struct report *r;
	ingest_file_fn *fn;
	void *arg;
	int n_read;		/* files read, whole or cut */
};

/*
 * List one input in the report.  One that is cut or unreadable is also an
 * event for the engine, with no time: none comes from the evidence.
 * quiet: an unreadable file is not worth a line on stderr (a file of
 * another kind inside a directory or zip).
 */
static void
record(struct walk *w, const struct ingest_file *f, const char *path,
    const struct input *in, int quiet)
{
	struct event ev;

	report_add_input(w->r, in);
	if (in->status == INPUT_UNREADABLE && !quiet)
		fprintf(stderr, "ccmdiag: %s: %s\n", path, in->detail);
	if (in->status == INPUT_READ)
		return;
	event_init(&ev, EV_INPUT);
	ev.t = 0;
	snprintf(ev.source, sizeof(ev.source), "%.60s", f ? f->name : path);
	strlcpy0(ev.name, path, sizeof(ev.name));
	strlcpy0(ev.value, in->kind, sizeof(ev.value));
	ev.status = (int)in->status;
	strlcpy0(ev.text, in->detail, sizeof(ev.text));
	report_add_event(w->r, &ev);
}

/* List a file that no reader read (status unreadable), or a zip whose
 * members were read up to a point (cut). */
static void
listed(struct walk *w, const struct ingest_file *f, const char *path,
    const char *kind, enum input_status status, const char *why, int quiet)
{
	struct input in;

	memset(&in, 0, sizeof(in));
	strlcpy0(in.path, path, sizeof(in.path));
	strlcpy0(in.kind, kind, sizeof(in.kind));
	in.status = status;
	strlcpy0(in.detail, why, sizeof(in.detail));
	record(w, f, path, &in, quiet);
}

static void
unreadable(struct walk *w, const struct ingest_file *f, const char *path,
    const char *why, int quiet)
{
	listed(w, f, path, "unknown", INPUT_UNREADABLE, why, quiet);
}

static void read_file(struct walk *w, struct ingest_file *f, int nesting,
    int quiet);

/* Every member of the zip f. */
static void
read_archive(struct walk *w, struct ingest_file *f, int nesting)
{
	struct ingest_archive *z;
	struct ingest_file *m;
	char err[256];
	int rc, n = 0, before = w->n_read;

	if (ingest_archive_open(&z, f, err, sizeof(err)) != 0) {
		listed(w, f, f->path, "zip", INPUT_UNREADABLE, err, 0);
		return;
	}
	while ((rc = ingest_archive_next(z, &m, err, sizeof(err))) > 0) {
		n++;
		if (rc == 2)
			unreadable(w, m, m->path, err, 0);
		else
			read_file(w, m, nesting + 1, 1);
	}
	if (rc < 0)	/* the members before stand */
		listed(w, f, f->path, "zip", n > 0 ? INPUT_CUT :
		    INPUT_UNREADABLE, err, 0);
	else if (w->n_read == before) {
		snprintf(err, sizeof(err), "no capture, IIS log, CM log or "
		    "SQL trace in this zip (%d file%s)", n, n == 1 ? "" : "s");
		listed(w, f, f->path, "zip", INPUT_UNREADABLE, err, 0);
	}
	ingest_archive_close(z);
}

/* Tell f's format from its head and read it. */
static void
read_file(struct walk *w, struct ingest_file *f, int nesting, int quiet)
{
	const struct ingest_reader *rd;
	struct input in;

	if (ingest_is_archive(f)) {
		if (nesting < MAX_NESTING)
			read_archive(w, f, nesting);
		else
			listed(w, f, f->path, "zip", INPUT_UNREADABLE, "a zip "
			    "inside a zip inside a zip: not opened", quiet);
		return;
	}
	if ((rd = ingest_reader_for(f->head, f->head_len)) == NULL) {
		unreadable(w, f, f->path, not_ours, quiet);
		return;
	}
	memset(&in, 0, sizeof(in));
	strlcpy0(in.path, f->path, sizeof(in.path));
	strlcpy0(in.kind, rd->kind, sizeof(in.kind));
	f->index = (int)w->r->n_inputs;
	if (rd->read(f, w->r, &in) != 0) {
		in.status = INPUT_UNREADABLE;
		record(w, f, f->path, &in, 0);
		return;
	}
	if (in.status == INPUT_UNREADABLE)
		in.status = INPUT_CUT;
	record(w, f, f->path, &in, 0);
	w->n_read++;
	if (w->fn)
		w->fn(w->arg, f, rd, &in);
}

static void
open_and_read(struct walk *w, const char *path, int quiet)
{
	struct ingest_file f;
	char err[256];

	if (ingest_open(&f, path, err, sizeof(err)) != 0) {
		unreadable(w, NULL, path, err, 0);
		return;
	}
	read_file(w, &f, 0, quiet);
	ingest_close(&f);
}

static int
by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int
visible(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

/* The regular files of dir and of its directories, depth levels down,
 * by name; *n counts the files seen. */
static void
read_dir(struct walk *w, const char *dir, int depth, int *n)
{
	struct dirent **list;
	char path[1024];
	struct stat st;
	int i, k;
	size_t len = strlen(dir);

	if ((k = scandir(dir, &list, visible, by_name)) < 0) {
		char err[256];

		snprintf(err, sizeof(err), "cannot list: %s", strerror(errno));
		unreadable(w, NULL, dir, err, 0);
		return;
	}
	while (len > 1 && dir[len - 1] == '/')
		len--;
	for (i = 0; i < k; i++) {
		if ((size_t)snprintf(path, sizeof(path), "%.*s/%s", (int)len,
		    dir, list[i]->d_name) < sizeof(path) &&
		    lstat(path, &st) == 0) {
			if (S_ISDIR(st.st_mode) && depth > 0)
				read_dir(w, path, depth - 1, n);
			/* a link to a file is read; to a directory, or a
			 * FIFO that may never end, is not */
			else if (S_ISREG(st.st_mode) || (S_ISLNK(st.st_mode) &&
			    stat(path, &st) == 0 && S_ISREG(st.st_mode))) {
				(*n)++;
				open_and_read(w, path, 1);
			}
		}
		free(list[i]);
	}
	free(list);
}

int
ingest_path(struct report *r, const char *path, ingest_file_fn *on_file,
    void *arg)
{
	struct walk w = { r, on_file, arg, 0 };
	struct stat st;
	char err[256];
	int n = 0;

	if (strcmp(path, "-") != 0 && stat(path, &st) == 0 &&
	    S_ISDIR(st.st_mode)) {
		read_dir(&w, path, MAX_DEPTH, &n);
		if (w.n_read == 0) {
			snprintf(err, sizeof(err), "no capture, IIS log, CM "
			    "log or SQL trace in this directory (%d file%s)", n,
			    n == 1 ? "" : "s");
			unreadable(&w, NULL, path, err, 0);
		}
		return w.n_read;
	}
	open_and_read(&w, path, 0);
	return w.n_read;
}

int
ingest_finish(struct report *r, char *errbuf, size_t n)
{
	int i, rc;

	for (i = 0; readers[i]; i++)
		if (readers[i]->finish &&
		    (rc = readers[i]->finish(r, errbuf, n)) != 0)
			return rc;
	return 0;
}
