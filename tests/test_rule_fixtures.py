"""Per-rule fixtures: `fixtures/rules/CODE/bad/` is a site whose
`expect.json` lists exactly the findings of CODE it must produce (path
relative to the site, line); `fixtures/rules/CODE/good/` must not produce
CODE at all.  More cases of one rule (the shapes public configurations
take) sit beside them as `bad-NAME/` (with its `expect.json`) and
`good-NAME/`; the invariance property covers them too."""

from __future__ import annotations

import json
import os

import pytest

from conftest import FIXTURES
from sanlint.api import check

RULE_DIR = FIXTURES / "rules"
CASES = sorted(p.name for p in RULE_DIR.iterdir() if p.is_dir()) if RULE_DIR.is_dir() else []
VARIANTS = sorted(f"{p.parent.name}/{p.name}" for p in RULE_DIR.glob("*/*")
                  if p.is_dir() and p.name not in ("bad", "good"))


@pytest.mark.parametrize("code", CASES)
def test_bad_fixture_reports_exactly_the_expected_findings(code):
    site = RULE_DIR / code / "bad"
    expected = json.loads((site / "expect.json").read_text())
    result = check([str(site)])
    got = sorted((os.path.relpath(f.path, site), f.line) for f in result.findings if f.code == code)
    want = sorted((e["path"], e["line"]) for e in expected)
    assert got == want, [f"{f.path}:{f.line} {f.message}" for f in result.findings if f.code == code]


@pytest.mark.parametrize("code", CASES)
def test_good_fixture_is_clean_of_the_rule(code):
    site = RULE_DIR / code / "good"
    assert site.is_dir(), f"fixtures/rules/{code} needs a good/ site"
    result = check([str(site)])
    assert not [f for f in result.findings if f.code == code], [f.message for f in result.findings if f.code == code]


@pytest.mark.parametrize("case", VARIANTS)
def test_more_cases_of_a_rule(case):
    code, variant = case.split("/")
    assert variant.startswith(("bad-", "good-")), f"fixtures/rules/{case}: name it bad-NAME or good-NAME"
    site = RULE_DIR / case
    result = check([str(site)])
    got = sorted((os.path.relpath(f.path, site), f.line) for f in result.findings if f.code == code)
    want = sorted((e["path"], e["line"]) for e in json.loads((site / "expect.json").read_text())) \
        if variant.startswith("bad-") else []
    assert got == want, [f"{f.path}:{f.line} {f.message}" for f in result.findings if f.code == code]
