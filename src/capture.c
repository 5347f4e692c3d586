/* capture.c - the live capture with libpcap; nothing else calls pcap_*
 * (saved captures are read by capture_file.c). */
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "capture.h"
#include "error.h"
#include "util.h"

struct capture_live {
	pcap_t *p;
	pcap_dumper_t *dump;
	pthread_t thread;
	int started;
	volatile int stop;
	unsigned long n;
};

static void
on_live(u_char *arg, const struct pcap_pkthdr *h, const u_char *data)
{
	struct capture_live *c = (struct capture_live *)arg;

	pcap_dump((u_char *)c->dump, h, data);
	c->n++;
}

static void *
live_loop(void *arg)
{
	struct capture_live *c = arg;

	while (!c->stop)
		if (pcap_dispatch(c->p, -1, on_live, (u_char *)c) < 0)
			break;
	return NULL;
}

static int
set_filter(pcap_t *p, const char *filter, char *errbuf, size_t errlen)
{
	struct bpf_program prog;

	if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		snprintf(errbuf, errlen, "capture filter '%s': %s", filter,
		    pcap_geterr(p));
		return ERR_USAGE;
	}
	if (pcap_setfilter(p, &prog) != 0) {
		snprintf(errbuf, errlen, "capture filter: %s", pcap_geterr(p));
		pcap_freecode(&prog);
		return ERR_LIBRARY;
	}
	pcap_freecode(&prog);
	return 0;
}

const char *
capture_lib_version(void)
{
	return pcap_lib_version();
}

int
capture_live_open(struct capture_live **out, const char *iface,
    const char *filter, const char *dump_path, char *errbuf, size_t errlen)
{
	char pe[PCAP_ERRBUF_SIZE] = "";
	struct capture_live *c;
	FILE *f = NULL;
	int r, fd = -1;

	*out = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return ERR_NOMEM;
	if ((c->p = pcap_create(iface ? iface : "any", pe)) == NULL) {
		snprintf(errbuf, errlen, "cannot capture on %s: %s",
		    iface ? iface : "any", pe);
		r = ERR_IO;
		goto fail;
	}
	pcap_set_snaplen(c->p, 65535);
	pcap_set_immediate_mode(c->p, 1);
	pcap_set_timeout(c->p, 20);
	pcap_set_buffer_size(c->p, 4 << 20);
	if ((r = pcap_activate(c->p)) < 0) {
		snprintf(errbuf, errlen, "cannot capture on %s: %s",
		    iface ? iface : "any", pcap_geterr(c->p));
		r = r == PCAP_ERROR_PERM_DENIED ? ERR_PRIVILEGE : ERR_IO;
		goto fail;
	}
	if ((r = set_filter(c->p, filter, errbuf, errlen)) != 0)
		goto fail;
	/* the capture holds the Kerberos exchange: readable by us only */
	if ((fd = open(dump_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) < 0 || fchmod(fd, 0600) != 0 ||
	    (f = fdopen(fd, "wb")) == NULL) {
		snprintf(errbuf, errlen, "cannot write %s: %s", dump_path,
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		r = ERR_IO;
		goto fail;
	}
	if ((c->dump = pcap_dump_fopen(c->p, f)) == NULL) {
		snprintf(errbuf, errlen, "cannot write %s: %s", dump_path,
		    pcap_geterr(c->p));
		fclose(f);
		r = ERR_IO;
		goto fail;
	}
	*out = c;
	return 0;
fail:
	if (c->p)
		pcap_close(c->p);
	free(c);
	return r;
}

int
capture_live_start(struct capture_live *c, char *errbuf, size_t errlen)
{
	if (pthread_create(&c->thread, NULL, live_loop, c) != 0) {
		snprintf(errbuf, errlen, "cannot start the capture thread");
		return ERR_LIBRARY;
	}
	c->started = 1;
	return 0;
}

int
capture_live_filter(struct capture_live *c, const char *filter, char *errbuf,
    size_t errlen)
{
	return set_filter(c->p, filter, errbuf, errlen);
}

unsigned long
capture_live_stop(struct capture_live *c)
{
	unsigned long n;

	if (c == NULL)
		return 0;
	if (c->started) {
		/* let the last replies arrive, then end the loop */
		usleep(20000);
		c->stop = 1;
		pcap_breakloop(c->p);
		pthread_join(c->thread, NULL);
	}
	/* packets still buffered in the kernel */
	pcap_setnonblock(c->p, 1, NULL);
	while (pcap_dispatch(c->p, -1, on_live, (u_char *)c) > 0)
		;
	pcap_dump_close(c->dump);
	pcap_close(c->p);
	n = c->n;
	free(c);
	return n;
}
