/*
 * ladder.c - the HTML report's ladder diagram: one lane per party (client,
 * DNS, the KDC of each realm, the MP), one row per message in time order,
 * drawn as inline SVG that fits a 1200 px window and an A4 page: lanes
 * narrow to fit, labels wrap, and colour says what a message means (red
 * for what a finding cites as a fault, amber for a warning's evidence,
 * green for a success, grey for the normal steps of the protocol).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dns.h"
#include "html.h"
#include "krb.h"
#include "report.h"
#include "util.h"

#define LADDER_MAX_ROWS		400	/* arrows and notes drawn */
#define MAX_KDC_LANES		6
#define MAX_LANES		(3 + MAX_KDC_LANES)
#define ROWS_PER_CHUNK		36	/* one SVG each: a printed page */
#define MAX_LINES		8	/* of a wrapped label */
#define LINE_BYTES		400

/* SVG user units: the page's content is 1144 px wide at 1200 px */
#define WIDTH		1120.0
#define GUTTER		92.0
#define CHAR_W		6.4	/* at font-size 11, generously */
#define NAME_W		8.2	/* at font-size 13, bold */
#define LINE_H		13.0

enum lane_kind { LANE_CLIENT, LANE_DNS, LANE_KDC, LANE_MP };

struct lane {
	enum lane_kind kind;
	char realm[128];	/* KDC lanes: "" for a KDC of no known realm */
	char peer[64];		/* first address seen on a KDC lane */
};

struct lanes {
	struct lane l[MAX_LANES];
	int n;
};

/* What a row means, which is its colour. */
enum meaning { M_NORMAL, M_SUCCESS, M_WARNING, M_FAULT, M__COUNT };

/* One drawn row: an arrow between two lanes or a note on one. */
struct row {
	int ev;			/* event index */
	int from, to;		/* lanes; from == to: a note */
	int reply;		/* drawn dashed */
	int pair;		/* one of an event's two rows */
	enum meaning meaning;
	double t;		/* for the order: the event's time */
	char label[1200];
};

static const struct {
	const char *line, *text, *fill, *stroke;
} colors[M__COUNT] = {
	[M_NORMAL] = { "#667085", "#344054", "#f2f4f7", "#d0d5dd" },
	[M_SUCCESS] = { "#12805c", "#05603a", "#ecfdf3", "#a6f4c5" },
	[M_WARNING] = { "#c76a00", "#93370d", "#fffaeb", "#fec84b" },
	[M_FAULT] = { "#d92d20", "#b42318", "#fef3f2", "#fda29b" },
};

static int
lane_find(struct lanes *ls, enum lane_kind kind, const char *realm,
    const char *peer, int add)
{
	int i, kdcs = 0, first_kdc = -1;

	for (i = 0; i < ls->n; i++) {
		if (ls->l[i].kind != kind)
			continue;
		if (kind != LANE_KDC)
			return i;
		kdcs++;
		if (first_kdc < 0)
			first_kdc = i;
		if (realm[0] && strcasecmp(ls->l[i].realm, realm) == 0)
			return i;
		if (!realm[0] && peer[0] && strcmp(ls->l[i].peer, peer) == 0)
			return i;
	}
	if (kind == LANE_KDC && !realm[0] && first_kdc >= 0)
		return first_kdc;
	if (!add)
		return -1;
	if (kind == LANE_KDC && kdcs >= MAX_KDC_LANES)
		return first_kdc;	/* beyond the cap, the first one */
	i = ls->n++;
	memset(&ls->l[i], 0, sizeof(ls->l[i]));
	ls->l[i].kind = kind;
	strlcpy0(ls->l[i].realm, realm, sizeof(ls->l[i].realm));
	strlcpy0(ls->l[i].peer, peer, sizeof(ls->l[i].peer));
	return i;
}

/* The lane of an event's far end, creating it in order of appearance. */
static int
lane_of(struct lanes *ls, const struct event *ev, enum ev_role role)
{
	switch (role) {
	case ROLE_DNS:
		return lane_find(ls, LANE_DNS, "", "", 1);
	case ROLE_KDC:
		return lane_find(ls, LANE_KDC, ev->realm, ev->peer, 1);
	case ROLE_MP:
		return lane_find(ls, LANE_MP, "", "", 1);
	default:
		return lane_find(ls, LANE_CLIENT, "", "", 1);
	}
}

/* The part of text before its first ':' ("SEC_E_LOGON_DENIED"). */
static void
head_word(const char *text, char *buf, size_t n)
{
	strlcpy0(buf, text, n);
	buf[strcspn(buf, ":")] = '\0';
}

static int
http_ok(int status)
{
	return status >= 200 && status < 300;
}

/*
 * Rows for one event: 0, 1 or 2 (a request and its answer), with what
 * each means on its own: a success, or a normal step.  Lanes are created
 * here.
 */
static int
event_rows(struct lanes *ls, const struct event *ev, int idx,
    struct row out[2])
{
	int c = lane_find(ls, LANE_CLIENT, "", "", 1), n = 1;
	const char *m = krb_msg_name(ev->msg_type);
	char w[96];

	memset(out, 0, 2 * sizeof(*out));
	out[0].ev = out[1].ev = idx;
	out[0].from = out[0].to = c;
	switch (ev->type) {
	case EV_DNS:
		out[0].to = lane_of(ls, ev, ROLE_DNS);
		snprintf(out[0].label, sizeof(out[0].label), "%s? %s",
		    dns_type_name(ev->qtype) ? dns_type_name(ev->qtype) : "DNS",
		    ev->name);
		out[1] = out[0];
		out[1].from = out[0].to;
		out[1].to = c;
		out[1].reply = 1;
		out[0].pair = out[1].pair = 1;
		snprintf(out[1].label, sizeof(out[1].label), "%s%s%s",
		    dns_rcode_name(ev->rcode) ? dns_rcode_name(ev->rcode) :
		    "no reply", ev->text[0] || ev->rcode == 0 ? " " : "",
		    ev->text[0] ? ev->text : ev->rcode == 0 ?
		    "(no record of this type)" : "");
		n = 2;
		break;
	case EV_CONNECT_FAIL:
		out[0].to = lane_of(ls, ev, ev->to ? ev->to : ROLE_MP);
		event_describe(ev, out[0].label, sizeof(out[0].label));
		break;
	case EV_HTTP_REQUEST:
		out[0].to = lane_of(ls, ev, ROLE_MP);
		snprintf(out[0].label, sizeof(out[0].label), "%s%s%s", ev->text,
		    ev->name[0] ? " + " : " (anonymous)", ev->name);
		break;
	case EV_HTTP_RESPONSE:
		out[0].from = lane_of(ls, ev, ROLE_MP);
		out[0].to = c;
		out[0].reply = 1;
		/* success: a 2xx to Kerberos, not to NTLM or to nothing */
		out[0].meaning = http_ok(ev->status) &&
		    strcmp(ev->name, "Negotiate") == 0 ? M_SUCCESS : M_NORMAL;
		snprintf(out[0].label, sizeof(out[0].label), "HTTP %d%s%s",
		    ev->status, ev->text[0] ? " \xc2\xb7 " : "", ev->text);
		break;
	case EV_KRB_REQUEST:
		out[0].to = lane_of(ls, ev, ROLE_KDC);
		snprintf(out[0].label, sizeof(out[0].label), "%s %s",
		    m ? m : "KRB", ev->name);
		break;
	case EV_KRB_REPLY:
		out[0].from = lane_of(ls, ev, ROLE_KDC);
		out[0].to = c;
		out[0].reply = 1;
		out[0].meaning = M_SUCCESS;
		snprintf(out[0].label, sizeof(out[0].label), "%s %s",
		    m ? m : "KRB", ev->name);
		break;
	case EV_KRB_ERROR:
		out[0].from = lane_of(ls, ev, ev->from == ROLE_MP ? ROLE_MP :
		    ROLE_KDC);
		out[0].to = c;
		out[0].reply = 1;
		snprintf(out[0].label, sizeof(out[0].label), "KRB-ERROR %d %s",
		    ev->code, krb_err_name(ev->code) ? krb_err_name(ev->code) :
		    "");
		break;
	case EV_KRB_REFERRAL:
		out[0].from = out[0].to = lane_of(ls, ev, ROLE_KDC);
		snprintf(out[0].label, sizeof(out[0].label), "referral to %s",
		    ev->value);
		break;
	case EV_KDC_UNREACHABLE:
	case EV_REALM_UNKNOWN:
		out[0].from = out[0].to = lane_of(ls, ev, ROLE_KDC);
		snprintf(out[0].label, sizeof(out[0].label), "%s",
		    ev->type == EV_KDC_UNREACHABLE ? "no KDC answered" :
		    "no KDC located");
		break;
	case EV_IIS_REQUEST:
		out[0].to = lane_of(ls, ev, ROLE_MP);
		snprintf(out[0].label, sizeof(out[0].label), "%s from %s",
		    ev->value, ev->peer);
		head_word(ev->text, w, sizeof(w));
		out[1] = out[0];
		out[1].from = out[0].to;
		out[1].to = c;
		out[1].reply = 1;
		out[0].pair = out[1].pair = 1;
		out[1].meaning = http_ok(ev->status) && ev->name[0] &&
		    (!ev->iis.verdict[0] || strcmp(ev->iis.verdict,
		    "kerberos") == 0) ? M_SUCCESS : M_NORMAL;
		snprintf(out[1].label, sizeof(out[1].label), "%d.%d %s%s%s",
		    ev->status, ev->iis.substatus, w, ev->name[0] ? " as " : "",
		    ev->name);
		n = 2;
		break;
	case EV_CLOCK:
		out[0].from = out[0].to = lane_of(ls, ev, ev->to == ROLE_MP ?
		    ROLE_MP : ROLE_KDC);
		snprintf(out[0].label, sizeof(out[0].label), "clock %+.1f s",
		    ev->offset);
		break;
	case EV_SPN_OWNER:
	case EV_TRUST:
	case EV_DIRECTORY:
	case EV_DIRECTORY_UNAVAILABLE:
		out[0].from = out[0].to = lane_of(ls, ev, ROLE_KDC);
		event_describe(ev, out[0].label, sizeof(out[0].label));
		break;
	case EV_TICKET:
		out[0].meaning = M_SUCCESS;
		snprintf(out[0].label, sizeof(out[0].label), "ticket %s kvno %d",
		    ev->name, ev->kvno);
		break;
	case EV_GSS_STATUS:
		out[0].meaning = ev->major == 0 ? M_SUCCESS : M_NORMAL;
		event_describe(ev, out[0].label, sizeof(out[0].label));
		break;
	case EV_SPNEGO_REPLY:
		out[0].meaning = ev->code < 0 && ev->neg_state == 0 ?
		    M_SUCCESS : M_NORMAL;
		event_describe(ev, out[0].label, sizeof(out[0].label));
		break;
	case EV_NO_CREDENTIALS:
	case EV_KRB_FALLBACK:
		event_describe(ev, out[0].label, sizeof(out[0].label));
		break;
	default:
		return 0;	/* notes and capture remarks: timeline only */
	}
	return n;
}

/* The gravest severity of the findings that cite each event, -1 none. */
static int *
citations(const struct report *r)
{
	int *sev;
	size_t i;
	int j, e;

	if ((sev = malloc((r->n_events + 1) * sizeof(*sev))) == NULL)
		return NULL;
	for (i = 0; i < r->n_events; i++)
		sev[i] = -1;
	for (i = 0; i < r->n_findings; i++)
		for (j = 0; j < r->findings[i].n_evidence; j++) {
			e = r->findings[i].evidence[j];
			if (e >= 0 && (size_t)e < r->n_events &&
			    (int)finding_severity(r->findings[i].id) > sev[e])
				sev[e] = (int)finding_severity(
				    r->findings[i].id);
		}
	return sev;
}

/* ---- wrapping --------------------------------------------------------- */

static size_t
chars(const char *s, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n && s[i]; i++)
		k += ((unsigned char)s[i] & 0xc0) != 0x80;
	return k;
}

/* Bytes of s that make at most max characters, ending on a character. */
static size_t
fit_bytes(const char *s, size_t max)
{
	size_t i, k = 0;

	for (i = 0; s[i]; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80 && k++ == max)
			break;
	}
	return i;
}

/*
 * Cut text into lines of at most max characters: at spaces, else after
 * '.', '/', '-', '@', ':' or ',' in a long word, else anywhere.  Returns
 * the number of lines; beyond MAX_LINES the last one ends in an ellipsis.
 */
static int
wrap_lines(const char *text, size_t max, char lines[MAX_LINES][LINE_BYTES])
{
	const char *p = text;
	size_t take, b, i;
	int n = 0;

	if (max < 4)
		max = 4;
	if (max > LINE_BYTES / 3)
		max = LINE_BYTES / 3;	/* multi-byte characters fit too */
	while (*p == ' ')
		p++;
	while (*p && n < MAX_LINES) {
		b = fit_bytes(p, max);
		if (p[b] == '\0') {
			take = b;
		} else {
			take = 0;
			for (i = b; i > 0; i--)
				if (p[i] == ' ') {
					take = i;
					break;
				}
			for (i = b; take == 0 && i > 1; i--)
				if (strchr("./-@:,", p[i - 1])) {
					take = i;
					break;
				}
			if (take == 0)
				take = b;
		}
		if (n == MAX_LINES - 1 && p[take] != '\0') {
			b = fit_bytes(p, max - 1);
			snprintf(lines[n++], LINE_BYTES, "%.*s\xe2\x80\xa6",
			    (int)b, p);
			break;
		}
		snprintf(lines[n++], LINE_BYTES, "%.*s", (int)take, p);
		p += take;
		while (*p == ' ')
			p++;
	}
	if (n == 0)
		lines[n++][0] = '\0';
	return n;
}

static size_t
widest(char lines[MAX_LINES][LINE_BYTES], int n)
{
	size_t w = 0, c;
	int i;

	for (i = 0; i < n; i++)
		if ((c = chars(lines[i], LINE_BYTES)) > w)
			w = c;
	return w;
}

/* ---- drawing ---------------------------------------------------------- */

struct layout {
	const struct report *r;
	const int *cited;
	struct lanes ls;
	double lx[MAX_LANES];		/* lane centres */
	double w;			/* lane width */
	double head_h;			/* lane headers' height */
	char name[MAX_LANES][MAX_LINES][LINE_BYTES];
	char sub[MAX_LANES][MAX_LINES][LINE_BYTES];
	int n_name[MAX_LANES], n_sub[MAX_LANES];
};

/* A row's label, placed: its lines, where they start and how. */
struct placed {
	char lines[MAX_LINES][LINE_BYTES];
	int n;
	double x, box_w;
	const char *anchor;
	double h;			/* the row's height */
};

static void
place(const struct layout *L, const struct row *rw, struct placed *p)
{
	double x1 = L->lx[rw->from], x2 = L->lx[rw->to], left, span;
	size_t fit;

	if (rw->from == rw->to) {
		double maxw = L->w * 1.8 < 170 ? 170 : L->w * 1.8;

		if (maxw > 360)
			maxw = 360;
		p->n = wrap_lines(rw->label, (size_t)((maxw - 14) / CHAR_W),
		    p->lines);
		p->box_w = CHAR_W * (double)widest(p->lines, p->n) + 14;
		p->x = x1;
		/* clear of the gutter and of the right edge */
		if (p->x - p->box_w / 2 < GUTTER + 4)
			p->x = GUTTER + 4 + p->box_w / 2;
		if (p->x + p->box_w / 2 > WIDTH - 4)
			p->x = WIDTH - 4 - p->box_w / 2;
		p->anchor = "middle";
		p->h = LINE_H * p->n + 17;
		return;
	}
	left = x1 < x2 ? x1 : x2;
	span = x1 < x2 ? x2 - x1 : x1 - x2;
	fit = (size_t)((span - 12) / CHAR_W);
	if (chars(rw->label, sizeof(rw->label)) <= fit || span >= 240) {
		/* over its arrow */
		p->n = wrap_lines(rw->label, fit, p->lines);
		p->x = (x1 + x2) / 2;
		p->anchor = "middle";
	} else {
		/* from the arrow's left end across the row, its own */
		p->x = left + 8;
		p->n = wrap_lines(rw->label, (size_t)((WIDTH - p->x - 8) /
		    CHAR_W), p->lines);
		p->anchor = "start";
	}
	p->box_w = 0;
	p->h = LINE_H * p->n + 17;
}

static void
lane_headers(struct layout *L)
{
	const struct report *r = L->r;
	char sub[300];
	const char *name;
	double h;
	int k, max_name = 1, max_sub = 0;

	for (k = 0; k < L->ls.n; k++) {
		const struct lane *l = &L->ls.l[k];

		sub[0] = '\0';
		switch (l->kind) {
		case LANE_CLIENT:
			name = "Client";
			strlcpy0(sub, r->client, sizeof(sub));
			break;
		case LANE_DNS:
			name = "DNS";
			break;
		case LANE_KDC:
			name = "KDC";
			strlcpy0(sub, l->realm[0] ? l->realm : l->peer,
			    sizeof(sub));
			break;
		default:
			name = "Management point";
			strlcpy0(sub, r->mp_name[0] ? r->mp_name :
			    strcmp(r->command, "analyze") != 0 ? r->target : "",
			    sizeof(sub));
			break;
		}
		L->n_name[k] = wrap_lines(name, (size_t)((L->w - 22) / NAME_W),
		    L->name[k]);
		L->n_sub[k] = sub[0] ? wrap_lines(sub, (size_t)((L->w - 22) /
		    CHAR_W), L->sub[k]) : 0;
		if (L->n_sub[k] > 3)
			L->n_sub[k] = 3;
		if (L->n_name[k] > max_name)
			max_name = L->n_name[k];
		if (L->n_sub[k] > max_sub)
			max_sub = L->n_sub[k];
	}
	h = 14 + 16.0 * max_name + LINE_H * max_sub;
	L->head_h = h < 42 ? 42 : h;
}

static void
draw_header(FILE *out, const struct layout *L, int k)
{
	const struct lane *l = &L->ls.l[k];
	double x = L->lx[k], y;
	int i;

	fprintf(out, "<g><rect x=\"%.0f\" y=\"6\" width=\"%.0f\" height=\"%.0f\" "
	    "rx=\"6\" fill=\"%s\"/>", x - L->w / 2 + 6, L->w - 12, L->head_h,
	    l->kind == LANE_MP ? "#1e3a5f" : l->kind == LANE_KDC ? "#364152" :
	    "#475467");
	y = 6 + (L->head_h - 16.0 * L->n_name[k] - LINE_H * L->n_sub[k]) / 2;
	for (i = 0; i < L->n_name[k]; i++) {
		y += 16;
		fprintf(out, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\" "
		    "fill=\"#fff\" font-size=\"13\" font-weight=\"600\">", x,
		    y - 3);
		html_escape(out, L->name[k][i]);
		fputs("</text>", out);
	}
	for (i = 0; i < L->n_sub[k]; i++) {
		y += LINE_H;
		fprintf(out, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\" "
		    "fill=\"#d0d5dd\" font-size=\"11\">", x, y - 2);
		html_escape(out, L->sub[k][i]);
		fputs("</text>", out);
	}
	fputs("</g>\n", out);
}

/* A finding cites an event as its fault, unless the event is a success
 * it cites as proof (the HOST ticket that works where the HTTP one does
 * not); of a request and its answer drawn from one event (DNS, an IIS log
 * line), the answer carries the fault. */
static enum meaning
meaning_of(const struct layout *L, const struct row *rw)
{
	int sev = L->cited ? L->cited[rw->ev] : -1;

	if ((rw->pair && !rw->reply) || rw->meaning == M_SUCCESS)
		return rw->meaning;

	if (sev == SEV_ERROR)
		return M_FAULT;
	if (sev == SEV_WARNING)
		return M_WARNING;
	return rw->meaning;
}

static void
draw_row(FILE *out, const struct layout *L, const struct row *rw, double y)
{
	const struct event *ev = &L->r->events[rw->ev];
	char full[1024], when[40], where[64];
	enum meaning m = meaning_of(L, rw);
	int hit = L->cited && L->cited[rw->ev] >= 0, i;
	struct placed p;
	double text_y, arrow_y;

	place(L, rw, &p);
	event_describe(ev, full, sizeof(full));
	format_time(ev->t, when, sizeof(when));
	if (ev->frame >= 0)
		snprintf(where, sizeof(where), "frame %d", ev->frame);
	else if (strrchr(ev->source, ':'))
		snprintf(where, sizeof(where), "line %.40s",
		    strrchr(ev->source, ':') + 1);
	else	/* a live run's step: "probe spnego-post" -> "spnego-post" */
		strlcpy0(where, strncmp(ev->source, L->r->command,
		    strlen(L->r->command)) == 0 && ev->source[strlen(
		    L->r->command)] == ' ' ? ev->source + strlen(L->r->command) +
		    1 : ev->source, sizeof(where));
	fprintf(out, "<a href=\"#e%d\"><g data-t=\"%.3f\"><title>", rw->ev + 1,
	    rw->t);
	html_escape(out, ev->source);
	fputs(": ", out);
	html_escape(out, full);
	fprintf(out, "</title><text x=\"8\" y=\"%.0f\" font-size=\"11\" "
	    "fill=\"#344054\"%s>", y + 13, hit ? " font-weight=\"700\"" : "");
	where[fit_bytes(where, 15)] = '\0';
	html_escape(out, where);
	fprintf(out, "</text><text x=\"8\" y=\"%.0f\" font-size=\"9.5\" "
	    "fill=\"#98a2b3\">%.12s</text>", y + 25, ev->t > 0 ? when + 11 :
	    "-");
	if (rw->from == rw->to) {
		fprintf(out, "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" "
		    "height=\"%.0f\" rx=\"4\" fill=\"%s\" stroke=\"%s\"/>",
		    p.x - p.box_w / 2, y + 4, p.box_w, LINE_H * p.n + 8,
		    colors[m].fill, colors[m].stroke);
		text_y = y + 4 + LINE_H;
	} else {
		double x1 = L->lx[rw->from], x2 = L->lx[rw->to];
		double dir = x2 > x1 ? 1 : -1;

		arrow_y = y + LINE_H * p.n + 8;
		fprintf(out, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" "
		    "y2=\"%.0f\" stroke=\"%s\" stroke-width=\"%s\"%s "
		    "marker-end=\"url(#ladder-head-%d)\"/>", x1 + 3 * dir,
		    arrow_y, x2 - 4 * dir, arrow_y, colors[m].line,
		    m == M_FAULT ? "2" : "1.5", rw->reply ?
		    " stroke-dasharray=\"6 3\"" : "", (int)m);
		text_y = y + LINE_H;
	}
	fprintf(out, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"%s\" "
	    "font-size=\"11\" fill=\"%s\"%s%s>", p.x, text_y, p.anchor,
	    colors[m].text, hit ? " font-weight=\"700\"" : "",
	    rw->from == rw->to ? "" : " stroke=\"#fff\" stroke-width=\"3\" "
	    "paint-order=\"stroke\"");
	for (i = 0; i < p.n; i++) {
		fprintf(out, "<tspan x=\"%.0f\" dy=\"%s\">", p.x, i ? "13" :
		    "0");
		html_escape(out, p.lines[i]);
		fputs("</tspan>", out);
	}
	fputs("</text></g></a>\n", out);
}

/* Rows [from, to) as one SVG, the lane headers on top. */
static void
draw_chunk(FILE *out, const struct layout *L, const struct row *rows,
    size_t from, size_t to)
{
	struct placed p;
	double y, height, *h;
	size_t i;
	int k;

	if ((h = malloc((to - from) * sizeof(*h))) == NULL)
		return;
	height = L->head_h + 18;
	for (i = from; i < to; i++) {
		place(L, &rows[i], &p);
		h[i - from] = p.h;
		height += p.h;
	}
	height += 8;
	fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" "
	    "height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" "
	    "aria-label=\"ladder diagram\">\n", WIDTH, height, WIDTH, height);
	y = L->head_h + 18;
	for (i = from; i < to; i++) {
		if ((i - from) % 2)
			fprintf(out, "<rect x=\"0\" y=\"%.0f\" width=\"%.0f\" "
			    "height=\"%.0f\" fill=\"#f8fafc\"/>\n", y, WIDTH,
			    h[i - from]);
		y += h[i - from];
	}
	for (k = 0; k < L->ls.n; k++) {
		fprintf(out, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" "
		    "y2=\"%.0f\" stroke=\"#b8c2cc\" stroke-width=\"1.2\" "
		    "stroke-dasharray=\"3 3\"/>\n", L->lx[k], L->head_h + 6,
		    L->lx[k], height - 4);
		draw_header(out, L, k);
	}
	y = L->head_h + 18;
	for (i = from; i < to; i++) {
		draw_row(out, L, &rows[i], y);
		y += h[i - from];
	}
	fputs("</svg>\n", out);
	free(h);
}

static int
by_time(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->ev != y->ev ? (x->ev < y->ev ? -1 : 1) :
	    (x->reply > y->reply) - (x->reply < y->reply);
}

/* The arrow heads, once for the page: one per meaning. */
static void
markers(FILE *out)
{
	int k;

	fputs("<svg width=\"0\" height=\"0\" style=\"position:absolute\" "
	    "aria-hidden=\"true\"><defs>", out);
	for (k = 0; k < M__COUNT; k++)
		fprintf(out, "<marker id=\"ladder-head-%d\" viewBox=\"0 0 10 10\" "
		    "refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" "
		    "orient=\"auto-start-reverse\"><path d=\"M0,0L10,5L0,10z\" "
		    "fill=\"%s\"/></marker>", k, colors[k].line);
	fputs("</defs></svg>\n", out);
}

static void
legend(FILE *out)
{
	static const char *const what[M__COUNT] = {
		[M_NORMAL] = "a normal step (a request, an answer, "
		    "PREAUTH_REQUIRED, an empty AAAA)",
		[M_SUCCESS] = "success (a ticket, HTTP 200)",
		[M_WARNING] = "evidence of a warning",
		[M_FAULT] = "the fault a finding cites",
	};
	int k;

	fputs("<div class=\"legend\">", out);
	for (k = 0; k < M__COUNT; k++)
		fprintf(out, "<span><i style=\"border-color:%s\"></i>%s</span>",
		    colors[k].line, what[k]);
	fputs("<span>solid: a request, dashed: an answer; bold: evidence "
	    "of a finding; hover a row for the whole event</span></div>\n",
	    out);
}

void
html_ladder(const struct report *r, FILE *out)
{
	struct layout *L;
	struct row rows[2], *all = NULL;
	size_t i, n_rows = 0, total = 0, cap = 0;
	double t = 0;
	int k, j;

	if ((L = calloc(1, sizeof(*L))) == NULL)
		goto oom;
	L->r = r;
	L->cited = citations(r);
	lane_find(&L->ls, LANE_CLIENT, "", "", 1);
	for (i = 0; i < r->n_events; i++) {
		k = event_rows(&L->ls, &r->events[i], (int)i, rows);
		total += (size_t)k;
		/* an event without a time keeps its place after the last */
		if (r->events[i].t > 0)
			t = r->events[i].t;
		for (j = 0; j < k && n_rows < LADDER_MAX_ROWS; j++) {
			if (n_rows == cap) {
				struct row *p;

				cap = cap ? cap * 2 : 64;
				if ((p = realloc(all, cap * sizeof(*p))) ==
				    NULL)
					goto oom;
				all = p;
			}
			all[n_rows] = rows[j];
			all[n_rows++].t = t;
		}
	}
	if (n_rows == 0) {
		fputs("<p class=\"note\">No network exchange to draw: the "
		    "timeline below lists what was read.</p>\n", out);
		goto out;
	}
	qsort(all, n_rows, sizeof(*all), by_time);
	/* the lanes in the order of the flow: client, DNS, KDCs, MP */
	{
		enum lane_kind kinds[] = { LANE_CLIENT, LANE_DNS, LANE_KDC,
		    LANE_MP };
		int pos = 0;
		size_t q;

		L->w = (WIDTH - GUTTER - 8) / L->ls.n;
		if (L->w > 400)
			L->w = 400;
		for (q = 0; q < 4; q++)
			for (k = 0; k < L->ls.n; k++)
				if (L->ls.l[k].kind == kinds[q])
					L->lx[k] = GUTTER + L->w * pos++ +
					    L->w / 2;
	}
	lane_headers(L);
	markers(out);
	fputs("<div class=\"ladder\">\n", out);
	for (i = 0; i < n_rows; i += ROWS_PER_CHUNK)
		draw_chunk(out, L, all, i, i + ROWS_PER_CHUNK < n_rows ?
		    i + ROWS_PER_CHUNK : n_rows);
	fputs("</div>\n", out);
	legend(out);
	if (total > n_rows)
		fprintf(out, "<p class=\"note\">The ladder shows the first %zu "
		    "of %zu messages; the timeline lists every event.</p>\n",
		    n_rows, total);
	goto out;
oom:
	fputs("<p class=\"note\">The ladder could not be drawn (out of "
	    "memory).</p>\n", out);
out:
	if (L)
		free((void *)L->cited);
	free(L);
	free(all);
}
