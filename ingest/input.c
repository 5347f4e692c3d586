/*
 * input.c - one input opened once and read from its descriptor: the head
 * read to tell its format is handed out again first, gzip is undone with
 * zlib, zip members come from libarchive (the only file that calls it).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <zlib.h>

#include "error.h"
#include "ingest.h"
#include "util.h"

#define ZBUF	(64 * 1024)	/* compressed bytes read at a time */
#define ABUF	(64 * 1024)	/* archive bytes read at a time */

struct ingest_src {
	const uint8_t *mem;		/* ingest_open_mem */
	size_t mem_len;
	struct archive *ar;		/* a zip member */
	uint64_t raw_off;		/* bytes of the file (or member) read */
	uint8_t raw[INGEST_HEAD];	/* its first bytes */
	size_t raw_len, raw_pos;
	int raw_eof;
	/* gzip: the head is the inflated one */
	int gz, gz_end;
	z_stream zs;
	uint8_t *zin;
	uint8_t head[INGEST_HEAD];
	size_t head_pos;		/* of f->head handed out */
	uint64_t off;			/* content bytes handed out */
	int failed;			/* a read of the file failed: every
					 * later one does */
	char err[256];
};

const char *
ingest_error(const struct ingest_file *f)
{
	return f->src && f->src->err[0] ? f->src->err : "read error";
}

uint64_t
ingest_offset(const struct ingest_file *f)
{
	return f->src ? f->src->off : 0;
}

uint64_t
ingest_disk_offset(const struct ingest_file *f)
{
	return f->src ? f->src->raw_off : 0;
}

/* Bytes of the file itself, not yet decoded: up to n, 0 at the end, -1. */
static ssize_t
raw_read(struct ingest_file *f, uint8_t *buf, size_t n)
{
	struct ingest_src *s = f->src;
	ssize_t got;
	la_ssize_t ag;

	if (s->raw_pos < s->raw_len) {
		got = (ssize_t)(s->raw_len - s->raw_pos < n ?
		    s->raw_len - s->raw_pos : n);
		memcpy(buf, s->raw + s->raw_pos, (size_t)got);
		s->raw_pos += (size_t)got;
		return got;
	}
	if (s->failed)
		return -1;
	if (s->raw_eof || n == 0)
		return 0;
	if (s->mem) {
		got = (ssize_t)(s->mem_len - s->raw_off < n ?
		    s->mem_len - s->raw_off : n);
		memcpy(buf, s->mem + s->raw_off, (size_t)got);
	} else if (s->ar) {
		if ((ag = archive_read_data(s->ar, buf, n)) < 0) {
			snprintf(s->err, sizeof(s->err), "%s",
			    archive_error_string(s->ar) ?
			    archive_error_string(s->ar) : "cannot read member");
			s->failed = 1;
			return -1;
		}
		got = (ssize_t)ag;
	} else {
		while ((got = read(f->fd, buf, n)) < 0 && errno == EINTR)
			;
		if (got < 0) {
			snprintf(s->err, sizeof(s->err), "%s", strerror(errno));
			s->failed = 1;
			return -1;
		}
	}
	if (got == 0) {
		s->raw_eof = 1;
		if (f->size && s->raw_off < f->size) {
			snprintf(s->err, sizeof(s->err), "the file ends at "
			    "byte %llu of the %llu it had when opened: it was "
			    "cut while being read",
			    (unsigned long long)s->raw_off,
			    (unsigned long long)f->size);
			s->failed = 1;
			return -1;
		}
	}
	s->raw_off += (uint64_t)got;
	return got;
}

/* Are raw bytes left: the head's, or the file's? */
static int
raw_more(const struct ingest_src *s)
{
	return s->raw_pos < s->raw_len || !s->raw_eof;
}

/* Inflated bytes: up to n, 0 at the end, -1 (the reason in err). */
static ssize_t
gz_read(struct ingest_file *f, uint8_t *buf, size_t n)
{
	struct ingest_src *s = f->src;
	z_stream *zs = &s->zs;
	ssize_t got;
	int ret;

	zs->next_out = buf;
	zs->avail_out = (uInt)(n > UINT32_MAX ? UINT32_MAX : n);
	n = zs->avail_out;
	for (;;) {
		if (zs->avail_in == 0 && raw_more(s)) {
			if ((got = raw_read(f, s->zin, ZBUF)) < 0)
				return -1;
			zs->next_in = s->zin;
			zs->avail_in = (uInt)got;
		}
		if (s->gz_end) {
			/* another member follows, or trailing bytes */
			if (zs->avail_in == 0 || zs->next_in[0] != 0x1f)
				return (ssize_t)(n - zs->avail_out);
			inflateReset(zs);
			s->gz_end = 0;
		}
		if (zs->avail_out == 0)
			return (ssize_t)n;
		ret = inflate(zs, Z_NO_FLUSH);
		if (ret == Z_STREAM_END) {
			s->gz_end = 1;
		} else if (ret == Z_BUF_ERROR && zs->avail_in == 0 &&
		    !raw_more(s)) {
			if (n - zs->avail_out > 0)
				return (ssize_t)(n - zs->avail_out);
			snprintf(s->err, sizeof(s->err), "the gzip data ends "
			    "early, at byte %llu of the compressed file",
			    (unsigned long long)s->raw_off);
			return -1;
		} else if (ret != Z_OK && ret != Z_BUF_ERROR) {
			snprintf(s->err, sizeof(s->err), "bad gzip data at "
			    "byte %llu of the compressed file: %s",
			    (unsigned long long)s->raw_off, zs->msg ? zs->msg :
			    "inflate failed");
			return -1;
		}
		if (n - zs->avail_out > 0 && (s->gz_end || zs->avail_in == 0))
			return (ssize_t)(n - zs->avail_out);
	}
}

ssize_t
ingest_read(struct ingest_file *f, void *buf, size_t n)
{
	struct ingest_src *s = f->src;
	ssize_t got;

	if (s == NULL)
		return -1;
	if (s->gz && s->head_pos < f->head_len) {
		got = (ssize_t)(f->head_len - s->head_pos < n ?
		    f->head_len - s->head_pos : n);
		memcpy(buf, f->head + s->head_pos, (size_t)got);
		s->head_pos += (size_t)got;
	} else {
		got = s->gz ? gz_read(f, buf, n) : raw_read(f, buf, n);
	}
	if (got > 0)
		s->off += (uint64_t)got;
	return got;
}

/*
 * Fill the buffer up to n from rd (a pipe hands out less at a time).  A
 * read error after some bytes ends the fill: the error stays for the
 * reader's next read.
 */
static ssize_t
fill(struct ingest_file *f, uint8_t *buf, size_t n,
    ssize_t (*rd)(struct ingest_file *, uint8_t *, size_t))
{
	size_t have = 0;
	ssize_t got;

	while (have < n && (got = rd(f, buf + have, n - have)) != 0) {
		if (got < 0)	/* what came before the error is the head */
			return have > 0 ? (ssize_t)have : -1;
		have += (size_t)got;
	}
	return (ssize_t)have;
}

/* Read the head, and set up gunzip when it is a gzip file's. */
static int
start(struct ingest_file *f, char *errbuf, size_t errlen)
{
	struct ingest_src *s = f->src;
	ssize_t got;

	if ((got = fill(f, s->raw, sizeof(s->raw), raw_read)) < 0)
		goto fail;
	s->raw_len = (size_t)got;
	s->raw_pos = 0;
	f->head = s->raw;
	f->head_len = s->raw_len;
	if (s->raw_len < 2 || s->raw[0] != 0x1f || s->raw[1] != 0x8b)
		return 0;
	if ((s->zin = malloc(ZBUF)) == NULL ||
	    inflateInit2(&s->zs, 16 + MAX_WBITS) != Z_OK) {
		snprintf(errbuf, errlen, "out of memory");
		return ERR_NOMEM;
	}
	s->gz = 1;
	f->packing = f->packing ? f->packing : "gzip";
	if ((got = fill(f, s->head, sizeof(s->head), gz_read)) < 0)
		goto fail;
	f->head = s->head;
	f->head_len = (size_t)got;
	return 0;
fail:
	snprintf(errbuf, errlen, "%s", s->err[0] ? s->err : "read error");
	return ERR_IO;
}

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s && s[1] ? s + 1 : path;
}

static int
alloc_src(struct ingest_file *f, char *errbuf, size_t errlen)
{
	if ((f->src = calloc(1, sizeof(*f->src))) == NULL) {
		snprintf(errbuf, errlen, "out of memory");
		return ERR_NOMEM;
	}
	return 0;
}

const char *
ingest_archive_version(void)
{
	return archive_version_string();
}

int
ingest_open(struct ingest_file *f, const char *path, char *errbuf,
    size_t errlen)
{
	struct stat st;
	int rc;

	memset(f, 0, sizeof(*f));
	f->fd = -1;
	strlcpy0(f->path, path, sizeof(f->path));
	strlcpy0(f->name, strcmp(path, "-") == 0 ? "stdin" : base_name(path),
	    sizeof(f->name));
	if ((rc = alloc_src(f, errbuf, errlen)) != 0)
		return rc;
	if (strcmp(path, "-") == 0)
		f->fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
	else
		f->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (f->fd < 0 || fstat(f->fd, &st) != 0) {
		snprintf(errbuf, errlen, "cannot open: %s", strerror(errno));
		ingest_close(f);
		return ERR_IO;
	}
	if (S_ISDIR(st.st_mode)) {
		snprintf(errbuf, errlen, "is a directory");
		ingest_close(f);
		return ERR_IO;
	}
	if (S_ISREG(st.st_mode)) {
		f->size = (uint64_t)st.st_size;
		f->reopen = strcmp(path, "-") != 0;
	}
	if ((rc = start(f, errbuf, errlen)) != 0)
		ingest_close(f);
	return rc;
}

int
ingest_open_mem(struct ingest_file *f, const char *name, const uint8_t *data,
    size_t n, char *errbuf, size_t errlen)
{
	int rc;

	memset(f, 0, sizeof(*f));
	f->fd = -1;
	strlcpy0(f->path, name, sizeof(f->path));
	strlcpy0(f->name, name, sizeof(f->name));
	if ((rc = alloc_src(f, errbuf, errlen)) != 0)
		return rc;
	f->src->mem = data ? data : (const uint8_t *)"";
	f->src->mem_len = data ? n : 0;
	if ((rc = start(f, errbuf, errlen)) != 0)
		ingest_close(f);
	return rc;
}

void
ingest_close(struct ingest_file *f)
{
	if (f->src) {
		if (f->src->gz)
			inflateEnd(&f->src->zs);
		free(f->src->zin);
		free(f->src);
	}
	if (f->fd >= 0)
		close(f->fd);
	memset(f, 0, sizeof(*f));
	f->fd = -1;
}

int
ingest_read_path(const struct ingest_reader *rd, const char *path,
    struct report *r, char *errbuf, size_t errlen)
{
	struct ingest_file f;
	struct input in;
	int rc;

	if ((rc = ingest_open(&f, path, in.detail, sizeof(in.detail))) == 0) {
		memset(&in, 0, sizeof(in));
		strlcpy0(in.path, path, sizeof(in.path));
		strlcpy0(in.kind, rd->kind, sizeof(in.kind));
		f.index = (int)r->n_inputs;
		rc = rd->read(&f, r, &in);
		if (rc == 0)	/* listed, as analyze lists it */
			report_add_input(r, &in);
	}
	snprintf(errbuf, errlen, "%s: %s", path, in.detail);
	ingest_close(&f);
	return rc;
}

/* ---- zip archives ---- */

struct ingest_archive {
	struct archive *a;
	struct ingest_file *f;		/* the archive */
	int seekable;			/* a plain regular file: pread */
	uint64_t pos;			/* seekable: where the next read is */
	uint8_t buf[ABUF];
	struct ingest_file member;
	int n;				/* members handed out */
};

int
ingest_is_archive(const struct ingest_file *f)
{
	return f->head_len >= 4 && memcmp(f->head, "PK", 2) == 0 &&
	    ((f->head[2] == 3 && f->head[3] == 4) ||
	    (f->head[2] == 5 && f->head[3] == 6));
}

static la_ssize_t
a_read(struct archive *a, void *arg, const void **out)
{
	struct ingest_archive *z = arg;
	struct ingest_file *f = z->f;
	ssize_t got;

	*out = z->buf;
	if (!z->seekable) {
		if ((got = ingest_read(f, z->buf, sizeof(z->buf))) < 0)
			archive_set_error(a, EIO, "%s", ingest_error(f));
		return got;
	}
	if (z->pos < f->head_len) {	/* the head, as read when opened */
		*out = f->head + z->pos;
		got = (ssize_t)(f->head_len - z->pos);
	} else {
		while ((got = pread(f->fd, z->buf, sizeof(z->buf),
		    (off_t)z->pos)) < 0 && errno == EINTR)
			;
		if (got < 0) {
			archive_set_error(a, errno, "%s", strerror(errno));
			return -1;
		}
	}
	z->pos += (uint64_t)got;
	return got;
}

static la_int64_t
a_seek(struct archive *a, void *arg, la_int64_t off, int whence)
{
	struct ingest_archive *z = arg;
	struct stat st;
	la_int64_t base = 0;

	if (whence == SEEK_CUR)
		base = (la_int64_t)z->pos;
	else if (whence == SEEK_END) {
		if (fstat(z->f->fd, &st) != 0)
			return ARCHIVE_FATAL;
		base = (la_int64_t)st.st_size;
	}
	if (base + off < 0)
		return ARCHIVE_FATAL;
	z->pos = (uint64_t)(base + off);
	return (la_int64_t)z->pos;
}

int
ingest_archive_open(struct ingest_archive **out, struct ingest_file *f,
    char *errbuf, size_t errlen)
{
	struct ingest_archive *z;

	*out = NULL;
	if ((z = calloc(1, sizeof(*z))) == NULL ||
	    (z->a = archive_read_new()) == NULL) {
		free(z);
		snprintf(errbuf, errlen, "out of memory");
		return ERR_NOMEM;
	}
	z->f = f;
	z->member.fd = -1;
	/* a plain file can be read anywhere: the zip's central directory
	 * then gives each member's size, which a stream may lack */
	z->seekable = f->fd >= 0 && f->size > 0 && !f->src->gz;
	archive_read_support_format_zip(z->a);
	archive_read_set_read_callback(z->a, a_read);
	if (z->seekable)
		archive_read_set_seek_callback(z->a, a_seek);
	archive_read_set_callback_data(z->a, z);
	if (archive_read_open1(z->a) != ARCHIVE_OK) {
		snprintf(errbuf, errlen, "zip archive: %s",
		    archive_error_string(z->a) ? archive_error_string(z->a) :
		    "cannot be read");
		ingest_archive_close(z);
		return ERR_IO;
	}
	*out = z;
	return 0;
}

/* A member's name as text: control bytes are not printed. */
static void
printable(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

/* Names a customer's zip holds beside the logs: macOS forks, dot files. */
static int
skipped(const char *name)
{
	const char *b = base_name(name);

	return strncmp(name, "__MACOSX/", 9) == 0 || b[0] == '.';
}

int
ingest_archive_next(struct ingest_archive *z, struct ingest_file **out,
    char *errbuf, size_t errlen)
{
	struct ingest_file *m = &z->member;
	struct archive_entry *e;
	const char *name;
	int rc;

	*out = NULL;
	ingest_close(m);
	for (;;) {
		rc = archive_read_next_header(z->a, &e);
		if (rc == ARCHIVE_EOF)
			return 0;
		if (rc < ARCHIVE_WARN) {
			snprintf(errbuf, errlen, "zip archive, after %d "
			    "member%s: %s", z->n, z->n == 1 ? "" : "s",
			    archive_error_string(z->a) ?
			    archive_error_string(z->a) : "cannot be read");
			return -1;
		}
		name = archive_entry_pathname(e);
		if (archive_entry_filetype(e) == AE_IFREG && name &&
		    !skipped(name))
			break;
	}
	z->n++;
	strlcpy0(m->path, z->f->path, sizeof(m->path));
	strappendf(m->path, sizeof(m->path), ":%s", name);
	strlcpy0(m->name, base_name(name), sizeof(m->name));
	printable(m->path);
	printable(m->name);
	m->packing = "zip";
	*out = m;
	if (alloc_src(m, errbuf, errlen) != 0)
		return 2;
	m->src->ar = z->a;
	return start(m, errbuf, errlen) == 0 ? 1 : 2;
}

void
ingest_archive_close(struct ingest_archive *z)
{
	if (z == NULL)
		return;
	ingest_close(&z->member);
	archive_read_free(z->a);
	free(z);
}
