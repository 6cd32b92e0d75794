#!/usr/bin/env python3
"""Summarizes PIT's mutations.xml (pitest-maven, outputFormats XML).

    tools/mutation/summary.py runtime/target/pit-reports/mutations.xml [--survivors] [--class NAME]

Prints mutants and killed % per package and per class (killed = KILLED, TIMED_OUT or
MEMORY_ERROR, as PIT counts them), weakest classes first; --survivors lists every mutant that
was not killed (SURVIVED, NO_COVERAGE, ...) with its line and PIT's description.
"""
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict

DETECTED = {"KILLED", "TIMED_OUT", "MEMORY_ERROR"}


def main(args):
    files = [a for a in args if not a.startswith("--")]
    only = None
    if "--class" in args:
        only = args[args.index("--class") + 1]
        files.remove(only)
    per_class = defaultdict(lambda: [0, 0])
    survivors = []
    for f in files:
        for m in ET.parse(f).getroot():
            cls = m.findtext("mutatedClass").split("$")[0]
            if only and not cls.endswith("." + only):
                continue
            killed = m.get("status") in DETECTED
            per_class[cls][0] += 1
            per_class[cls][1] += killed
            if not killed:
                survivors.append((cls, int(m.findtext("lineNumber")), m.get("status"),
                                  m.findtext("mutatedMethod"), m.findtext("description")))
    per_package = defaultdict(lambda: [0, 0])
    for cls, (n, k) in per_class.items():
        pkg = cls.rsplit(".", 1)[0]
        per_package[pkg][0] += n
        per_package[pkg][1] += k
    print("| package | mutants | killed | killed % |")
    print("| --- | --- | --- | --- |")
    for pkg, (n, k) in sorted(per_package.items()):
        print(f"| `{pkg}` | {n} | {k} | {100 * k / n:.0f}% |")
    print()
    print("| class | mutants | killed % |")
    print("| --- | --- | --- |")
    for cls, (n, k) in sorted(per_class.items(), key=lambda e: (e[1][1] / e[1][0], e[0])):
        print(f"| `{cls.rsplit('.', 1)[1]}` | {n} | {100 * k / n:.0f}% |")
    if "--survivors" in args:
        print()
        for cls, line, status, method, desc in sorted(survivors):
            print(f"{status:12} {cls.rsplit('.', 1)[1]}:{line} {method}: {desc}")


if __name__ == "__main__":
    main(sys.argv[1:])
