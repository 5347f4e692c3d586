/* cli_out.c - where a command's results go: -o FILE and --evidence DIR
 * checked before anything runs (never an input, never a silent overwrite),
 * the report written with the path and the reason of any failure, and the
 * terminal's width and colours. */
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bundle.h"
#include "cli.h"
#include "engine.h"
#include "privs.h"
#include "util.h"

/* An absolute path for path, which may not exist yet: its longest
 * existing head resolved, the rest appended as given. */
static int
resolve(const char *path, char *out)
{
	char head[PATH_MAX], real[PATH_MAX], *slash;
	const char *rest;
	size_t len;

	if (realpath(path, out) != NULL)
		return 0;
	if (strlen(path) >= sizeof(head)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strlcpy0(head, path, sizeof(head));
	while ((len = strlen(head)) > 1 && head[len - 1] == '/')
		head[len - 1] = '\0';
	for (;;) {
		if ((slash = strrchr(head, '/')) == NULL) {
			rest = path;
			strlcpy0(head, ".", sizeof(head));
		} else if (slash == head) {
			rest = path + 1;
			head[1] = '\0';
		} else {
			*slash = '\0';
			rest = path + (slash - head) + 1;
		}
		if (realpath(head, real) != NULL)
			break;
		if (errno != ENOENT || strcmp(head, ".") == 0 ||
		    strcmp(head, "/") == 0)
			return -1;
	}
	if ((size_t)snprintf(out, PATH_MAX, "%s%s%s", real, strcmp(real,
	    "/") ? "/" : "", rest) >= PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	len = strlen(out);
	while (len > 1 && out[len - 1] == '/')
		out[--len] = '\0';
	return 0;
}

/* child is parent or below it */
static int
inside(const char *child, const char *parent)
{
	size_t n = strlen(parent);

	if (strcmp(parent, "/") == 0)
		return 1;
	return strncmp(child, parent, n) == 0 && (child[n] == '\0' ||
	    child[n] == '/');
}

static int
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* -1 when it cannot be read, else 1 when it holds anything */
static int
not_empty(const char *dir)
{
	struct dirent *d;
	DIR *dp;
	int any = 0;

	if ((dp = opendir(dir)) == NULL)
		return -1;
	while (!any && (d = readdir(dp)) != NULL)
		any = strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0;
	closedir(dp);
	return any;
}

/* --evidence DIR: none of the inputs, holding none, new or empty. */
static int
check_evidence(struct cli *cli, char *const inputs[], int n_inputs)
{
	const char *dir = cli->evidence;
	char ev[PATH_MAX], in[PATH_MAX];
	struct stat st;
	int i, full;

	if (resolve(dir, ev) != 0) {
		fprintf(stderr, "ccmdiag: cannot create --evidence %s: %s\n",
		    dir, strerror(errno));
		return 3;
	}
	for (i = 0; i < n_inputs; i++) {
		if (inputs[i] == NULL || strcmp(inputs[i], "-") == 0 ||
		    realpath(inputs[i], in) == NULL)
			continue;
		if (inside(in, ev))
			return cli_usage_error(cli, "--evidence %s holds the "
			    "input %s, which the bundle could overwrite; name "
			    "a new directory", dir, inputs[i]);
		if (is_dir(in) && inside(ev, in))
			return cli_usage_error(cli, "--evidence %s is inside "
			    "the input directory %s; name a directory outside "
			    "it", dir, inputs[i]);
	}
	if (lstat(dir, &st) != 0) {
		if (errno != ENOENT) {
			fprintf(stderr, "ccmdiag: cannot use --evidence %s: %s\n",
			    dir, strerror(errno));
			return 3;
		}
		return 0;
	}
	if (!S_ISDIR(st.st_mode)) {
		fprintf(stderr, "ccmdiag: --evidence %s exists and is not a "
		    "directory\n", dir);
		return 3;
	}
	if ((full = not_empty(dir)) < 0) {
		fprintf(stderr, "ccmdiag: cannot read --evidence %s: %s\n", dir,
		    strerror(errno));
		return 3;
	}
	if (full && !cli->force)
		return cli_usage_error(cli, "--evidence %s is not empty; name a "
		    "new directory, or add --force to write into it", dir);
	return 0;
}

/* -o FILE: not an input, not inside an input directory or the bundle. */
static int
check_output(struct cli *cli, char *const inputs[], int n_inputs)
{
	const char *o = cli->output;
	char out[PATH_MAX], in[PATH_MAX], ev[PATH_MAX];
	struct stat so, si;
	int i, exists;

	exists = stat(o, &so) == 0;
	if (exists && S_ISDIR(so.st_mode)) {
		fprintf(stderr, "ccmdiag: cannot write the report to %s: %s\n",
		    o, strerror(EISDIR));
		return 3;
	}
	if (resolve(o, out) != 0) {
		fprintf(stderr, "ccmdiag: cannot write the report to %s: %s\n",
		    o, strerror(errno));
		return 3;
	}
	if (cli->evidence && resolve(cli->evidence, ev) == 0 &&
	    inside(out, ev))
		return cli_usage_error(cli, "-o %s is inside --evidence %s, "
		    "which holds the report in every format already", o,
		    cli->evidence);
	for (i = 0; i < n_inputs; i++) {
		if (inputs[i] == NULL || strcmp(inputs[i], "-") == 0 ||
		    stat(inputs[i], &si) != 0)
			continue;
		if (exists && si.st_dev == so.st_dev && si.st_ino == so.st_ino)
			return cli_usage_error(cli, "-o %s is the input %s: the "
			    "report would replace it; write it elsewhere", o,
			    inputs[i]);
		if (S_ISDIR(si.st_mode) && realpath(inputs[i], in) &&
		    inside(out, in))
			return cli_usage_error(cli, "-o %s is inside the input "
			    "directory %s; write the report elsewhere", o,
			    inputs[i]);
	}
	return 0;
}

/* Open -o FILE now, so a report is never lost at the end; the file is
 * emptied only when the report is written. */
static int
open_output(struct cli *cli)
{
	int fd;

	fd = open(cli->output, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
	    O_NOCTTY, 0666);
	if (fd >= 0) {
		cli->out_created = 1;
		/* an interrupted run leaves no empty report behind */
		privs_tmp_add(cli->output);
	}
	else if (errno == EEXIST)
		fd = open(cli->output, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		fprintf(stderr, "ccmdiag: cannot write the report to %s: %s\n",
		    cli->output, strerror(errno));
		return 3;
	}
	cli->out_fd = fd;
	return 0;
}

static int
make_evidence(const char *dir)
{
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		fprintf(stderr, "ccmdiag: cannot create --evidence %s: %s\n",
		    dir, strerror(errno));
		return 3;
	}
	/* owner only, whatever was there or the umask says */
	if (chmod(dir, 0700) != 0) {
		fprintf(stderr, "ccmdiag: cannot make --evidence %s private: "
		    "%s\n", dir, strerror(errno));
		return 3;
	}
	return 0;
}

int
cli_check_outputs(struct cli *cli, char *const inputs[], int n_inputs)
{
	int rc;

	if (cli->quiet && !cli->output && cli->format &&
	    strcmp(cli->format, "text") != 0)
		return cli_usage_error(cli, "-q prints only the verdict line; "
		    "give -o FILE for the %s report", cli->format);
	if (cli->evidence && (rc = check_evidence(cli, inputs, n_inputs)))
		return rc;
	if (cli->output && (rc = check_output(cli, inputs, n_inputs)))
		return rc;
	if (cli->output && (rc = open_output(cli)))
		return rc;
	if (cli->evidence && (rc = make_evidence(cli->evidence)))
		return rc;
	return 0;
}

void
cli_release(struct cli *cli)
{
	if (cli->out_fd < 0)
		return;
	close(cli->out_fd);
	cli->out_fd = -1;
	if (cli->out_created && !cli->out_written)
		unlink(cli->output);
	if (cli->out_created)
		privs_tmp_forget(cli->output);
}

/* ---- writing ---------------------------------------------------------- */

static int
terminal_width(void)
{
	struct winsize ws;
	const char *c = getenv("COLUMNS");
	long v;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	if (c && (v = strtol(c, NULL, 10)) >= 20 && v <= 1000)
		return (int)v;
	return 80;
}

static int
want_color(const struct cli *cli, int fd)
{
	const char *no = getenv("NO_COLOR"), *term = getenv("TERM");

	if (cli->color >= 0)
		return cli->color;
	if (no && no[0])
		return 0;
	return isatty(fd) && !(term && strcmp(term, "dumb") == 0);
}

static int
write_all(int fd, const char *buf, size_t len)
{
	ssize_t w;

	while (len > 0) {
		if ((w = write(fd, buf, len)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

/* The report rendered whole in memory, then written: a failure says what
 * and why, and a reader never sees half a report. */
static int
emit(struct report *r, int quiet, const char *format, int fd,
    const char *where)
{
	const struct report_writer *w;
	char *buf = NULL;
	size_t len = 0;
	FILE *m;
	int rc = 0;

	if ((w = report_writer_find(format ? format : "text")) == NULL)
		return 3;
	if ((m = open_memstream(&buf, &len)) == NULL) {
		fprintf(stderr, "ccmdiag: out of memory for the report\n");
		return 3;
	}
	if (quiet)
		report_text_verdict(r, m);
	else
		rc = w->write(r, m);
	if (fclose(m) != 0 || (!quiet && rc != 0)) {
		fprintf(stderr, "ccmdiag: out of memory for the report\n");
		free(buf);
		return 3;
	}
	rc = write_all(fd, buf, len);
	free(buf);
	if (rc != 0) {
		fprintf(stderr, "ccmdiag: cannot write the report to %s: %s\n",
		    where, strerror(errno));
		return 3;
	}
	return 0;
}

int
cli_write_report(struct cli *cli, struct report *r)
{
	struct stat st;
	int rc;

	r->cmdline = cli->cmdline;
	if (cli->output) {
		r->color = cli->color == 1;
		r->width = 0;
		if (fstat(cli->out_fd, &st) == 0 && S_ISREG(st.st_mode) &&
		    (ftruncate(cli->out_fd, 0) != 0 ||
		    lseek(cli->out_fd, 0, SEEK_SET) != 0)) {
			fprintf(stderr, "ccmdiag: cannot write the report to "
			    "%s: %s\n", cli->output, strerror(errno));
			return 3;
		}
		cli->out_written = 1;
		if (cli->out_created)
			privs_tmp_forget(cli->output);
		if ((rc = emit(r, 0, cli->format, cli->out_fd, cli->output)))
			return rc;
		if (close(cli->out_fd) != 0) {
			cli->out_fd = -1;
			fprintf(stderr, "ccmdiag: cannot write the report to "
			    "%s: %s\n", cli->output, strerror(errno));
			return 3;
		}
		cli->out_fd = -1;
	}
	if (cli->output && !cli->quiet)
		return 0;
	fflush(stdout);
	r->color = want_color(cli, STDOUT_FILENO);
	r->width = isatty(STDOUT_FILENO) ? terminal_width() : 0;
	rc = emit(r, cli->quiet, cli->format, STDOUT_FILENO,
	    "standard output");
	r->color = 0;
	r->width = 0;
	return rc;
}

int
cli_judge(struct cli *cli, struct report *r, const struct bundle_input *kept,
    size_t n_kept)
{
	int rc;

	engine_run(r);
	rc = cli_write_report(cli, r);
	if (rc == 0 && cli->evidence)
		rc = cli_write_bundle(cli, r, kept, n_kept);
	return rc ? rc : engine_exit_code(r);
}

int
cli_write_bundle(struct cli *cli, struct report *r,
    const struct bundle_input *inputs, size_t n_inputs)
{
	char err[512];

	r->cmdline = cli->cmdline;
	if (bundle_write(r, cli->evidence, inputs, n_inputs, err,
	    sizeof(err)) != 0) {
		fprintf(stderr, "ccmdiag: evidence bundle: %s\n", err);
		return 3;
	}
	return 0;
}
