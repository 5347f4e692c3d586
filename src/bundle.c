/* bundle.c - the evidence bundle (--evidence DIR): every report format, the
 * capture, the cited log lines and a SHA-256 manifest. */
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bundle.h"
#include "crypto.h"
#include "error.h"
#include "logread.h"
#include "util.h"

#define BUNDLE_MAX_FILES	64
#define EXCERPT_MAX_LINES	5000
#define REDACT_MIN		40	/* base64 run that may be a token */

struct written {
	char names[BUNDLE_MAX_FILES][128];
	size_t n;
};

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* A new file in dir, owner-only like the live capture: what was there by
 * that name is replaced, never written through (a link to an input, a
 * file of another mode). */
static FILE *
create(const char *dir, const char *name, struct written *w, char *errbuf,
    size_t errlen)
{
	char path[4096], unique[128];
	FILE *f;
	size_t i;
	int fd;

	for (i = 0; i < w->n; i++)
		if (strcmp(w->names[i], name) == 0) {
			/* two inputs of one name: keep both */
			snprintf(unique, sizeof(unique), "%zu-%.80s", w->n,
			    name);
			name = unique;
			break;
		}
	if (w->n == BUNDLE_MAX_FILES) {
		snprintf(errbuf, errlen, "too many files for the evidence "
		    "bundle");
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (unlink(path) != 0 && errno != ENOENT) {
		snprintf(errbuf, errlen, "cannot replace %s: %s", path,
		    strerror(errno));
		return NULL;
	}
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) < 0 || fchmod(fd, 0600) != 0 ||
	    (f = fdopen(fd, "w")) == NULL) {
		snprintf(errbuf, errlen, "cannot write %s: %s", path,
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	strlcpy0(w->names[w->n++], name, sizeof(w->names[0]));
	return f;
}

static int
finish(FILE *f, const char *dir, const char *name, char *errbuf,
    size_t errlen)
{
	int bad = fflush(f) != 0 || ferror(f), e = errno;

	if ((fclose(f) != 0 && !bad) || bad) {
		snprintf(errbuf, errlen, "cannot write %s/%s: %s", dir, name,
		    strerror(bad ? e : errno));
		return ERR_IO;
	}
	return 0;
}

static int
reports(const struct report *r, const char *dir, struct written *w,
    char *errbuf, size_t errlen)
{
	static const char *const formats[][2] = {
		{ "text", "report.txt" }, { "json", "report.json" },
		{ "markdown", "report.md" }, { "html", "report.html" },
	};
	const struct report_writer *wr;
	size_t i;
	FILE *f;
	int rc;

	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		if ((wr = report_writer_find(formats[i][0])) == NULL)
			continue;
		if ((f = create(dir, formats[i][1], w, errbuf, errlen)) == NULL)
			return ERR_IO;
		rc = wr->write(r, f);
		if (finish(f, dir, formats[i][1], errbuf, errlen) != 0)
			return ERR_IO;
		if (rc != 0) {
			snprintf(errbuf, errlen, "cannot write %s/%s",
			    dir, formats[i][1]);
			return ERR_IO;
		}
	}
	return 0;
}

static int
copy_file(const char *src, const char *dir, const char *name,
    struct written *w, char *errbuf, size_t errlen)
{
	char buf[65536];
	FILE *in, *out;
	size_t got;

	if ((in = fopen(src, "rb")) == NULL) {
		snprintf(errbuf, errlen, "cannot read %s: %s", src,
		    strerror(errno));
		return ERR_IO;
	}
	if ((out = create(dir, name, w, errbuf, errlen)) == NULL) {
		fclose(in);
		return ERR_IO;
	}
	while ((got = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, got, out) != got)
			break;
	if (ferror(in)) {
		fclose(in);
		fclose(out);
		snprintf(errbuf, errlen, "reading %s failed", src);
		return ERR_IO;
	}
	fclose(in);
	return finish(out, dir, name, errbuf, errlen);
}

static int
is_b64(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '+' || c == '/';
}

static int
is_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

/*
 * One log line, printable, with every base64 run long enough to be a
 * token, ticket or key replaced (hex runs - thumbprints, certificates,
 * which are public - stay).
 */
static void
put_redacted(FILE *out, const uint8_t *p, size_t n)
{
	size_t i = 0, j;
	int hex;

	while (i < n) {
		if (!is_b64(p[i])) {
			fputc(p[i] < 0x20 || p[i] == 0x7f ? ' ' : p[i], out);
			i++;
			continue;
		}
		hex = 1;
		for (j = i; j < n && is_b64(p[j]); j++)
			hex &= is_hex(p[j]);
		while (j < n && p[j] == '=')
			j++;
		if (j - i >= REDACT_MIN && !hex)
			fprintf(out, "[redacted: %zu characters]", j - i);
		else
			fwrite(p + i, 1, j - i, out);
		i = j;
	}
	fputc('\n', out);
}

static int
cmp_ulong(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a,
	    y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

/* The lines of path that events cite as "<base>:<line>", sorted. */
static size_t
cited_lines(const struct report *r, const char *base, unsigned long *lines,
    size_t max)
{
	size_t i, n = 0, blen = strlen(base), k;
	char *end;

	if (blen > 40)
		blen = 40;	/* ingest keeps 40 characters of a name */
	for (i = 0; i < r->n_events && n < max; i++) {
		const char *src = r->events[i].source;
		unsigned long line;

		if (strncmp(src, base, blen) != 0 || src[blen] != ':')
			continue;
		line = strtoul(src + blen + 1, &end, 10);
		if (*end == '\0' && line > 0)
			lines[n++] = line;
	}
	qsort(lines, n, sizeof(*lines), cmp_ulong);
	for (i = k = 0; i < n; i++)
		if (k == 0 || lines[k - 1] != lines[i])
			lines[k++] = lines[i];
	return k;
}

/*
 * The name events give path's lines: "<base>", or "<dir>/<base>" when the
 * reader had to tell it from another input of the same name (two
 * machines' ClientIDManagerStartup.log) and some event names it so.
 */
static const char *
cited_name(const struct report *r, const char *path, char *buf, size_t n)
{
	const char *base = base_name(path), *d;
	size_t i, k;

	if (base == path)
		return base;
	for (d = base - 1; d > path && d[-1] != '/'; d--)
		;
	snprintf(buf, n, "%.*s%.40s", (int)(base - d), d, base);
	k = strlen(buf) > 40 ? 40 : strlen(buf);
	for (i = 0; i < r->n_events; i++)
		if (strncmp(r->events[i].source, buf, k) == 0 &&
		    (r->events[i].source[k] == ':' ||
		    r->events[i].source[k] == '\0'))
			return buf;
	return base;
}

static int
excerpt(const struct report *r, const char *path, const char *dir,
    struct written *w, char *errbuf, size_t errlen)
{
	unsigned long *lines = NULL;
	struct logread lr;
	struct cursor line;
	char name[96], label[96];
	size_t n, next = 0;
	FILE *out = NULL;
	int rc = ERR_NOMEM, got, too_long;

	memset(&lr, 0, sizeof(lr));
	if ((lines = malloc(EXCERPT_MAX_LINES * sizeof(*lines))) == NULL)
		goto out;
	n = cited_lines(r, cited_name(r, path, label, sizeof(label)), lines,
	    EXCERPT_MAX_LINES);
	if ((rc = logread_open(&lr, path, errbuf, errlen)) != 0)
		goto out;
	snprintf(name, sizeof(name), "log-%.80s.txt", base_name(path));
	rc = ERR_IO;
	if ((out = create(dir, name, w, errbuf, errlen)) == NULL)
		goto out;
	fprintf(out, "# %s: the %zu line%s the report cites%s, numbered as "
	    "in the file; base64 runs of %d or more characters redacted\n",
	    base_name(path), n, n == 1 ? "" : "s", n ? "" : " (none)",
	    REDACT_MIN);
	while (next < n && (got = logread_next(&lr, &line, &too_long)) == 1) {
		size_t len = cur_left(&line);
		const uint8_t *p = cur_bytes(&line, len);
		int fields = p && len > 8 && memcmp(p, "#Fields:", 8) == 0;

		if (lr.lineno != lines[next] && !fields)
			continue;
		if (lr.lineno == lines[next])
			next++;
		fprintf(out, "%7lu  ", lr.lineno);
		if (too_long || p == NULL)
			fputs("[line longer than the reader's bound]\n", out);
		else
			put_redacted(out, p, len);
	}
	rc = finish(out, dir, name, errbuf, errlen);
	out = NULL;
out:
	if (out)
		fclose(out);
	if (rc == ERR_NOMEM)
		snprintf(errbuf, errlen, "out of memory");
	logread_close(&lr);
	free(lines);
	return rc;
}

static int
manifest(const char *dir, struct written *w, char *errbuf, size_t errlen)
{
	char path[4096], hex[65];
	size_t i, n;
	FILE *f;
	int rc = 0;

	n = w->n;		/* MANIFEST itself is not in it */
	if ((f = create(dir, "MANIFEST", w, errbuf, errlen)) == NULL)
		return ERR_IO;
	for (i = 0; i < n && rc == 0; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, w->names[i]);
		if ((rc = crypto_sha256_file(path, hex)) != 0)
			snprintf(errbuf, errlen, "cannot hash %s", path);
		else
			fprintf(f, "%s  %s\n", hex, w->names[i]);
	}
	if (finish(f, dir, "MANIFEST", errbuf, errlen) != 0 && rc == 0)
		rc = ERR_IO;
	return rc;
}

int
bundle_write(struct report *r, const char *dir,
    const struct bundle_input *inputs, size_t n_inputs, char *errbuf,
    size_t errlen)
{
	struct written *w;
	char name[96];
	int rc, verbose = r->verbose;
	size_t i;

	if ((w = calloc(1, sizeof(*w))) == NULL) {
		snprintf(errbuf, errlen, "out of memory");
		return ERR_NOMEM;
	}
	r->verbose = 1;		/* the whole timeline, in every format */
	rc = reports(r, dir, w, errbuf, errlen);
	r->verbose = verbose;
	for (i = 0; i < n_inputs && rc == 0; i++) {
		if (inputs[i].kind == BUNDLE_IN_DIR) {
			if (w->n == BUNDLE_MAX_FILES - 1) {
				snprintf(errbuf, errlen, "too many files for "
				    "the evidence bundle");
				rc = ERR_IO;
			} else {
				char path[4096];

				/* made by the probe: owner-only as the rest */
				snprintf(path, sizeof(path), "%s/%s", dir,
				    inputs[i].path);
				if (chmod(path, 0600) != 0) {
					snprintf(errbuf, errlen, "cannot make %s "
					    "private: %s", path, strerror(errno));
					rc = ERR_IO;
				}
				strlcpy0(w->names[w->n++], inputs[i].path,
				    sizeof(w->names[0]));
			}
		} else if (inputs[i].kind == BUNDLE_CAPTURE) {
			snprintf(name, sizeof(name), "capture-%.80s",
			    base_name(inputs[i].path));
			rc = copy_file(inputs[i].path, dir, name, w, errbuf,
			    errlen);
		} else {
			rc = excerpt(r, inputs[i].path, dir, w, errbuf, errlen);
		}
	}
	if (rc == 0)
		rc = manifest(dir, w, errbuf, errlen);
	free(w);
	return rc;
}
