/* fleet_targets.c - the targets file of ccmdiag fleet: "MP [PRINCIPAL
 * [KEYTAB]]" a line (fleet.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cursor.h"
#include "error.h"
#include "fleet.h"
#include "mpname.h"
#include "util.h"

#define MAX_WORDS 3

static int
is_space(uint8_t b)
{
	return b == ' ' || b == '\t' || b == '\v' || b == '\f';
}

/*
 * The words of one line up to a '#', at most MAX_WORDS (*n, or MAX_WORDS
 * + 1 when there are more), each cut to its buffer's size (*long_word set
 * when one did not fit); NUL bytes and other control characters make the
 * line bad (*ctl).
 */
static void
words(struct cursor *line, char w[][1024], int *n, int *long_word, int *ctl)
{
	uint8_t b;
	size_t len;

	*n = *long_word = *ctl = 0;
	while (cur_peek_u8(line, &b) && b != '#') {
		if (is_space(b)) {
			cur_skip(line, 1);
			continue;
		}
		if (*n > MAX_WORDS - 1) {
			*n = MAX_WORDS + 1;
			return;
		}
		len = 0;
		while (cur_peek_u8(line, &b) && !is_space(b) && b != '#') {
			cur_skip(line, 1);
			if (b < 0x20 || b == 0x7f)
				*ctl = 1;
			if (len + 1 < sizeof(w[0]))
				w[*n][len++] = (char)b;
			else
				*long_word = 1;
		}
		w[(*n)++][len] = '\0';
	}
}

static int
grow(struct fleet_target **t, size_t *cap, size_t n)
{
	struct fleet_target *p;
	size_t ncap;

	if (n < *cap)
		return 0;
	if (n >= FLEET_MAX_TARGETS)
		return ERR_TOO_LARGE;
	ncap = *cap ? *cap * 2 : 64;
	if (ncap > FLEET_MAX_TARGETS)
		ncap = FLEET_MAX_TARGETS;
	if ((p = realloc(*t, ncap * sizeof(*p))) == NULL)
		return ERR_NOMEM;
	*t = p;
	*cap = ncap;
	return 0;
}

/* One line's target into t; 0, or 1 with why. */
static int
line_target(char w[][1024], int n, const struct fleet_defaults *def,
    struct fleet_target *t, char *why, size_t wn)
{
	const char *principal = n > 1 ? w[1] : def->principal;
	const char *keytab = n > 2 ? w[2] : def->keytab;
	int port, https;

	memset(t, 0, sizeof(*t));
	if (mp_name_parse(w[0], 1, t->mp, sizeof(t->mp), &port, &https, why,
	    wn) != 0)
		return 1;
	t->port = port ? port : def->port;
	t->https = https >= 0 ? https : def->https;
	if (principal && keytab == NULL) {
		snprintf(why, wn, "the principal %s names a key in a keytab: "
		    "give KEYTAB after it, or --keytab FILE", principal);
		return 1;
	}
	if (principal && (strlen(principal) >= sizeof(t->principal) ||
	    strchr(principal, '@') == principal)) {
		snprintf(why, wn, "'%.80s' is not a principal name", principal);
		return 1;
	}
	if (keytab && strlen(keytab) >= sizeof(t->keytab)) {
		snprintf(why, wn, "the keytab's name is too long");
		return 1;
	}
	if (keytab && access(keytab, R_OK) != 0) {
		snprintf(why, wn, "cannot read the keytab %s", keytab);
		return 1;
	}
	strlcpy0(t->principal, principal ? principal : "",
	    sizeof(t->principal));
	strlcpy0(t->keytab, keytab ? keytab : "", sizeof(t->keytab));
	return 0;
}

int
fleet_parse(const uint8_t *buf, size_t len, const struct fleet_defaults *def,
    fleet_bad_fn bad, void *arg, struct fleet_target **out, size_t *n_out)
{
	struct fleet_target *t = NULL;
	struct cursor c, line;
	char w[MAX_WORDS][1024], why[1200];
	unsigned long lineno = 0;
	size_t n = 0, cap = 0;
	int nw, long_word, ctl, found, r;

	*out = NULL;
	*n_out = 0;
	cur_init(&c, buf, len);
	while (!cur_empty(&c)) {
		line = cur_line(&c, &found);
		lineno++;
		words(&line, w, &nw, &long_word, &ctl);
		if (nw == 0)
			continue;
		if (ctl) {
			bad(arg, lineno, "a control character (not text)");
			continue;
		}
		if (long_word) {
			bad(arg, lineno, "a word longer than 1023 bytes");
			continue;
		}
		if (nw > MAX_WORDS) {
			bad(arg, lineno, "more words than MP_FQDN [PRINCIPAL "
			    "[KEYTAB]]");
			continue;
		}
		if ((r = grow(&t, &cap, n)) != 0) {
			free(t);
			return r;
		}
		if (line_target(w, nw, def, &t[n], why, sizeof(why)) != 0) {
			bad(arg, lineno, why);
			continue;
		}
		t[n++].line = lineno;
	}
	*out = t;
	*n_out = n;
	return 0;
}
