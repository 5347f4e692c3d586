/* fuzz_pcap.c - libFuzzer entry point for the capture reader: a whole
 * pcap/pcapng buffer (gzip'd or not) through the block reader, link
 * layers, TCP reassembly and the DNS, Kerberos and HTTP decoders. */
#include "fuzz_reader.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_reader(&ingest_pcap, data, size, NULL);
}
