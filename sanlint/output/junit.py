"""`--format junit`: JUnit XML for CI test reports.

One `<testsuite>` per rule pack; in it one `<testcase>` per rule and file
the rule reported on (`name="CODE rule-name"`, `classname` the file, `file`
the path), holding one `<failure>` per finding; a rule that ran and found
nothing is one passing testcase.  Findings without a file (an unreadable
PATH) go under the classname `(site)`.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from sanlint.output import cluster_suffix, rule_codes
from sanlint.output.secrets import Scrubber

# characters XML 1.0 cannot carry at all
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
SITE = "(site)"


def _clean(text: str | None) -> str:
    return _INVALID_XML.sub("\ufffd", text or "")


def render(result, summary: dict, **options) -> str:
    from sanlint.runner import load_rules

    rules = load_rules()
    scrub = Scrubber.for_site(result.site)
    codes = rule_codes(result)
    # pack -> code -> path -> findings (ordered as the rules ran)
    by_code: dict[str, dict[str, list]] = {c: {} for c in codes}
    for f in result.findings:
        by_code[f.code].setdefault(f.path or SITE, []).append(f)
    packs: dict[str, list[str]] = {}
    for code in codes:
        rule = rules.get(code)
        packs.setdefault(rule.pack if rule and rule.pack else "other", []).append(code)

    root = ET.Element("testsuites", name="sanlint")
    total_tests = total_failures = 0
    for pack, pack_codes in packs.items():
        suite = ET.SubElement(root, "testsuite", name=f"sanlint.{pack}")
        tests = failures = 0
        for code in pack_codes:
            rule = rules.get(code)
            title = f"{code} {rule.name}" if rule and rule.name else code
            files = by_code[code]
            if not files:
                ET.SubElement(suite, "testcase", name=title, classname=f"sanlint.{pack}", time="0")
                tests += 1
                continue
            for path, found in sorted(files.items()):
                attrs = {"name": title, "classname": _clean(path), "time": "0"}
                if path != SITE:
                    attrs["file"] = _clean(path)
                case = ET.SubElement(suite, "testcase", **attrs)
                tests += 1
                failures += 1
                for f in found:
                    msg = _clean(scrub(f.message))
                    host = f" ({f.host})" if f.host else ""
                    fail = ET.SubElement(case, "failure", message=msg, type=f"{f.code} {f.severity}")
                    loc = f"{path}:{f.line}:{f.column}" if path != SITE else SITE
                    fail.text = _clean(f"{loc}: {f.code} [{f.severity}] {scrub(f.message)}{_clean(host)}"
                                       f"{cluster_suffix(f, result)}")
        suite.set("tests", str(tests))
        suite.set("failures", str(failures))
        suite.set("errors", "0")
        suite.set("skipped", "0")
        suite.set("time", "0")
        total_tests += tests
        total_failures += failures
    root.set("tests", str(total_tests))
    root.set("failures", str(total_failures))
    root.set("errors", "0")
    root.set("time", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
