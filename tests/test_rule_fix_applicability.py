"""A rule's declared fix applicability (`Rule.fix`) is what its fixes are:
no fix may be less safe than declared, and the declared kind is reached on
the rule's fixtures or documented examples (`fix = "no"`: no fix at all)."""

from __future__ import annotations

import pytest

from conftest import FIXTURES
from sanlint.api import check
from sanlint.examples import materialize
from sanlint.runner import load_rules

RULES = load_rules()
LEVEL = {"no": -1, "safe": 0, "unsafe": 1, "choice": 2}
OF_FIX = {"safe": "safe", "unsafe": "unsafe", "display-only": "choice"}


def emitted(code: str, tmp_path) -> set[str]:
    sites = [str(FIXTURES / "rules" / code / "bad")] if (FIXTURES / "rules" / code / "bad").is_dir() else []
    sites.append(str(materialize(RULES[code].examples()["bad"], tmp_path / "example")))
    kinds = set()
    for site in sites:
        kinds |= {OF_FIX[f.fix.applicability] for f in check([site]).findings if f.code == code and f.fix}
    return kinds


@pytest.mark.parametrize("code", [c for c in RULES if not c.startswith("SAN")])
def test_declared_fix_applicability_matches_the_fixes(code, tmp_path):
    declared = RULES[code].fix
    kinds = emitted(code, tmp_path)
    assert all(LEVEL[k] <= LEVEL[declared] for k in kinds), f"{code} declares fix={declared!r} but emits {kinds}"
    assert max((LEVEL[k] for k in kinds), default=-1) == LEVEL[declared], \
        f"{code} declares fix={declared!r}; its fixtures and examples show only {sorted(kinds) or 'no fix'}"
