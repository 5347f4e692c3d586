/*
 * json.h - the ccmdiag/1 document (docs/json.md) as a json-c tree, for the
 * writers that add to it (jsonl.c); --format json writes the same members
 * in the same order (report_json).
 */
#ifndef CCMDIAG_JSON_H
#define CCMDIAG_JSON_H

#include "report.h"

struct json_object;

/* r's whole document; the caller releases it with json_object_put. */
struct json_object *json_report_tree(const struct report *r);

#endif
