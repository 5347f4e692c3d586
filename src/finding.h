/* finding.h - the findings table (findings.def) and one finding's record. */
#ifndef CCMDIAG_FINDING_H
#define CCMDIAG_FINDING_H

enum severity { SEV_INFO, SEV_WARNING, SEV_ERROR };

enum finding_id {
#define F(name, id, sev, title, remedy) FID_##name,
#include "findings.def"
#undef F
	FID__COUNT
};

#define FINDING_MAX_EVIDENCE 12

struct finding {
	enum finding_id id;
	int evidence[FINDING_MAX_EVIDENCE];	/* indices into report events */
	int n_evidence;
};

const char *finding_key(enum finding_id id);	/* "clock-skew" */
const char *finding_title(enum finding_id id);
const char *finding_remedy(enum finding_id id);
enum severity finding_severity(enum finding_id id);
const char *severity_name(enum severity sev);
/* FID__COUNT when no such key. */
enum finding_id finding_lookup(const char *key);

#endif
