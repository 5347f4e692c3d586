/* trust.h - what an AD trustedDomain object says about Kerberos routing. */
#ifndef CCMDIAG_TRUST_H
#define CCMDIAG_TRUST_H

/* trustAttributes bits (MS-ADTS 6.1.6.7.9) */
enum trust_attr_flags {
	TRUST_ATTR_NON_TRANSITIVE = 1 << 0,
	TRUST_ATTR_UPLEVEL_ONLY = 1 << 1,
	TRUST_ATTR_QUARANTINED = 1 << 2,
	TRUST_ATTR_FOREST_TRANSITIVE = 1 << 3,
	TRUST_ATTR_CROSS_ORGANIZATION = 1 << 4,	/* selective authentication */
	TRUST_ATTR_WITHIN_FOREST = 1 << 5,
	TRUST_ATTR_TREAT_AS_EXTERNAL = 1 << 6,
};

/* trustDirection, as seen from the domain that holds the object */
enum trust_direction {
	TRUST_DIR_DISABLED = 0, TRUST_DIR_INBOUND = 1, TRUST_DIR_OUTBOUND = 2,
	TRUST_DIR_BOTH = 3,
};

enum trust_kind {
	TRUST_KIND_UNKNOWN,
	TRUST_KIND_PARENT_CHILD,	/* within the forest, partner is a
					 * parent or child of the holder */
	TRUST_KIND_TREE_ROOT,		/* within the forest, another tree */
	TRUST_KIND_FOREST,		/* forest trust: referrals by suffix */
	TRUST_KIND_EXTERNAL,		/* uplevel, neither: no referral */
	TRUST_KIND_DOWNLEVEL,		/* NT4 / NetBIOS: NTLM only */
	TRUST_KIND_REALM,		/* Kerberos realm (MIT) */
};

struct trust_info {
	enum trust_kind kind;
	int selective;		/* selective authentication */
	int transitive;		/* Kerberos can route beyond the partner */
	int disabled;		/* trustDirection 0 */
};

/*
 * Classify one trustedDomain object: trustType (1 downlevel, 2 uplevel,
 * 3 MIT, 4 DCE), trustAttributes, trustDirection, and the DNS names of the
 * holding domain and of the partner (to tell parent-child from tree-root;
 * either may be NULL).
 */
void trust_classify(int type, unsigned attributes, int direction,
    const char *holder, const char *partner, struct trust_info *out);
const char *trust_kind_name(enum trust_kind kind);	/* "forest" */
const char *trust_direction_name(int direction);	/* "both" */
/* Whether a trust held by the MP's domain lets the partner's clients in:
 * the MP's domain must trust them (outbound or both, as it sees it). */
int trust_direction_lets_in(int direction_seen_by_mp_domain);

#endif
