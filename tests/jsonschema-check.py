#!/usr/bin/python3
"""jsonschema-check.py - validate ccmdiag output against docs/ccmdiag-1.schema.json
with python3-jsonschema (Debian's).

    jsonschema-check.py SCHEMA document FILE   one JSON document
    jsonschema-check.py SCHEMA lines FILE      JSON Lines: each line a document
                                               of $defs/line

Prints one line per invalid document (FILE:LINE: where: why) and exits 1 if any,
0 when every document is valid, 2 on a usage error or unreadable file.
"""
import json
import sys

import jsonschema


def main():
    if len(sys.argv) != 4 or sys.argv[2] not in ("document", "lines"):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    path, mode, target = sys.argv[1:]
    try:
        with open(path, encoding="utf-8") as f:
            schema = json.load(f)
        with open(target, encoding="utf-8") as f:
            text = f.read()
    except (OSError, ValueError) as e:
        print("jsonschema-check: %s" % e, file=sys.stderr)
        return 2
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    if mode == "lines":
        # each line against $defs/line, within the same document
        line_schema = dict(schema)
        line_schema["$ref"] = "#/$defs/line"
        validator = cls(line_schema, format_checker=cls.FORMAT_CHECKER)
        docs = []
        for n, line in enumerate(text.split("\n"), 1):
            if line == "" and n == len(text.split("\n")):
                continue
            docs.append((n, line))
    else:
        validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
        docs = [(1, text)]
    bad = 0
    for n, raw in docs:
        try:
            doc = json.loads(raw)
        except ValueError as e:
            print("%s:%d: not JSON: %s" % (target, n, e))
            bad += 1
            continue
        said = set()
        for err in validator.iter_errors(doc):
            where = "/".join(str(p) for p in err.absolute_path) or "(root)"
            line = "%s:%d: %s: %s" % (target, n, where, err.message[:200])
            if line not in said and len(said) < 3:
                said.add(line)
                print(line)
            bad += 1
    if mode == "lines" and not docs:
        print("%s: no line" % target)
        bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
