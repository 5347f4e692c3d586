/* pcapng.c - writing pcapng files: section header, one interface
 * description, enhanced packet blocks (the pcapng draft, sections 4.1-4.3). */
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "pcapng.h"

#define BT_SHB 0x0A0D0D0A
#define BT_IDB 0x00000001
#define BT_EPB 0x00000006
#define OPT_COMMENT 1
#define OPT_SHB_USERAPPL 4
#define MAX_COMMENT 1024

struct pcapng_writer {
	FILE *f;
	int err;
};

static void
put32(struct pcapng_writer *w, uint32_t v)
{
	/* host byte order: the section's byte-order magic says which */
	if (fwrite(&v, 4, 1, w->f) != 1)
		w->err = 1;
}

static void
put16(struct pcapng_writer *w, uint16_t v)
{
	if (fwrite(&v, 2, 1, w->f) != 1)
		w->err = 1;
}

static void
put_bytes(struct pcapng_writer *w, const void *p, size_t n)
{
	static const uint8_t zero[4];

	if (n && fwrite(p, 1, n, w->f) != n)
		w->err = 1;
	if (n % 4 && fwrite(zero, 1, 4 - n % 4, w->f) != 4 - n % 4)
		w->err = 1;
}

static size_t
pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

/* Options: one string option, then opt_endofopt; its encoded length. */
static size_t
opt_len(const char *s)
{
	size_t n = s ? strnlen(s, MAX_COMMENT) : 0;

	return n ? 4 + pad4(n) + 4 : 0;
}

static void
put_opt(struct pcapng_writer *w, uint16_t code, const char *s)
{
	size_t n = s ? strnlen(s, MAX_COMMENT) : 0;

	if (n == 0)
		return;
	put16(w, code);
	put16(w, (uint16_t)n);
	put_bytes(w, s, n);
	put32(w, 0);		/* opt_endofopt */
}

int
pcapng_open(struct pcapng_writer **out, const char *path, int linktype,
    const char *comment)
{
	struct pcapng_writer *w;
	uint32_t len;
	int fd;

	*out = NULL;
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return ERR_NOMEM;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || fchmod(fd, 0600) != 0 ||
	    (w->f = fdopen(fd, "wb")) == NULL) {
		if (fd >= 0)
			close(fd);
		free(w);
		return ERR_IO;
	}
	len = (uint32_t)(28 + opt_len(comment));
	put32(w, BT_SHB);
	put32(w, len);
	put32(w, 0x1A2B3C4D);	/* byte-order magic */
	put16(w, 1);		/* major */
	put16(w, 0);		/* minor */
	put32(w, 0xFFFFFFFF);	/* section length unknown */
	put32(w, 0xFFFFFFFF);
	put_opt(w, OPT_SHB_USERAPPL, comment);
	put32(w, len);

	put32(w, BT_IDB);
	put32(w, 20);
	put16(w, (uint16_t)linktype);
	put16(w, 0);
	put32(w, 0);		/* no snaplen limit */
	put32(w, 20);		/* microsecond timestamps (the default) */
	if (w->err) {
		pcapng_close(w);
		return ERR_IO;
	}
	*out = w;
	return 0;
}

int
pcapng_write(struct pcapng_writer *w, double t, const uint8_t *data,
    size_t caplen, size_t len, const char *comment)
{
	uint64_t us = (uint64_t)(t * 1e6 + 0.5);
	uint32_t blen;

	if (caplen > 0x3FFFFFFF)
		return ERR_TOO_LARGE;
	blen = (uint32_t)(32 + pad4(caplen) + opt_len(comment));
	put32(w, BT_EPB);
	put32(w, blen);
	put32(w, 0);		/* interface 0 */
	put32(w, (uint32_t)(us >> 32));
	put32(w, (uint32_t)us);
	put32(w, (uint32_t)caplen);
	put32(w, (uint32_t)len);
	put_bytes(w, data, caplen);
	put_opt(w, OPT_COMMENT, comment);
	put32(w, blen);
	return w->err ? ERR_IO : 0;
}

int
pcapng_close(struct pcapng_writer *w)
{
	int r;

	if (w == NULL)
		return 0;
	r = w->err;
	if (fclose(w->f) != 0)
		r = 1;
	free(w);
	return r ? ERR_IO : 0;
}
