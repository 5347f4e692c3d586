/* capture.c - read saved captures with libpcap; nothing else calls pcap_*. */
#include <stdio.h>
#include <string.h>

#include <pcap/pcap.h>

#include "capture.h"
#include "error.h"
#include "util.h"

static int
loop(pcap_t *p, capture_fn *fn, void *arg, int *cut, char *errbuf,
    size_t errlen)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	struct capture_pkt pkt;
	int rc;

	memset(&pkt, 0, sizeof(pkt));
	pkt.linktype = pcap_datalink(p);
	*cut = 0;
	errbuf[0] = '\0';
	while ((rc = pcap_next_ex(p, &h, &data)) == 1) {
		pkt.frame++;
		pkt.t = (double)h->ts.tv_sec + (double)h->ts.tv_usec / 1e6;
		pkt.data = data;
		pkt.caplen = h->caplen;
		pkt.len = h->len;
		fn(arg, &pkt);
	}
	if (rc == PCAP_ERROR) {
		*cut = 1;
		snprintf(errbuf, errlen, "capture ends early after frame %lu: "
		    "%s", pkt.frame, pcap_geterr(p));
	}
	pcap_close(p);
	return 0;
}

int
capture_read_file(const char *path, capture_fn *fn, void *arg, int *cut,
    char *errbuf, size_t errlen)
{
	char pe[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p;

	if ((p = pcap_open_offline(path, pe)) == NULL) {
		snprintf(errbuf, errlen, "cannot read capture %s: %s", path, pe);
		return ERR_IO;
	}
	return loop(p, fn, arg, cut, errbuf, errlen);
}

int
capture_read_stream(FILE *f, capture_fn *fn, void *arg, int *cut,
    char *errbuf, size_t errlen)
{
	char pe[PCAP_ERRBUF_SIZE] = "";
	pcap_t *p;

	if ((p = pcap_fopen_offline(f, pe)) == NULL) {
		snprintf(errbuf, errlen, "cannot read capture: %s", pe);
		fclose(f);
		return ERR_IO;
	}
	return loop(p, fn, arg, cut, errbuf, errlen);
}
