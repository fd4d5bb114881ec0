"""Every rule is documented in fixed sections, and its documented examples
run: the *Example* fires the rule, *Use instead* does not."""

from __future__ import annotations

import pytest

from sanlint.api import check
from sanlint.examples import materialize
from sanlint.rule import DOC_SECTIONS, doc_sections
from sanlint.runner import load_rules

RULES = load_rules()


def test_codes_follow_the_catalog_shape():
    import re

    for code, rule in RULES.items():
        assert re.fullmatch(r"(SAN0|DRBD1|LVM1|ISCSI1|PCMK1|CORO1|NET1|SBD1)\d\d", code), code
        assert rule.severity in ("error", "warning", "info")
        assert rule.fix in ("no", "safe", "unsafe", "choice")
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name), rule.name


@pytest.mark.parametrize("code", list(RULES))
def test_docstring_has_every_section(code):
    sections = doc_sections(RULES[code].doc())
    assert sections["_title"].strip(), f"{code}: first line must be a title"
    for name in DOC_SECTIONS:
        assert sections.get(name, "").strip(), f"{code}: missing section '## {name}'"
    examples = RULES[code].examples()
    assert examples["bad"], f"{code}: the Example section needs a fenced block with path="


@pytest.mark.parametrize("code", list(RULES))
def test_documented_examples_run(code, tmp_path):
    rule = RULES[code]
    ex = rule.examples()
    bad_site = materialize(ex["bad"], tmp_path / "bad")
    bad = check([str(bad_site)])
    assert any(f.code == code for f in bad.findings), \
        f"{code}: its Example does not fire it; got {[(f.code, f.message) for f in bad.findings]}"
    if ex["good"]:
        good_site = materialize(ex["good"], tmp_path / "good")
        good = check([str(good_site)])
        assert not [f for f in good.findings if f.code == code], \
            f"{code}: its 'Use instead' example still fires it: {[f.message for f in good.findings if f.code == code]}"
