#!/usr/bin/python3
"""template-check.py - whether docs/opensearch-ccmdiag-template.json fits
ccmdiag's JSON Lines: every field it types holds values of that type in the
lines, and the fields a search needs are in them.

    template-check.py TEMPLATE LINES

Prints one line per misfit and exits 1 if any, else 0.
"""
import json
import re
import sys

RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
FITS = {
    "keyword": lambda v: isinstance(v, str),
    "text": lambda v: isinstance(v, str),
    "date": lambda v: isinstance(v, str) and RFC3339.match(v) is not None,
    "boolean": lambda v: isinstance(v, bool),
    "long": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "float": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
}
NEEDED = ("@timestamp", "time", "target", "principal", "state",
          "verdict.approved", "verdict.root_cause", "findings.id",
          "run.host", "run.id", "timeline.time", "steps.elapsed_ms")


def leaves(props, prefix=""):
    for k, v in props.items():
        if "properties" in v:
            yield from leaves(v["properties"], prefix + k + ".")
        else:
            yield prefix + k, v["type"]


def values(doc, path):
    cur = [doc]
    for part in path.split("."):
        nxt = []
        for c in cur:
            if isinstance(c, dict) and part in c:
                v = c[part]
                nxt.extend(v if isinstance(v, list) else [v])
        cur = nxt
    return cur


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[4].strip(), file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as f:
        tpl = json.load(f)
    with open(sys.argv[2], encoding="utf-8") as f:
        docs = [json.loads(line) for line in f if line.strip()]
    bad, seen = 0, set()
    for path, typ in leaves(tpl["template"]["mappings"]["properties"]):
        for doc in docs:
            for v in values(doc, path):
                seen.add(path)
                if not FITS[typ](v):
                    print("%s: %r is no %s" % (path, v, typ))
                    bad += 1
    for path in NEEDED:
        if path not in seen:
            print("%s: in no line" % path)
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
