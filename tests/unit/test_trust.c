/* test_trust.c - trustedDomain classification, and the engine rules that
 * let the directory settle what the wire cannot. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "engine.h"
#include "report.h"
#include "trust.h"
#include "util.h"

static enum trust_kind
kind(int type, unsigned attrs, const char *holder, const char *partner)
{
	struct trust_info ti;

	trust_classify(type, attrs, TRUST_DIR_BOTH, holder, partner, &ti);
	return ti.kind;
}

static void
test_classify(void **state)
{
	struct trust_info ti;

	/* what samba-tool domain trust create writes */
	assert_int_equal(kind(2, 0x4, "ad.lab", "other.lab"),
	    TRUST_KIND_EXTERNAL);
	assert_int_equal(kind(2, 0x8, "ad.lab", "other.lab"),
	    TRUST_KIND_FOREST);
	/* within a forest: below or above is parent-child, else tree-root */
	assert_int_equal(kind(2, 0x20, "child.ad.lab", "ad.lab"),
	    TRUST_KIND_PARENT_CHILD);
	assert_int_equal(kind(2, 0x20, "ad.lab", "child.ad.lab"),
	    TRUST_KIND_PARENT_CHILD);
	assert_int_equal(kind(2, 0x20, "ad.lab", "tree.lab"),
	    TRUST_KIND_TREE_ROOT);
	assert_int_equal(kind(2, 0x20, "xad.lab", "ad.lab"),
	    TRUST_KIND_TREE_ROOT);
	/* TREAT_AS_EXTERNAL changes SID filtering, not routing */
	assert_int_equal(kind(2, 0x8 | 0x40, "a.lab", "b.lab"),
	    TRUST_KIND_FOREST);
	assert_int_equal(kind(2, 0, "a.lab", "b.lab"), TRUST_KIND_EXTERNAL);
	assert_int_equal(kind(1, 0, "a.lab", "B"), TRUST_KIND_DOWNLEVEL);
	assert_int_equal(kind(3, 0, "a.lab", "MIT.LAB"), TRUST_KIND_REALM);
	assert_int_equal(kind(4, 0, "a.lab", "b"), TRUST_KIND_UNKNOWN);
	assert_int_equal(kind(2, 0x20, NULL, NULL), TRUST_KIND_TREE_ROOT);

	trust_classify(2, 0x8 | 0x10, TRUST_DIR_INBOUND, "a.lab", "b.lab",
	    &ti);
	assert_int_equal(ti.kind, TRUST_KIND_FOREST);
	assert_true(ti.selective);
	assert_true(ti.transitive);
	assert_false(ti.disabled);
	trust_classify(2, 0x4, TRUST_DIR_DISABLED, "a.lab", "b.lab", &ti);
	assert_true(ti.disabled);
	assert_false(ti.transitive);
	assert_false(ti.selective);
}

static void
test_names(void **state)
{
	assert_string_equal(trust_kind_name(TRUST_KIND_EXTERNAL), "external");
	assert_string_equal(trust_kind_name(TRUST_KIND_FOREST), "forest");
	assert_string_equal(trust_kind_name(TRUST_KIND_PARENT_CHILD),
	    "parent-child");
	assert_string_equal(trust_kind_name(TRUST_KIND_TREE_ROOT),
	    "tree-root");
	assert_string_equal(trust_direction_name(3), "both");
	assert_string_equal(trust_direction_name(1), "inbound");
	assert_string_equal(trust_direction_name(7), "unknown");
	assert_true(trust_direction_lets_in(TRUST_DIR_OUTBOUND));
	assert_true(trust_direction_lets_in(TRUST_DIR_BOTH));
	assert_false(trust_direction_lets_in(TRUST_DIR_INBOUND));
	assert_false(trust_direction_lets_in(TRUST_DIR_DISABLED));
}

/* --- engine: the directory's word on top of the wire's ------------------- */

static struct report r;

static int
setup(void **state)
{
	report_init(&r, "probe", "mp.ad.lab");
	strlcpy0(r.client_realm, "AD.LAB", sizeof(r.client_realm));
	strlcpy0(r.mp_realm, "AD.LAB", sizeof(r.mp_realm));
	strlcpy0(r.mp_name, "mp.ad.lab", sizeof(r.mp_name));
	return 0;
}

static int
teardown(void **state)
{
	report_release(&r);
	return 0;
}

static void
owner(const char *spn, const char *acct, const char *kindname, int type,
    int kvno)
{
	struct event ev;

	event_init(&ev, EV_SPN_OWNER);
	strlcpy0(ev.name, spn, sizeof(ev.name));
	strlcpy0(ev.value, acct, sizeof(ev.value));
	strlcpy0(ev.text, kindname, sizeof(ev.text));
	strlcpy0(ev.realm, "ad.lab", sizeof(ev.realm));
	ev.spn.sam_type = type;
	ev.spn.kvno = kvno;
	report_add_event(&r, &ev);
}

static void
kdc_error(int code, const char *sname, const char *realm)
{
	struct event ev;

	event_init(&ev, EV_KRB_ERROR);
	ev.from = ROLE_KDC;
	ev.code = code;
	strlcpy0(ev.name, sname, sizeof(ev.name));
	strlcpy0(ev.realm, realm, sizeof(ev.realm));
	report_add_event(&r, &ev);
}

static void
trust(const char *holder, const char *partner, int attrs)
{
	struct event ev;

	event_init(&ev, EV_TRUST);
	strlcpy0(ev.realm, holder, sizeof(ev.realm));
	strlcpy0(ev.name, partner, sizeof(ev.name));
	ev.trust.type = 2;
	ev.trust.direction = 3;
	ev.trust.attributes = (unsigned)attrs;
	report_add_event(&r, &ev);
}

static const char *
root(void)
{
	return r.n_findings ? finding_key(r.findings[0].id) : "-";
}

static int
has_finding(const char *key)
{
	size_t i;

	for (i = 0; i < r.n_findings; i++)
		if (strcmp(finding_key(r.findings[i].id), key) == 0)
			return 1;
	return 0;
}

static void
test_duplicate_beats_missing(void **state)
{
	kdc_error(7, "HTTP/mp.ad.lab", "AD.LAB");
	owner("HOST/mp.ad.lab", "MP$", "computer", 805306369, 1);
	owner("HOST/mp.ad.lab", "OTHER$", "computer", 805306369, 1);
	owner("HTTP/mp.ad.lab", "", "", -1, -1);
	engine_run(&r);
	assert_string_equal(root(), "spn-duplicate");
	assert_false(has_finding("spn-missing"));
	assert_int_equal(r.findings[0].n_evidence >= 3, 1);
}

static void
test_missing_confirmed(void **state)
{
	kdc_error(7, "HTTP/mp.ad.lab", "AD.LAB");
	owner("HTTP/mp.ad.lab", "", "", -1, -1);
	owner("HOST/mp.ad.lab", "", "", -1, -1);
	engine_run(&r);
	assert_string_equal(root(), "spn-missing");
	assert_int_equal(r.findings[0].n_evidence, 3);
}

static void
test_external_trust(void **state)
{
	struct event ev;

	strlcpy0(r.client_realm, "OTHER.LAB", sizeof(r.client_realm));
	event_init(&ev, EV_KRB_FALLBACK);
	strlcpy0(ev.realm, "OTHER.LAB", sizeof(ev.realm));
	strlcpy0(ev.value, "AD.LAB", sizeof(ev.value));
	report_add_event(&r, &ev);
	trust("other.lab", "ad.lab", 0x4);
	trust("ad.lab", "other.lab", 0x4);
	trust("ad.lab", "unrelated.lab", 0x8);
	engine_run(&r);
	assert_string_equal(root(), "trust-external");
	assert_false(has_finding("no-trust-path"));
	assert_true(has_finding("trust-classified"));
}

static void
test_forest_level(void **state)
{
	struct event ev;

	strlcpy0(r.client_realm, "OTHER.LAB", sizeof(r.client_realm));
	trust("other.lab", "ad.lab", 0x8);
	event_init(&ev, EV_DIRECTORY);
	strlcpy0(ev.realm, "other.lab", sizeof(ev.realm));
	ev.dir.forest_level = 0;
	report_add_event(&r, &ev);
	engine_run(&r);
	assert_string_equal(root(), "trust-forest-level");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_names),
		cmocka_unit_test_setup_teardown(test_duplicate_beats_missing,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_confirmed,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_external_trust, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_forest_level, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
