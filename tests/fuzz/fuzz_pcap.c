/* fuzz_pcap.c - libFuzzer entry point for the capture reader: a whole
 * pcap/pcapng buffer through libpcap, link layers, TCP reassembly and the
 * DNS, Kerberos and HTTP decoders. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE		/* fmemopen */
#endif
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ingest_pcap.h"
#include "report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512];
	struct report r;
	FILE *f;

	if (size == 0 || (f = fmemopen((void *)(uintptr_t)data, size, "rb")) ==
	    NULL)
		return 0;
	report_init(&r, "analyze", "fuzz");
	(void)ingest_pcap_stream(f, &r, err, sizeof(err));
	report_release(&r);
	return 0;
}
