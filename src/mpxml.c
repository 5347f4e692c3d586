/* mpxml.c - the libxml2 wrapper: the only file that calls libxml2. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "error.h"
#include "mpxml.h"
#include "util.h"

#define XML_OPTS (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | \
	XML_PARSE_NOBLANKS)

static void
printable(const xmlChar *s, char *buf, size_t n)
{
	size_t o = 0;

	for (; s && *s && o + 1 < n; s++)
		buf[o++] = (*s >= 0x20 && *s < 0x7f) ? (char)*s : '?';
	if (n)
		buf[o] = '\0';
}

static void
attr(xmlNode *node, const char *name, char *buf, size_t n)
{
	xmlChar *v = xmlGetProp(node, (const xmlChar *)name);

	buf[0] = '\0';
	if (v)
		printable(v, buf, n);
	xmlFree(v);
}

static int
attr_int(xmlNode *node, const char *name, int absent)
{
	char buf[32], *end;
	long v;

	attr(node, name, buf, sizeof(buf));
	if (buf[0] == '\0')
		return absent;
	v = strtol(buf, &end, 10);
	if (*end || v < -1000 || v > 1000)
		return absent;
	return (int)v;
}

int
mpxml_reg_reply(const char *xml, size_t len, struct ccm_reg_reply *out,
    char *why, size_t whylen)
{
	xmlDoc *doc;
	xmlNode *root;
	char name[64];

	memset(out, 0, sizeof(*out));
	out->status = -1;
	out->approval = -2;
	if (len > 4 * 1024 * 1024 || (doc = xmlReadMemory(xml, (int)len,
	    "reply.xml", "UTF-8", XML_OPTS)) == NULL) {
		snprintf(why, whylen, "the payload is not well-formed XML");
		return ERR_MALFORMED;
	}
	root = xmlDocGetRootElement(doc);
	printable(root ? root->name : NULL, name, sizeof(name));
	if (strcmp(name, "ClientRegistrationResponse") != 0) {
		snprintf(why, whylen, "the payload is <%s>, not a "
		    "ClientRegistrationResponse", name);
		xmlFreeDoc(doc);
		return ERR_MALFORMED;
	}
	attr(root, "ResponseType", out->response_type,
	    sizeof(out->response_type));
	attr(root, "SMSID", out->smsid, sizeof(out->smsid));
	out->status = attr_int(root, "Status", -1);
	out->approval = attr_int(root, "ApprovalStatus", -2);
	xmlFreeDoc(doc);
	return 0;
}

static xmlNode *
child(xmlNode *node, const char *name)
{
	for (node = node ? node->children : NULL; node; node = node->next)
		if (node->type == XML_ELEMENT_NODE &&
		    xmlStrcmp(node->name, (const xmlChar *)name) == 0)
			return node;
	return NULL;
}

int
mpxml_reply_sig(const char *xml, size_t len, char *sighex,
    size_t sighexlen, char *hashalg, size_t hashlen)
{
	xmlNode *hooks, *h, *p;
	xmlDoc *doc;
	char name[32];
	int r = ERR_NOT_FOUND;

	sighex[0] = '\0';
	hashalg[0] = '\0';
	if (len > 1024 * 1024 || (doc = xmlReadMemory(xml, (int)len,
	    "msg.xml", "UTF-8", XML_OPTS)) == NULL)
		return ERR_MALFORMED;
	hooks = child(xmlDocGetRootElement(doc), "Hooks");
	for (h = hooks ? hooks->children : NULL; h; h = h->next) {
		if (h->type != XML_ELEMENT_NODE)
			continue;
		attr(h, "Name", name, sizeof(name));
		if (strcmp(name, "authenticate") == 0)
			break;
	}
	for (p = h ? h->children : NULL; p; p = p->next) {
		xmlChar *v;

		if (p->type != XML_ELEMENT_NODE ||
		    xmlStrcmp(p->name, (const xmlChar *)"Property") != 0)
			continue;
		attr(p, "Name", name, sizeof(name));
		v = xmlNodeGetContent(p);
		if (strcmp(name, "Signature") == 0 && v && *v) {
			r = (size_t)xmlStrlen(v) < sighexlen ? 0 : ERR_TOO_LARGE;
			printable(v, sighex, sighexlen);
		} else if (strcmp(name, "HashAlgorithm") == 0) {
			printable(v, hashalg, hashlen);
		}
		xmlFree(v);
	}
	xmlFreeDoc(doc);
	return r;
}

static void
walk(xmlNode *node, const char *path, char *out, size_t outlen, int depth)
{
	char p[256], text[256], v[160];
	xmlAttr *a;

	for (; node; node = node->next) {
		xmlChar *content;

		if (node->type != XML_ELEMENT_NODE)
			continue;
		printable(node->name, v, sizeof(v));
		snprintf(p, sizeof(p), "%s%s%s", path, path[0] ? "/" : "", v);
		text[0] = '\0';
		if (node->children && node->children->type == XML_TEXT_NODE &&
		    node->children->next == NULL) {
			content = xmlNodeGetContent(node);
			printable(content, text, 96);
			if (content && xmlStrlen(content) > 95)
				strappendf(text, sizeof(text), "... (%d chars)",
				    xmlStrlen(content));
			xmlFree(content);
		}
		if (text[0] || node->properties) {
			strappendf(out, outlen, "%s%s%s%s", out[0] ? "\n" : "",
			    p, text[0] ? ": " : "", text);
			for (a = node->properties; a; a = a->next) {
				xmlChar *val = xmlNodeGetContent((xmlNode *)a);
				char an[64];

				printable(a->name, an, sizeof(an));
				printable(val, v, sizeof(v));
				strappendf(out, outlen, " %s=\"%s\"", an, v);
				xmlFree(val);
			}
		}
		if (depth < 8)
			walk(node->children, p, out, outlen, depth + 1);
	}
}

int
mpxml_summary(const char *xml, size_t len, char *out, size_t outlen)
{
	xmlDoc *doc;

	if (outlen)
		out[0] = '\0';
	if (len > 4 * 1024 * 1024 || (doc = xmlReadMemory(xml, (int)len,
	    "mp.xml", NULL, XML_OPTS)) == NULL)
		return ERR_MALFORMED;
	walk(xmlDocGetRootElement(doc), "", out, outlen, 0);
	xmlFreeDoc(doc);
	return 0;
}

static int
all_hex(const xmlChar *s)
{
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f') ||
		    (*s >= 'A' && *s <= 'F')))
			return 0;
	return 1;
}

static int
hex_walk(xmlNode *node, size_t min_hex, int depth,
    void (*cb)(void *, const char *, const char *), void *arg)
{
	int n = 0;

	for (; node && depth < 16; node = node->next) {
		if (node->type == XML_ELEMENT_NODE && node->children &&
		    node->children->type == XML_TEXT_NODE &&
		    node->children->next == NULL) {
			xmlChar *t = xmlNodeGetContent(node);
			char name[64];

			if (t && (size_t)xmlStrlen(t) >= min_hex && all_hex(t)) {
				printable(node->name, name, sizeof(name));
				cb(arg, name, (const char *)t);
				n++;
			}
			xmlFree(t);
		}
		if (node->type == XML_ELEMENT_NODE)
			n += hex_walk(node->children, min_hex, depth + 1, cb, arg);
	}
	return n;
}

int
mpxml_hex_values(const char *xml, size_t len, size_t min_hex,
    void (*cb)(void *arg, const char *elem, const char *hex), void *arg)
{
	xmlDoc *doc;
	int n;

	if (len > 4 * 1024 * 1024 || (doc = xmlReadMemory(xml, (int)len,
	    "mp.xml", NULL, XML_OPTS)) == NULL)
		return ERR_MALFORMED;
	n = hex_walk(xmlDocGetRootElement(doc), min_hex, 0, cb, arg);
	xmlFreeDoc(doc);
	return n;
}
