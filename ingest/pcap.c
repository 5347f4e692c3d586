/* pcap.c - the pcap/pcapng reader: packet loop and end of capture. */
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "cursor.h"
#include "error.h"
#include "ingest.h"
#include "ingest_pcap.h"
#include "progress.h"
#include "util.h"

static void
on_packet(void *arg, const struct capture_pkt *pkt)
{
	struct pcap_ingest *s = arg;
	struct pkt_ctx p;
	struct pkt_text text;
	struct cursor c;
	int type;

	s->frames++;
	memset(&p, 0, sizeof(p));
	text.done = 0;
	p.text = &text;
	p.t = pkt->t;
	p.frame = pkt->frame;
	p.source = s->source;
	s->t_end = pkt->t;
	s->frame_end = pkt->frame;
	cur_init(&c, pkt->data, pkt->caplen);
	if ((type = pcap_link_layer(s, pkt->linktype, &c)) < 0)
		return;
	s->nest = 0;
	pcap_network(s, &p, type, &c);
}

static ssize_t
src_read(void *arg, void *buf, size_t n)
{
	return ingest_read(arg, buf, n);
}

static const char *
src_error(void *arg)
{
	return ingest_error(arg);
}

static uint64_t
src_where(void *arg)
{
	return ingest_disk_offset(arg);
}

/*
 * A capture ccmdiag saved names the MP it probed: its pcapng section
 * header's shb_userappl reads "ccmdiag VERSION probe TARGET".  Offline,
 * that is as good as --mp TARGET: the capture alone then gives the live
 * verdict even when the client never reached the MP.
 */
void
pcap_probe_target(const uint8_t *head, size_t n, struct report *r)
{
	struct cursor c, opt;
	uint32_t len;
	uint16_t code, olen;
	char val[300], *target;
	int le;

	cur_init(&c, head, n);
	if (cur_be32(&c) != 0x0A0D0D0A)
		return;
	cur_skip(&c, 4);
	le = cur_le32(&c) == 0x1A2B3C4D;
	cur_init(&c, head, n);
	cur_skip(&c, 4);
	len = le ? cur_le32(&c) : cur_be32(&c);
	if (len < 28 || !cur_ok(&c) || len - 8 > cur_left(&c))
		return;
	opt = cur_sub(&c, len - 12);
	cur_skip(&opt, 16);		/* magic, version, section length */
	while (cur_left(&opt) >= 4) {
		code = le ? cur_le16(&opt) : cur_be16(&opt);
		olen = le ? cur_le16(&opt) : cur_be16(&opt);
		if (code == 0)
			break;
		cur_str(&opt, olen, val, sizeof(val));
		cur_skip(&opt, (4 - olen % 4) % 4);
		if (code != 4 || strncmp(val, "ccmdiag ", 8) != 0 ||
		    (target = strstr(val, " probe ")) == NULL)
			continue;
		target += 7;
		if (!target[0] || strchr(target, ' ') ||
		    r->n_mp_given == (int)(sizeof(r->mp_given) /
		    sizeof(r->mp_given[0])))
			return;
		strlcpy0(r->mp_given[r->n_mp_given++], target,
		    sizeof(r->mp_given[0]));
		return;
	}
}

static int
pcap_read(struct ingest_file *f, struct report *r, struct input *res)
{
	struct capture_src src = { src_read, src_error, NULL, f, 0 };
	struct capture_end cend;
	struct pcap_ingest s;
	size_t i;
	int rc;

	pcap_probe_target(f->head, f->head_len, r);
	memset(&s, 0, sizeof(s));
	s.r = r;
	s.n_buckets = 8192;		/* a power of 2 */
	snprintf(s.source, sizeof(s.source), "%.40s", f->name);
	if ((s.buckets = calloc(s.n_buckets, sizeof(*s.buckets))) == NULL) {
		snprintf(res->detail, sizeof(res->detail), "out of memory");
		return ERR_NOMEM;
	}
	if (f->size > 0) {	/* a file: a bar on stderr when big, on a tty */
		src.ahead = 1;
		src.where = src_where;
		progress_start(f->size, f->name);
	}
	rc = capture_read(&src, on_packet, &s, &cend, res->detail,
	    sizeof(res->detail));
	progress_end();
	while (s.n_frags > 0)		/* datagrams never completed */
		pcap_frag_free(&s, 0, UND_FRAGMENT, s.frags[0]->n);
	for (i = 0; i < s.n_buckets; i++) {
		struct flow *fl;

		/* a message still waiting for bytes that never came */
		for (fl = s.buckets[i]; fl; fl = fl->next) {
			if (fl->dir[0].len && fl->dir[0].kind != APP_NONE)
				count(&s, UND_TRUNCATED);
			if (fl->dir[1].len && fl->dir[1].kind != APP_NONE)
				count(&s, UND_TRUNCATED);
		}
	}
	if (rc == 0) {
		struct pkt_ctx end;
		struct pkt_text none = { "", "", 1 };

		/* connections still open when the capture stopped */
		memset(&end, 0, sizeof(end));
		end.text = &none;
		end.t = s.t_end;
		end.frame = s.frame_end;
		end.source = s.source;
		for (i = 0; i < s.n_buckets; i++) {
			struct flow *fl;

			for (fl = s.buckets[i]; fl; fl = fl->next) {
				proto_dir_lost(&s, fl, 0);
				proto_dir_lost(&s, fl, 1);
				if (!fl->ended)
					proto_conn_end(&s, &end, fl);
			}
		}
		if (cend.cut)
			count(&s, UND_TRUNCATED);
		proto_finish(&s);
		res->status = cend.cut ? INPUT_CUT : INPUT_READ;
		if (cend.cut)
			snprintf(res->detail, sizeof(res->detail), "%s",
			    cend.why);
		else
			snprintf(res->detail, sizeof(res->detail), "%lu "
			    "frame%s%s%s", cend.frames, cend.frames == 1 ?
			    "" : "s", f->packing ? ", " : "",
			    f->packing ? f->packing : "");
	}
	for (i = 0; i < s.n_buckets; i++)
		while (s.buckets[i])
			pcap_flow_free(&s, s.buckets[i]);
	free(s.buckets);
	pcap_event_release(&s);
	return rc;
}

static int
pcap_sniff(const uint8_t *head, size_t n)
{
	static const uint8_t magics[][4] = {
		{ 0xa1, 0xb2, 0xc3, 0xd4 }, { 0xd4, 0xc3, 0xb2, 0xa1 },
		{ 0xa1, 0xb2, 0x3c, 0x4d }, { 0x4d, 0x3c, 0xb2, 0xa1 },
		{ 0x0a, 0x0d, 0x0d, 0x0a },
	};
	size_t i;

	if (n < 4)
		return 0;
	for (i = 0; i < sizeof(magics) / sizeof(magics[0]); i++)
		if (memcmp(head, magics[i], 4) == 0)
			return 1;
	return 0;
}

const struct ingest_reader ingest_pcap = {
	.name = "pcap",
	.kind = "capture",
	.sniff = pcap_sniff,
	.read = pcap_read,
};
