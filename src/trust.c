/* trust.c - classify AD trustedDomain objects
 * (docs/kerberos-diagnostics.md §3.4). */
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "trust.h"

/* Whether a is b or a domain below b ("child.parent.lab" under "parent.lab"). */
static int
is_below(const char *a, const char *b)
{
	size_t la, lb;

	if (a == NULL || b == NULL)
		return 0;
	la = strlen(a);
	lb = strlen(b);
	if (la <= lb || lb == 0)
		return 0;
	return a[la - lb - 1] == '.' && strcasecmp(a + la - lb, b) == 0;
}

void
trust_classify(int type, unsigned attributes, int direction,
    const char *holder, const char *partner, struct trust_info *out)
{
	memset(out, 0, sizeof(*out));
	out->disabled = direction == TRUST_DIR_DISABLED;
	out->selective = (attributes & TRUST_ATTR_CROSS_ORGANIZATION) != 0;
	switch (type) {
	case 1:
		out->kind = TRUST_KIND_DOWNLEVEL;
		return;
	case 3:
		out->kind = TRUST_KIND_REALM;
		out->transitive = !(attributes & TRUST_ATTR_NON_TRANSITIVE);
		return;
	case 2:
		break;
	default:
		out->kind = TRUST_KIND_UNKNOWN;
		return;
	}
	if (attributes & TRUST_ATTR_WITHIN_FOREST) {
		out->kind = is_below(holder, partner) ||
		    is_below(partner, holder) ? TRUST_KIND_PARENT_CHILD :
		    TRUST_KIND_TREE_ROOT;
		out->transitive = 1;
	} else if (attributes & TRUST_ATTR_FOREST_TRANSITIVE) {
		/* TREAT_AS_EXTERNAL changes SID filtering, not routing */
		out->kind = TRUST_KIND_FOREST;
		out->transitive = 1;
	} else {
		out->kind = TRUST_KIND_EXTERNAL;
	}
}

const char *
trust_kind_name(enum trust_kind kind)
{
	switch (kind) {
	case TRUST_KIND_PARENT_CHILD:
		return "parent-child";
	case TRUST_KIND_TREE_ROOT:
		return "tree-root";
	case TRUST_KIND_FOREST:
		return "forest";
	case TRUST_KIND_EXTERNAL:
		return "external";
	case TRUST_KIND_DOWNLEVEL:
		return "downlevel";
	case TRUST_KIND_REALM:
		return "realm";
	default:
		return "unknown";
	}
}

const char *
trust_direction_name(int direction)
{
	switch (direction) {
	case TRUST_DIR_DISABLED:
		return "disabled";
	case TRUST_DIR_INBOUND:
		return "inbound";
	case TRUST_DIR_OUTBOUND:
		return "outbound";
	case TRUST_DIR_BOTH:
		return "both";
	default:
		return "unknown";
	}
}

int
trust_direction_lets_in(int direction)
{
	/* outbound: the holder trusts the partner's users */
	return direction == TRUST_DIR_OUTBOUND || direction == TRUST_DIR_BOTH;
}
