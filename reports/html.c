/* html.c - one self-contained HTML page: verdict banner, findings, clients,
 * steps, a ladder diagram of the exchange (inline SVG) and the timeline. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dns.h"
#include "krb.h"
#include "report.h"
#include "util.h"

#define LADDER_MAX_ROWS		400	/* arrows and notes drawn */
#define TIMELINE_MAX_ROWS	2000
#define MAX_KDC_LANES		6

/*
 * The one place text enters the page: the five characters HTML gives a
 * meaning to become references, control characters become spaces.  Used
 * for element content and for attribute values alike (always quoted).
 */
static void
html_escape(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", out);
			break;
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		case '\'':
			fputs("&#39;", out);
			break;
		default:
			fputc((unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s,
			    out);
		}
	}
}

/* Cut s (a buffer of size bytes) to at most max UTF-8 characters, the
 * last one an ellipsis. */
static void
shorten(char *s, size_t size, size_t max)
{
	size_t i, chars = 0, cut = 0;

	if (max < 2)
		max = 2;
	for (i = 0; s[i]; i++) {
		if (((unsigned char)s[i] & 0xc0) == 0x80)
			continue;
		if (chars == max - 1)
			cut = i;
		if (++chars > max) {
			strlcpy0(s + cut, "\xe2\x80\xa6", size - cut);
			return;
		}
	}
}

static size_t
utf8_len(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static const char css[] =
"*{box-sizing:border-box}"
"body{margin:0;font:14px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,"
"'DejaVu Sans',sans-serif;color:#1f2933;background:#f4f6f8}"
"main{max-width:1240px;margin:0 auto;padding:24px 28px 48px}"
"h1{font-size:20px;margin:0 0 4px;font-weight:600}"
"h2{font-size:16px;margin:32px 0 12px;padding-bottom:6px;"
"border-bottom:1px solid #d9e0e6;font-weight:600;color:#323f4b}"
"code,.mono{font-family:'DejaVu Sans Mono',Menlo,Consolas,monospace;"
"font-size:12.5px}"
".banner{border-radius:8px;padding:18px 22px;color:#fff;"
"box-shadow:0 1px 3px rgba(0,0,0,.15)}"
".banner.bad{background:#b42318}.banner.good{background:#1f7a4d}"
".banner.warn{background:#b54708}"
".banner .head{font-size:22px;font-weight:700;letter-spacing:.02em}"
".banner .why{font-size:15px;margin-top:4px;opacity:.95}"
".facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 18px;"
"margin:14px 0 0;padding:12px 16px;background:#fff;border-radius:8px;"
"border:1px solid #d9e0e6}"
".facts dt{color:#616e7c}.facts dd{margin:0;word-break:break-all}"
"nav{margin-top:10px;font-size:13px}nav a{margin-right:14px}"
"a{color:#1d4ed8;text-decoration:none}a:hover{text-decoration:underline}"
".finding{background:#fff;border:1px solid #d9e0e6;border-left:5px solid "
"#9aa5b1;border-radius:6px;padding:12px 16px;margin:0 0 12px}"
".finding.error{border-left-color:#d92d20}"
".finding.warning{border-left-color:#f79009}"
".finding.info{border-left-color:#2e90fa}"
".finding h3{margin:0;font-size:15px;font-weight:600}"
".finding .id{color:#616e7c;font-weight:400;margin-left:6px}"
".sev{display:inline-block;font-size:11px;font-weight:700;"
"text-transform:uppercase;border-radius:4px;padding:1px 7px;"
"margin-right:8px;vertical-align:1px;color:#fff;background:#7b8794}"
".sev.error{background:#d92d20}.sev.warning{background:#dc6803}"
".sev.info{background:#2e90fa}"
".root{font-size:11px;font-weight:600;color:#b42318;margin-left:8px}"
".finding ul{margin:8px 0;padding-left:20px}.finding li{margin:3px 0}"
".src{background:#eef2f6;border-radius:3px;padding:0 5px;"
"margin-right:6px;white-space:nowrap}"
".remedy{background:#f0f7ff;border-radius:4px;padding:8px 12px;"
"margin-top:8px}.remedy b{color:#1849a9}"
"table{border-collapse:collapse;width:100%;background:#fff;"
"border:1px solid #d9e0e6;border-radius:6px;font-size:13px}"
"th,td{text-align:left;padding:6px 10px;border-bottom:1px solid #e4e7eb;"
"vertical-align:top}"
"th{background:#f5f7fa;font-weight:600;color:#3e4c59}"
"tr:nth-child(even) td{background:#fafbfc}"
"td.n{text-align:right;white-space:nowrap}td.t,td.mono{white-space:nowrap}"
"tr.hit td{background:#fff4f2}"
".st{font-weight:600}.st.ok{color:#1f7a4d}.st.failed{color:#b42318}"
".st.warning{color:#b54708}.st.skipped{color:#7b8794}"
".ladder{background:#fff;border:1px solid #d9e0e6;border-radius:6px;"
"overflow-x:auto;padding:8px 0}"
".ladder a{text-decoration:none}.ladder a:hover text{"
"text-decoration:underline}"
".ladder svg{display:block;font-family:system-ui,'DejaVu Sans',"
"sans-serif}"
".note{color:#616e7c;font-size:13px;margin:6px 0}"
".legend{font-size:12px;color:#52606d;margin:6px 2px}"
".legend span{margin-right:16px}"
".legend i{display:inline-block;width:22px;height:0;border-top:2px solid;"
"vertical-align:middle;margin-right:5px}"
"footer{margin-top:36px;color:#7b8794;font-size:12px}"
"@media print{body{background:#fff}main{max-width:none;padding:0}"
".ladder{overflow:visible}}";

/* ---- the ladder ------------------------------------------------------- */

enum lane_kind { LANE_CLIENT, LANE_DNS, LANE_KDC, LANE_MP };

struct lane {
	enum lane_kind kind;
	char realm[128];	/* KDC lanes: "" for a KDC of no known realm */
	char peer[64];		/* first address seen on a KDC lane */
};

struct lanes {
	struct lane l[3 + MAX_KDC_LANES];
	int n;
};

enum row_style { RS_REQ, RS_RESP, RS_OK, RS_ERR, RS_NOTE, RS_NOTE_ERR };

/* One drawn row: an arrow between two lanes or a note on one. */
struct row {
	int ev;			/* event index */
	int from, to;		/* lanes; from == to: a note */
	enum row_style style;
	char label[1200];
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

static const char *
kdc_peer(const struct event *ev)
{
	return ev->peer[0] ? ev->peer : "";
}

/* The lane of an event's far end, creating it in order of appearance. */
static int
lane_of(struct lanes *ls, const struct event *ev, enum ev_role role)
{
	switch (role) {
	case ROLE_DNS:
		return lane_find(ls, LANE_DNS, "", "", 1);
	case ROLE_KDC:
		return lane_find(ls, LANE_KDC, ev->realm, kdc_peer(ev), 1);
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

/*
 * Rows for one event: 0, 1 or 2 (a request and its answer).  Lanes are
 * created here, so pass 1 of the ladder only calls this to learn them.
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
		out[0].style = RS_REQ;
		snprintf(out[0].label, sizeof(out[0].label), "%s? %s",
		    dns_type_name(ev->qtype) ? dns_type_name(ev->qtype) : "DNS",
		    ev->name);
		out[1] = out[0];
		out[1].from = out[0].to;
		out[1].to = c;
		out[1].style = ev->rcode == 0 && ev->text[0] ? RS_RESP : RS_ERR;
		snprintf(out[1].label, sizeof(out[1].label), "%s%s%s",
		    dns_rcode_name(ev->rcode) ? dns_rcode_name(ev->rcode) :
		    "no reply", ev->text[0] ? " " : "", ev->text);
		n = 2;
		break;
	case EV_CONNECT_FAIL:
		out[0].to = lane_of(ls, ev, ev->to ? ev->to : ROLE_MP);
		out[0].style = RS_ERR;
		event_describe(ev, out[0].label, sizeof(out[0].label));
		break;
	case EV_HTTP_REQUEST:
		out[0].to = lane_of(ls, ev, ROLE_MP);
		out[0].style = RS_REQ;
		snprintf(out[0].label, sizeof(out[0].label), "%s%s%s", ev->text,
		    ev->name[0] ? " + " : " (anonymous)", ev->name);
		break;
	case EV_HTTP_RESPONSE:
		out[0].from = lane_of(ls, ev, ROLE_MP);
		out[0].to = c;
		out[0].style = ev->status >= 200 && ev->status < 300 ? RS_OK :
		    ev->status == 401 && !ev->name[0] ? RS_RESP : RS_ERR;
		snprintf(out[0].label, sizeof(out[0].label), "HTTP %d%s%s",
		    ev->status, ev->text[0] ? " \xc2\xb7 " : "", ev->text);
		break;
	case EV_KRB_REQUEST:
		out[0].to = lane_of(ls, ev, ROLE_KDC);
		out[0].style = RS_REQ;
		snprintf(out[0].label, sizeof(out[0].label), "%s %s",
		    m ? m : "KRB", ev->name);
		break;
	case EV_KRB_REPLY:
		out[0].from = lane_of(ls, ev, ROLE_KDC);
		out[0].to = c;
		out[0].style = RS_OK;
		snprintf(out[0].label, sizeof(out[0].label), "%s %s",
		    m ? m : "KRB", ev->name);
		break;
	case EV_KRB_ERROR:
		out[0].from = lane_of(ls, ev, ev->from == ROLE_MP ? ROLE_MP :
		    ROLE_KDC);
		out[0].to = c;
		out[0].style = RS_ERR;
		snprintf(out[0].label, sizeof(out[0].label), "KRB-ERROR %d %s",
		    ev->code, krb_err_name(ev->code) ? krb_err_name(ev->code) :
		    "");
		break;
	case EV_KRB_REFERRAL:
		out[0].from = out[0].to = lane_of(ls, ev, ROLE_KDC);
		out[0].style = RS_NOTE;
		snprintf(out[0].label, sizeof(out[0].label), "referral to %s",
		    ev->value);
		break;
	case EV_KDC_UNREACHABLE:
	case EV_REALM_UNKNOWN:
		out[0].from = out[0].to = lane_of(ls, ev, ROLE_KDC);
		out[0].style = RS_NOTE_ERR;
		snprintf(out[0].label, sizeof(out[0].label), "%s",
		    ev->type == EV_KDC_UNREACHABLE ? "no KDC answered" :
		    "no KDC located");
		break;
	case EV_IIS_REQUEST:
		out[0].to = lane_of(ls, ev, ROLE_MP);
		out[0].style = RS_REQ;
		snprintf(out[0].label, sizeof(out[0].label), "%s from %s",
		    ev->value, ev->peer);
		head_word(ev->text, w, sizeof(w));
		out[1] = out[0];
		out[1].from = out[0].to;
		out[1].to = c;
		out[1].style = ev->status >= 200 && ev->status < 300 ? RS_OK :
		    ev->status == 401 && ev->code == 2 && !ev->name[0] ?
		    RS_RESP : RS_ERR;
		snprintf(out[1].label, sizeof(out[1].label), "%d.%d %s%s%s",
		    ev->status, ev->code, w, ev->name[0] ? " as " : "",
		    ev->name);
		n = 2;
		break;
	case EV_CLOCK:
		out[0].from = out[0].to = lane_of(ls, ev, ev->to == ROLE_MP ?
		    ROLE_MP : ROLE_KDC);
		out[0].style = RS_NOTE;
		snprintf(out[0].label, sizeof(out[0].label), "clock %+.1f s",
		    ev->offset);
		break;
	case EV_SPN_OWNER:
	case EV_TRUST:
	case EV_DIRECTORY:
	case EV_DIRECTORY_UNAVAILABLE:
		out[0].from = out[0].to = lane_of(ls, ev, ROLE_KDC);
		out[0].style = ev->type == EV_DIRECTORY_UNAVAILABLE ?
		    RS_NOTE_ERR : RS_NOTE;
		event_describe(ev, out[0].label, sizeof(out[0].label));
		break;
	case EV_TICKET:
		out[0].style = RS_NOTE;
		snprintf(out[0].label, sizeof(out[0].label), "ticket %s kvno %d",
		    ev->name, ev->kvno);
		break;
	case EV_GSS_STATUS:
	case EV_SPNEGO_REPLY:
	case EV_NO_CREDENTIALS:
	case EV_KRB_FALLBACK:
		out[0].style = ev->type == EV_SPNEGO_REPLY && ev->code < 0 ?
		    RS_NOTE : RS_NOTE_ERR;
		event_describe(ev, out[0].label, sizeof(out[0].label));
		break;
	default:
		return 0;	/* notes and capture remarks: timeline only */
	}
	return n;
}

static int
is_evidence(const struct report *r, size_t ev)
{
	size_t i;
	int j;

	for (i = 0; i < r->n_findings; i++)
		for (j = 0; j < r->findings[i].n_evidence; j++)
			if ((size_t)r->findings[i].evidence[j] == ev)
				return 1;
	return 0;
}

static void
lane_header(FILE *out, const struct report *r, const struct lane *l,
    double x, double w)
{
	char sub[160];
	const char *name = "Client";
	size_t fit = (size_t)((w - 24) / 7.4);

	sub[0] = '\0';
	switch (l->kind) {
	case LANE_CLIENT:
		strlcpy0(sub, r->client, sizeof(sub));
		break;
	case LANE_DNS:
		name = "DNS";
		break;
	case LANE_KDC:
		name = "KDC";
		strlcpy0(sub, l->realm[0] ? l->realm : l->peer, sizeof(sub));
		break;
	case LANE_MP:
		name = "Management point";
		strlcpy0(sub, r->mp_name[0] ? r->mp_name :
		    strcmp(r->command, "probe") == 0 ? r->target : "",
		    sizeof(sub));
		break;
	}
	shorten(sub, sizeof(sub), fit);
	fprintf(out, "<g><rect x=\"%.0f\" y=\"6\" width=\"%.0f\" "
	    "height=\"42\" rx=\"6\" fill=\"%s\"/>", x - w / 2 + 8, w - 16,
	    l->kind == LANE_MP ? "#1e3a5f" : l->kind == LANE_KDC ? "#364152" :
	    "#475467");
	fprintf(out, "<text x=\"%.0f\" y=\"%s\" text-anchor=\"middle\" "
	    "fill=\"#fff\" font-size=\"13\" font-weight=\"600\">%s</text>", x,
	    sub[0] ? "24" : "32", name);
	if (sub[0]) {
		fprintf(out, "<text x=\"%.0f\" y=\"40\" text-anchor=\"middle\" "
		    "fill=\"#d0d5dd\" font-size=\"11\">", x);
		html_escape(out, sub);
		fputs("</text>", out);
	}
	fputs("</g>\n", out);
}

static const char *
row_color(enum row_style s)
{
	switch (s) {
	case RS_OK:
		return "#1f7a4d";
	case RS_ERR:
	case RS_NOTE_ERR:
		return "#c4320a";
	case RS_RESP:
		return "#667085";
	default:
		return "#2f5fa7";
	}
}

static void
draw_row(FILE *out, const struct report *r, const struct row *rw,
    const double *lx, double w, double gutter, double width, double y)
{
	const struct event *ev = &r->events[rw->ev];
	char full[1024], label[1200], when[40], where[64];
	const char *color = row_color(rw->style);
	int hit = is_evidence(r, (size_t)rw->ev);
	size_t fit;

	event_describe(ev, full, sizeof(full));
	format_time(ev->t, when, sizeof(when));
	if (ev->frame >= 0)
		snprintf(where, sizeof(where), "frame %d", ev->frame);
	else if (strrchr(ev->source, ':'))
		snprintf(where, sizeof(where), "line %s",
		    strrchr(ev->source, ':') + 1);
	else
		strlcpy0(where, ev->source, sizeof(where));
	shorten(where, sizeof(where), 14);
	fprintf(out, "<a href=\"#e%d\"><g><title>", rw->ev + 1);
	html_escape(out, ev->source);
	fputs(": ", out);
	html_escape(out, full);
	fprintf(out, "</title><text x=\"10\" y=\"%.0f\" font-size=\"11\" "
	    "fill=\"#344054\"%s>", y + 13, hit ? " font-weight=\"700\"" : "");
	html_escape(out, where);
	fprintf(out, "</text><text x=\"10\" y=\"%.0f\" font-size=\"9.5\" "
	    "fill=\"#98a2b3\">%.12s</text>", y + 25, ev->t > 0 ? when + 11 :
	    "-");
	strlcpy0(label, rw->label, sizeof(label));
	if (rw->from == rw->to) {
		double tw, cx;

		fit = (size_t)((w * 1.7) / 6.4);
		shorten(label, sizeof(label), fit);
		tw = 6.2 * (double)utf8_len(label) + 16;
		if (tw > w * 1.8)
			tw = w * 1.8;
		/* keep a note on the first lane clear of the gutter */
		cx = lx[rw->from] - tw / 2 < gutter + 4 ? gutter + 4 + tw / 2 :
		    lx[rw->from];
		fprintf(out, "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" "
		    "height=\"21\" rx=\"4\" fill=\"%s\" stroke=\"%s\"/>",
		    cx - tw / 2, y + 4, tw,
		    rw->style == RS_NOTE_ERR ? "#fef3f2" : "#fffaeb",
		    rw->style == RS_NOTE_ERR ? "#fda29b" : "#fedf89");
		fprintf(out, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\" "
		    "font-size=\"11\" fill=\"%s\"%s>", cx, y + 18,
		    rw->style == RS_NOTE_ERR ? "#b42318" : "#7a2e0e",
		    hit ? " font-weight=\"700\"" : "");
	} else {
		double x1 = lx[rw->from], x2 = lx[rw->to], left, tx;
		double span = x2 > x1 ? x2 - x1 : x1 - x2;
		double dir = x2 > x1 ? 1 : -1;
		const char *anchor;

		fprintf(out, "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" "
		    "y2=\"%.0f\" stroke=\"%s\" stroke-width=\"1.6\"%s "
		    "marker-end=\"url(#h%d)\"/>", x1 + 3 * dir, y + 20,
		    x2 - 4 * dir, y + 20, color, rw->style == RS_RESP ||
		    rw->style == RS_OK ? " stroke-dasharray=\"6 3\"" : "",
		    (int)rw->style);
		/* centred over its arrow when it fits there, else from the
		 * arrow's left end across the row, which is its own */
		left = x1 < x2 ? x1 : x2;
		fit = (size_t)((span - 12) / 6.3);
		if (utf8_len(label) <= fit) {
			anchor = "middle";
			tx = (x1 + x2) / 2;
		} else {
			anchor = "start";
			tx = left + 8;
			fit = (size_t)((width - tx - 8) / 6.3);
			shorten(label, sizeof(label), fit > 6 ? fit : 6);
		}
		fprintf(out, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"%s\" "
		    "font-size=\"11\" fill=\"%s\" stroke=\"#fff\" "
		    "stroke-width=\"3\" paint-order=\"stroke\"%s>", tx, y + 15,
		    anchor, color, hit ? " font-weight=\"700\"" : "");
	}
	html_escape(out, label);
	fputs("</text></g></a>\n", out);
}

static void
ladder(const struct report *r, FILE *out)
{
	struct lanes ls;
	struct row rows[2], *all = NULL;
	size_t i, n_rows = 0, total = 0, cap = 0;
	double lx[3 + MAX_KDC_LANES], gutter = 96, w, width, y, height;
	int k, j;

	memset(&ls, 0, sizeof(ls));
	lane_find(&ls, LANE_CLIENT, "", "", 1);
	for (i = 0; i < r->n_events; i++) {
		k = event_rows(&ls, &r->events[i], (int)i, rows);
		total += (size_t)k;
		for (j = 0; j < k && n_rows < LADDER_MAX_ROWS; j++) {
			if (n_rows == cap) {
				struct row *p;

				cap = cap ? cap * 2 : 64;
				if ((p = realloc(all, cap * sizeof(*p))) ==
				    NULL) {
					free(all);
					fputs("<p class=\"note\">The ladder "
					    "could not be drawn (out of "
					    "memory).</p>\n", out);
					return;
				}
				all = p;
			}
			all[n_rows++] = rows[j];
		}
	}
	if (n_rows == 0) {
		free(all);
		fputs("<p class=\"note\">No network exchange to draw: the "
		    "timeline below lists what was read.</p>\n", out);
		return;
	}
	/* the lanes in the order of the flow: client, DNS, KDCs, MP */
	{
		int order[3 + MAX_KDC_LANES], pos[3 + MAX_KDC_LANES], n = 0;
		enum lane_kind kinds[] = { LANE_CLIENT, LANE_DNS, LANE_KDC,
		    LANE_MP };
		size_t q;

		for (q = 0; q < 4; q++)
			for (k = 0; k < ls.n; k++)
				if (ls.l[k].kind == kinds[q])
					order[n++] = k;
		for (k = 0; k < n; k++)
			pos[order[k]] = k;
		w = (1180 - gutter) / ls.n;
		if (w > 440)
			w = 440;
		if (w < 170)
			w = 170;
		for (k = 0; k < ls.n; k++)
			lx[k] = gutter + w * pos[k] + w / 2;
	}
	width = gutter + w * ls.n + 8;
	height = 64 + 30.0 * (double)n_rows + 12;
	fprintf(out, "<div class=\"ladder\"><svg xmlns=\"http://www.w3.org/"
	    "2000/svg\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f "
	    "%.0f\" role=\"img\" aria-label=\"ladder diagram\">\n", width,
	    height, width, height);
	fputs("<defs>", out);
	for (k = RS_REQ; k <= RS_ERR; k++)
		fprintf(out, "<marker id=\"h%d\" viewBox=\"0 0 10 10\" "
		    "refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" "
		    "orient=\"auto-start-reverse\"><path d=\"M0,0L10,5L0,10z\" "
		    "fill=\"%s\"/></marker>", k, row_color((enum row_style)k));
	fputs("</defs>\n", out);
	y = 58;
	for (i = 1; i < n_rows; i += 2)
		fprintf(out, "<rect x=\"0\" y=\"%.0f\" width=\"%.0f\" "
		    "height=\"30\" fill=\"#f8fafc\"/>\n", y + 30.0 * (double)i,
		    width);
	for (k = 0; k < ls.n; k++) {
		fprintf(out, "<line x1=\"%.0f\" y1=\"48\" x2=\"%.0f\" "
		    "y2=\"%.0f\" stroke=\"#b8c2cc\" stroke-width=\"1.2\" "
		    "stroke-dasharray=\"3 3\"/>\n", lx[k], lx[k], height - 4);
		lane_header(out, r, &ls.l[k], lx[k], w);
	}
	for (i = 0; i < n_rows; i++)
		draw_row(out, r, &all[i], lx, w, gutter, width,
		    y + 30.0 * (double)i);
	fputs("</svg></div>\n", out);
	fputs("<div class=\"legend\"><span><i style=\"border-color:#2f5fa7\">"
	    "</i>request</span><span><i style=\"border-color:#667085;"
	    "border-top-style:dashed\"></i>reply</span><span><i style=\""
	    "border-color:#1f7a4d;border-top-style:dashed\"></i>success</span>"
	    "<span><i style=\"border-color:#c4320a\"></i>error or refusal"
	    "</span><span>bold: evidence of a finding; hover a row for the "
	    "full event</span></div>\n", out);
	if (total > n_rows)
		fprintf(out, "<p class=\"note\">The ladder shows the first %zu "
		    "of %zu exchanges; the timeline lists every event.</p>\n",
		    n_rows, total);
	free(all);
}

/* ---- the page --------------------------------------------------------- */

static void
td(FILE *out, const char *cls, const char *s)
{
	fprintf(out, "<td%s%s%s>", cls ? " class=\"" : "", cls ? cls : "",
	    cls ? "\"" : "");
	html_escape(out, s[0] ? s : "-");
	fputs("</td>", out);
}

static void
fact(FILE *out, const char *k, const char *v)
{
	fputs("<dt>", out);
	html_escape(out, k);
	fputs("</dt><dd>", out);
	html_escape(out, v);
	fputs("</dd>", out);
}

static void
findings(const struct report *r, FILE *out)
{
	char line[1024];
	size_t i;
	int j;

	fputs("<h2 id=\"findings\">Findings, most likely root cause first</h2>"
	    "\n", out);
	if (r->n_findings == 0)
		fputs("<p class=\"note\">No findings.</p>\n", out);
	for (i = 0; i < r->n_findings; i++) {
		const struct finding *f = &r->findings[i];
		const char *sev = severity_name(finding_severity(f->id));

		fprintf(out, "<div class=\"finding %s\"><h3><span class=\"sev "
		    "%s\">%s</span>", sev, sev, sev);
		html_escape(out, finding_title(f->id));
		fputs("<code class=\"id\">", out);
		html_escape(out, finding_key(f->id));
		fputs("</code>", out);
		if (i == 0 && !r->approved)
			fputs("<span class=\"root\">ROOT CAUSE</span>", out);
		fputs("</h3>\n<ul>", out);
		for (j = 0; j < f->n_evidence; j++) {
			const struct event *ev = &r->events[f->evidence[j]];

			event_describe(ev, line, sizeof(line));
			fprintf(out, "<li><a class=\"src mono\" href=\"#e%d\">",
			    f->evidence[j] + 1);
			html_escape(out, ev->source);
			fputs("</a>", out);
			html_escape(out, line);
			fputs("</li>", out);
		}
		fputs("</ul>\n<div class=\"remedy\"><b>Remedy.</b> ", out);
		html_escape(out, finding_remedy(f->id));
		fputs("</div></div>\n", out);
	}
}

static void
clients(const struct report *r, FILE *out)
{
	char n[16];
	size_t i;

	if (r->n_clients == 0)
		return;
	fputs("<h2 id=\"clients\">Clients on ccm_system_windowsauth</h2>\n"
	    "<table><tr><th>Client</th><th>User</th><th>Verdict</th>"
	    "<th>Requests</th><th>Last status</th><th>Source</th><th>First"
	    "</th><th>Last</th></tr>\n", out);
	for (i = 0; i < r->n_clients; i++) {
		const struct client_verdict *cv = &r->clients[i];
		int good = strcmp(cv->verdict, "kerberos") == 0;

		snprintf(n, sizeof(n), "%d", cv->n_requests);
		fprintf(out, "<tr%s>", good ? "" : " class=\"hit\"");
		td(out, "mono", cv->client);
		td(out, "mono", cv->user);
		fprintf(out, "<td class=\"st %s\">", good ? "ok" : "failed");
		html_escape(out, cv->verdict);
		fputs("</td>", out);
		td(out, "n", n);
		td(out, NULL, cv->last_status);
		td(out, "mono t", cv->source);
		td(out, "t", cv->first);
		td(out, "t", cv->last);
		fputs("</tr>\n", out);
	}
	fputs("</table>\n", out);
}

static void
steps(const struct report *r, FILE *out)
{
	char ms[32];
	size_t i;

	if (r->n_steps == 0)
		return;
	fputs("<h2 id=\"steps\">Steps</h2>\n<table><tr><th>Step</th><th>"
	    "Status</th><th>Time</th><th>Summary</th><th>Frames</th></tr>\n",
	    out);
	for (i = 0; i < r->n_steps; i++) {
		const struct step *s = &r->steps[i];
		const char *st = step_status_name(s->status);

		snprintf(ms, sizeof(ms), "%.0f ms", s->elapsed * 1000);
		fputs("<tr>", out);
		td(out, "mono", s->name);
		fprintf(out, "<td class=\"st %s\">%s</td>", st, st);
		td(out, "n", ms);
		td(out, NULL, s->summary);
		td(out, "t", s->frames);
		fputs("</tr>\n", out);
	}
	fputs("</table>\n", out);
}

static void
timeline(const struct report *r, FILE *out)
{
	char line[1024], when[40];
	size_t i;

	fputs("<h2 id=\"timeline\">Timeline</h2>\n", out);
	if (r->n_events == 0) {
		fputs("<p class=\"note\">No events.</p>\n", out);
		return;
	}
	fputs("<table><tr><th>#</th><th>Time (UTC)</th><th>Source</th>"
	    "<th>Event</th></tr>\n", out);
	for (i = 0; i < r->n_events && i < TIMELINE_MAX_ROWS; i++) {
		const struct event *ev = &r->events[i];

		event_describe(ev, line, sizeof(line));
		format_time(ev->t, when, sizeof(when));
		fprintf(out, "<tr id=\"e%zu\"%s><td class=\"n\">%zu</td>", i + 1,
		    is_evidence(r, i) ? " class=\"hit\"" : "", i + 1);
		td(out, "mono t", ev->t > 0 ? when : "-");
		td(out, "mono t", ev->source);
		td(out, NULL, line);
		fputs("</tr>\n", out);
	}
	fputs("</table>\n", out);
	if (r->n_events > TIMELINE_MAX_ROWS)
		fprintf(out, "<p class=\"note\">The first %d of %zu events; "
		    "the JSON report holds them all.</p>\n", TIMELINE_MAX_ROWS,
		    r->n_events);
}

static int
write_html(const struct report *r, FILE *out)
{
	char head[64], rest[512], line[1400];
	size_t i;
	int live = strcmp(r->command, "probe") == 0 ||
	    strcmp(r->command, "register") == 0;
	const char *tone = !r->approved ? "bad" : r->n_findings &&
	    finding_severity(r->findings[0].id) == SEV_WARNING ? "warn" :
	    "good";

	report_verdict(r, head, sizeof(head), rest, sizeof(rest));
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8"
	    "\">\n<meta http-equiv=\"Content-Security-Policy\" content=\""
	    "default-src 'none'; style-src 'unsafe-inline'\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width\">\n"
	    "<title>ccmdiag: ", out);
	html_escape(out, head);
	fputs(" \xe2\x80\x94 ", out);
	html_escape(out, r->target);
	fprintf(out, "</title>\n<style>%s</style></head>\n<body><main>\n", css);
	fputs("<h1>ccmdiag ", out);
	html_escape(out, r->command);
	fputs(" report</h1>\n", out);
	fprintf(out, "<div class=\"banner %s\"><div class=\"head\">", tone);
	html_escape(out, head);
	fputs("</div><div class=\"why\">", out);
	html_escape(out, rest);
	fputs("</div></div>\n<dl class=\"facts\">", out);
	if (r->scenario[0])
		fact(out, "Lab scenario", r->scenario);
	for (i = 0; i < r->n_inputs; i++) {
		report_input_line(&r->inputs[i], line, sizeof(line));
		fact(out, "Input", line);
	}
	if (live || r->n_inputs == 0)
		fact(out, live ? "Management point" : "Input", r->target);
	if (!live || (r->mp_name[0] && strcmp(r->mp_name, r->target) != 0))
		fact(out, live ? "Canonical name" : "Management point",
		    r->mp_name[0] ? r->mp_name : "not seen");
	if (r->mp_realm[0])
		fact(out, "MP realm", r->mp_realm);
	if (r->client[0])
		fact(out, "Client", r->client);
	if (r->client_realm[0])
		fact(out, "Client realm", r->client_realm);
	fputs("</dl>\n<nav><a href=\"#findings\">Findings</a>", out);
	if (r->n_clients)
		fputs("<a href=\"#clients\">Clients</a>", out);
	if (r->n_steps)
		fputs("<a href=\"#steps\">Steps</a>", out);
	fputs("<a href=\"#ladder\">Ladder diagram</a><a href=\"#timeline\">"
	    "Timeline</a></nav>\n", out);
	findings(r, out);
	clients(r, out);
	steps(r, out);
	fputs("<h2 id=\"ladder\">Exchange</h2>\n", out);
	ladder(r, out);
	timeline(r, out);
	fputs("<footer>Generated by ccmdiag " VERSION ".</footer>\n"
	    "</main></body></html>\n", out);
	return ferror(out) ? -1 : 0;
}

const struct report_writer report_html = {
	.name = "html",
	.write = write_html,
};
