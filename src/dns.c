/* dns.c - DNS message decoder: header, first question, answers as text. */
#define _POSIX_C_SOURCE 200809L	/* inet_ntop */

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "cursor.h"
#include "dns.h"
#include "error.h"

#define NAME_HOPS	64	/* compression pointers followed per name */

enum {
	T_A = 1, T_NS = 2, T_CNAME = 5, T_PTR = 12, T_MX = 15, T_TXT = 16,
	T_AAAA = 28, T_SRV = 33, T_OPT = 41
};

/* Append s to buf, cutting it short rather than overflowing. */
static void
put(char *buf, size_t bufsz, size_t *o, const char *s)
{
	while (*s && *o + 1 < bufsz)
		buf[(*o)++] = *s++;
	buf[*o] = '\0';
}

static void
put_label(char *buf, size_t bufsz, size_t *o, struct cursor *l)
{
	char esc[5];
	uint8_t b;

	while (!cur_empty(l)) {
		b = cur_u8(l);
		if (b == '.' || b == '\\')
			snprintf(esc, sizeof(esc), "\\%c", b);
		else if (b < 0x21 || b > 0x7e)
			snprintf(esc, sizeof(esc), "\\%03u", b);
		else {
			esc[0] = (char)b;
			esc[1] = '\0';
		}
		put(buf, bufsz, o, esc);
	}
}

/*
 * Read a name at c, following compression pointers into msg (the whole
 * message).  Every pointer must point before the labels that led to it, so
 * names cannot loop; the hop count is bounded as well.
 */
static int
get_name(const struct cursor *msg, struct cursor *c, char *buf, size_t bufsz)
{
	struct cursor jump, label, *rd = c;
	size_t seg = cur_offset(c, msg->ptr), o = 0, wire = 1, target;
	uint8_t len;
	int hops = 0;

	buf[0] = '\0';
	for (;;) {
		len = cur_u8(rd);
		if (!cur_ok(rd))
			return rd == c ? c->err : ERR_MALFORMED;
		if (len == 0)
			break;
		if ((len & 0xc0) == 0xc0) {
			target = (size_t)(len & 0x3f) << 8 | cur_u8(rd);
			if (!cur_ok(rd))
				return rd == c ? c->err : ERR_MALFORMED;
			if (target >= seg || ++hops > NAME_HOPS)
				return ERR_MALFORMED;
			jump = *msg;
			cur_skip(&jump, target);
			rd = &jump;
			seg = target;
			continue;
		}
		if (len & 0xc0)
			return ERR_UNSUPPORTED;	/* RFC 6891 extended labels */
		wire += 1 + (size_t)len;
		if (wire > 255)
			return ERR_MALFORMED;
		label = cur_sub(rd, len);
		if (!cur_ok(rd))
			return rd == c ? c->err : ERR_MALFORMED;
		if (o > 0)
			put(buf, bufsz, &o, ".");
		put_label(buf, bufsz, &o, &label);
	}
	if (o == 0)
		put(buf, bufsz, &o, ".");
	return 0;
}

static int
rdata(const struct cursor *msg, struct cursor *rd, struct dns_rr *rr)
{
	char name[256];
	unsigned int w, x, y, z;
	size_t n;

	switch (rr->type) {
	case T_A:
		if (cur_left(rd) != 4)
			return ERR_MALFORMED;
		w = cur_u8(rd);
		x = cur_u8(rd);
		y = cur_u8(rd);
		z = cur_u8(rd);
		snprintf(rr->data, sizeof(rr->data), "%u.%u.%u.%u", w, x, y, z);
		break;
	case T_AAAA:
		if (cur_left(rd) != 16)
			return ERR_MALFORMED;
		if (inet_ntop(AF_INET6, cur_bytes(rd, 16), rr->data,
		    sizeof(rr->data)) == NULL)
			return ERR_MALFORMED;
		break;
	case T_NS:
	case T_CNAME:
	case T_PTR:
		return get_name(msg, rd, rr->data, sizeof(rr->data));
	case T_MX:
		x = cur_be16(rd);
		if (!cur_ok(rd))
			return ERR_MALFORMED;
		if (get_name(msg, rd, name, sizeof(name)) != 0)
			return ERR_MALFORMED;
		snprintf(rr->data, sizeof(rr->data), "%u %s", x, name);
		break;
	case T_SRV:
		x = cur_be16(rd);
		y = cur_be16(rd);
		z = cur_be16(rd);
		if (!cur_ok(rd))
			return ERR_MALFORMED;
		/* RFC 2782 forbids compressing the target; some servers do */
		if (get_name(msg, rd, name, sizeof(name)) != 0)
			return ERR_MALFORMED;
		snprintf(rr->data, sizeof(rr->data), "%u %u %u %s", x, y, z,
		    name);
		break;
	case T_TXT:
		n = cur_u8(rd);
		cur_str(rd, n, rr->data, sizeof(rr->data));
		if (!cur_ok(rd))
			return ERR_MALFORMED;
		break;
	}
	return 0;
}

/* One resource record; *rr holds it whole or is left partly filled. */
static int
get_rr(const struct cursor *msg, struct cursor *c, struct dns_rr *rr)
{
	struct cursor rd;
	int r;

	rr->data[0] = '\0';
	if ((r = get_name(msg, c, rr->name, sizeof(rr->name))) != 0)
		return r;
	rr->type = cur_be16(c);
	rr->cls = cur_be16(c);
	rr->ttl = cur_be32(c);
	rd = cur_sub(c, cur_be16(c));
	if (!cur_ok(c))
		return c->err;
	r = rdata(msg, &rd, rr);
	if (r != 0)
		rr->data[0] = '\0';
	return r == ERR_TRUNCATED ? ERR_MALFORMED : r;
}

int
dns_decode(const uint8_t *p, size_t n, struct dns_msg *out)
{
	struct cursor msg, c;
	struct dns_rr scratch;
	char name[256];
	unsigned int qd, an, ns, ar, flags, type, cls, i;
	int r = 0;

	memset(out, 0, sizeof(*out));
	out->qtype = out->qclass = -1;
	cur_init(&msg, p, n);
	c = msg;
	out->id = cur_be16(&c);
	flags = cur_be16(&c);
	qd = cur_be16(&c);
	an = cur_be16(&c);
	ns = cur_be16(&c);
	ar = cur_be16(&c);
	if (!cur_ok(&c))
		return c.err;
	out->qr = flags >> 15 & 1;
	out->opcode = flags >> 11 & 0xf;
	out->aa = flags >> 10 & 1;
	out->tc = flags >> 9 & 1;
	out->rd = flags >> 8 & 1;
	out->ra = flags >> 7 & 1;
	out->rcode = flags & 0xf;
	out->n_an_total = (int)an;
	out->n_ns = (int)ns;
	out->n_ar = (int)ar;

	for (i = 0; i < qd; i++) {
		if ((r = get_name(&msg, &c, name, sizeof(name))) != 0)
			goto out;
		type = cur_be16(&c);
		cls = cur_be16(&c);
		if (!cur_ok(&c)) {
			r = c.err;
			goto out;
		}
		if (i == 0) {
			memcpy(out->qname, name, sizeof(out->qname));
			out->qtype = (int)type;
			out->qclass = (int)cls;
		}
	}
	for (i = 0; i < an; i++) {
		struct dns_rr *rr = out->n_an < 32 ? &out->an[out->n_an] :
		    &scratch;

		if ((r = get_rr(&msg, &c, rr)) != 0)
			goto out;
		if (rr != &scratch)
			out->n_an++;
	}
	for (i = 0; i < ns + ar; i++) {
		if ((r = get_rr(&msg, &c, &scratch)) != 0)
			goto out;
		/* RFC 6891: OPT's TTL carries the upper 8 bits of RCODE */
		if (i >= ns && scratch.type == T_OPT)
			out->rcode |= (int)(scratch.ttl >> 24) << 4;
	}
out:
	return r;
}

const char *
dns_rcode_name(int rcode)
{
	static const char *const names[] = {
		"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",
		"REFUSED", "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH",
		"NOTZONE", "DSOTYPENI", NULL, NULL, NULL, NULL,
		"BADVERS", "BADKEY", "BADTIME", "BADMODE", "BADNAME",
		"BADALG", "BADTRUNC", "BADCOOKIE",
	};

	if (rcode < 0 || (size_t)rcode >= sizeof(names) / sizeof(names[0]))
		return NULL;
	return names[rcode];
}

const char *
dns_type_name(int type)
{
	switch (type) {
	case 1:		return "A";
	case 2:		return "NS";
	case 5:		return "CNAME";
	case 6:		return "SOA";
	case 12:	return "PTR";
	case 13:	return "HINFO";
	case 15:	return "MX";
	case 16:	return "TXT";
	case 28:	return "AAAA";
	case 33:	return "SRV";
	case 35:	return "NAPTR";
	case 41:	return "OPT";
	case 43:	return "DS";
	case 46:	return "RRSIG";
	case 47:	return "NSEC";
	case 48:	return "DNSKEY";
	case 64:	return "SVCB";
	case 65:	return "HTTPS";
	case 249:	return "TKEY";
	case 250:	return "TSIG";
	case 251:	return "IXFR";
	case 252:	return "AXFR";
	case 256:	return "URI";	/* MIT asks _kerberos.REALM for KDCs */
	case 255:	return "ANY";
	case 257:	return "CAA";
	}
	return NULL;
}
