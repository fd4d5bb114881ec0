"""Findings ranked for an auditor: by severity, then by risk.

Severity is the rule's (or the configured) level.  Risk is what happens if
the finding is left alone, in five classes from worst to mildest; a rule
names its class with a `risk` class attribute, otherwise the table below
gives the bundled rules' classes (a rule it does not know is classed by its
severity: error = outage, warning = resilience, info = hygiene).  Within one
class, a rule that fires on more hosts or objects ranks first (a systemic
problem before a local one), then the location in natural order.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sanlint.report.natsort import natural_key

SEVERITY_RANK = {"error": 3, "warning": 2, "info": 1}


@dataclass(frozen=True)
class RiskClass:
    name: str
    weight: int
    label: str  # what happens if nothing is done


RISKS = {r.name: r for r in (
    RiskClass("data", 5, "data corruption or split brain"),
    RiskClass("outage", 4, "the storage service fails to start or to fail over"),
    RiskClass("exposure", 3, "unauthenticated or open access to data or the cluster"),
    RiskClass("resilience", 2, "less redundancy, slower or fragile recovery"),
    RiskClass("hygiene", 1, "deprecated or misleading configuration"),
)}

_CLASSES = {
    "data": "DRBD110 DRBD111 DRBD112 DRBD115 DRBD116 DRBD117 DRBD124 ISCSI102 ISCSI106 LVM101 LVM102 LVM104 "
            "PCMK101 PCMK102 PCMK103 PCMK104 PCMK121 SBD102 SBD103 SBD105 SBD106",
    "outage": "CORO103 CORO104 CORO105 CORO106 SBD101 DRBD101 DRBD102 DRBD103 DRBD104 DRBD105 DRBD107 DRBD113 DRBD114 DRBD118 "
              "ISCSI101 ISCSI103 ISCSI107 ISCSI110 ISCSI111 ISCSI112 LVM105 LVM106 NET102 PCMK105 PCMK106 PCMK107 "
              "PCMK108 PCMK109 PCMK115 PCMK117 SAN001 SAN002",
    "exposure": "CORO101 CORO109 DRBD130 ISCSI104 ISCSI105",
    "resilience": "CORO102 CORO107 CORO108 SBD104 DRBD106 DRBD121 DRBD122 NET101 NET103 PCMK110 PCMK112 PCMK116 PCMK119 PCMK120",
    "hygiene": "DRBD120 DRBD123 DRBD140 ISCSI108 ISCSI113 LVM103 PCMK111 PCMK113 PCMK114 PCMK118 SAN003 SAN004 "
               "SAN005",
}
RULE_RISK = {code: cls for cls, codes in _CLASSES.items() for code in codes.split()}
_BY_SEVERITY = {"error": "outage", "warning": "resilience", "info": "hygiene"}


def risk_of(code: str, severity: str, rule=None) -> RiskClass:
    name = getattr(rule, "risk", None) or RULE_RISK.get(code) or _BY_SEVERITY.get(severity, "resilience")
    return RISKS.get(name, RISKS["resilience"])


def rank(rows: list) -> list:
    """`rows` (objects with code, severity, risk, host, path, line, column)
    in report order: severity, risk, how widespread the rule's finding is,
    then the location in natural order."""
    spread = Counter(r.code for r in rows)
    return sorted(rows, key=lambda r: (-SEVERITY_RANK.get(r.severity, 0), -r.risk.weight, -spread[r.code],
                                       r.code, natural_key(r.host or ""), natural_key(r.path or ""),
                                       r.line, r.column, r.message))


def top_risks(ranked: list, n: int = 5) -> list[list]:
    """The `n` worst rules that fired, each with its findings (ranked order)."""
    groups: dict[str, list] = {}
    for r in ranked:
        groups.setdefault(r.code, []).append(r)
    return list(groups.values())[:n]
