/* pcapng.h - writing pcapng files (libpcap reads them but cannot write
 * them): one section, one interface, enhanced packet blocks with an
 * optional comment that Wireshark shows on the frame. */
#ifndef CCMDIAG_PCAPNG_H
#define CCMDIAG_PCAPNG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct pcapng_writer;

/* Create path (mode 0600); linktype is the DLT/LINKTYPE value. */
int pcapng_open(struct pcapng_writer **out, const char *path, int linktype,
    const char *comment);
int pcapng_write(struct pcapng_writer *w, double t, const uint8_t *data,
    size_t caplen, size_t len, const char *comment);
/* Flush and close; 0 or ERR_IO. */
int pcapng_close(struct pcapng_writer *w);

#endif
