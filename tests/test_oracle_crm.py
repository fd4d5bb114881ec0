"""crmsh is the oracle for the crm front end: every crm fixture is converted
to CIB XML by the real crmsh offline (research/pacemaker.md §4 "Method B"),
and sanlint's model of the crm text must equal its model of crmsh's XML.

Normalisation covers only what crmsh itself rewrites on the way to XML:
`inf` -> `INFINITY`, order scores -> `kind` (parse.score_to_kind), a
missing op interval -> "0", role case and default set ids.  Agents are
not normalised: sanlint resolves a bare `IPaddr2` or `drbd` to the
provider crmsh picks (sanlint.model.agents), and crmsh.xml must agree.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from conftest import FIXTURES, need
from sanlint.model.cluster import (
    Bundle, Clone, ClusterConfig, Colocation, Group, Location, NvSet, Order, Primitive, Ticket, canonical_score,
)
from sanlint.model.base import is_secret
from sanlint.parsers import cib, crm
from sanlint.source import SourceFile

CRM_FIXTURES = sorted((FIXTURES / "crm").glob("*.crm"))
DEFAULT_SET_IDS = {"property": "cib-bootstrap-options", "rsc_defaults": "rsc-options", "op_defaults": "op-options"}


@pytest.fixture(scope="module")
def crmsh_xml(tmp_path_factory) -> dict[str, str]:
    """crmsh's XML for every fixture, one crm call per fixture."""
    crm_bin, cibadmin = need("crm"), need("cibadmin")
    work = tmp_path_factory.mktemp("crmsh")
    empty = subprocess.run([cibadmin, "--empty"], capture_output=True, text=True, check=True).stdout
    out: dict[str, str] = {}
    for fixture in CRM_FIXTURES:
        cib_file = work / f"{fixture.stem}.xml"
        cib_file.write_text(empty)
        script = work / f"{fixture.stem}.txt"
        script.write_text(f"configure\nload update {fixture}\nshow xml\n")
        env = dict(os.environ, CIB_file=str(cib_file))
        run = subprocess.run([crm_bin, "-f", str(script)], capture_output=True, text=True, env=env, timeout=60)
        start, end = run.stdout.find("<?xml"), run.stdout.find("</cib>")
        assert start >= 0 and end > start, f"crmsh printed no XML for {fixture.name}: {run.stderr[-2000:]}"
        out[fixture.name] = run.stdout[start:end + len("</cib>")]
    return out


@pytest.mark.parametrize("fixture", CRM_FIXTURES, ids=lambda p: p.name)
def test_crm_model_equals_crmsh_xml_model(fixture: Path, crmsh_xml: dict[str, str]) -> None:
    from_crm = crm.parse(SourceFile.from_text(str(fixture), fixture.read_text()))
    from_xml = cib.parse(SourceFile.from_text(fixture.name + ".xml", crmsh_xml[fixture.name]))
    assert differences(summary(from_crm, from_xml), summary(from_xml, from_xml)) == []


def differences(ours, theirs, path: str = "") -> list[str]:
    """Readable leaf differences: `path: sanlint-from-crm != sanlint-from-crmsh-xml`."""
    if isinstance(ours, dict) and isinstance(theirs, dict):
        out = []
        for key in list(ours) + [k for k in theirs if k not in ours]:
            out += differences(ours.get(key), theirs.get(key), f"{path}/{key}")
        return out
    return [] if ours == theirs else [f"{path}: {ours!r} != {theirs!r}"]


# ---- normalised views ------------------------------------------------------

def summary(config: ClusterConfig, reference: ClusterConfig) -> dict:
    return {
        "resources": {r.id: resource(r, reference) for r in config.resources.values()},
        "constraints": {c.id: constraint(c) for c in config.constraints},
        "options": options(config),
        "nodes": {n.uname: (n.type, {s.kind: pairs([s]) for s in n.attributes}) for n in config.nodes},
        "tags": {t.id: t.refs for t in config.tags},
        "fencing": sorted(str((f.target, f.target_pattern, f.target_attribute, f.target_value, f.index,
                               f.devices)) for f in config.fencing_levels),
        "alerts": {a.id: (a.agent_path, pairs(a.meta), pairs(a.params), a.select,
                          [(r.value, pairs(r.meta), pairs(r.params)) for r in a.recipients]) for a in config.alerts},
        "acls": sorted((a.id, a.element) for a in config.acls),
    }


def pairs(sets: list[NvSet]) -> dict:
    # crmsh `show` masks secret values ("******")
    return {p.name: "<secret>" if is_secret(p.name) else p.value for s in sets for p in s.pairs}


def resource(res, reference: ClusterConfig) -> dict:
    out = {"element": res.element, "parent": res.parent, "meta": pairs(res.meta), "params": pairs(res.params),
           "utilization": pairs(res.utilization), "description": res.description}
    if isinstance(res, Primitive):
        out.update(agent=(res.agent_class, res.provider, res.type, res.template), ops=[operation(o) for o in res.ops])
    elif isinstance(res, Group):
        out["children"] = res.children
    elif isinstance(res, Clone):
        out["child"] = res.child
    elif isinstance(res, Bundle):
        out.update(container=(res.container, res.container_attrs), network=res.network, child=res.child,
                   ports=res.port_mappings, storage=res.storage_mappings)
    return out


def operation(op) -> tuple:
    attrs = dict(op.attrs)
    attrs.setdefault("interval", "0")  # crmsh 4.4.1 match_op adds interval=0
    if "role" in attrs:
        attrs["role"] = attrs["role"].lower()
    return op.name, sorted(attrs.items()), pairs(op.params), pairs(op.meta)


def constraint(con) -> dict:
    out = {"kind": con.kind, "refs": [(r.id, (r.role or "").lower(), r.action, r.set_index) for r in con.resources],
           "sets": [{k: v.lower() if k == "role" else v for k, v in s.items()} for s in con.sets]}
    if isinstance(con, Order):
        kind = con.order_kind
        if kind is None and con.score is not None:  # crmsh parse.score_to_kind
            kind = "Optional" if canonical_score(con.score) in ("0", "+0", "-0") else "Mandatory"
        out.update(order_kind=kind.capitalize() if kind else None, symmetrical=con.symmetrical)
    else:
        out["score"] = canonical_score(con.score)
    if isinstance(con, Colocation):
        out["node_attribute"] = con.node_attribute
    if isinstance(con, Location):
        out.update(node=con.node, pattern=con.rsc_pattern, role=(con.role or "").lower(), rules=con.rules,
                   discovery=con.resource_discovery)
    if isinstance(con, Ticket):
        out.update(ticket=con.ticket, loss_policy=con.loss_policy)
    return out


def options(config: ClusterConfig) -> dict:
    out: dict = {}
    for kind, sets in (("property", config.properties), ("rsc_defaults", config.rsc_defaults),
                       ("op_defaults", config.op_defaults)):
        for s in sets:
            entry = out.setdefault((kind, s.id or DEFAULT_SET_IDS[kind]), {"pairs": {}, "rules": []})
            entry["pairs"].update({p.name: p.value for p in s.pairs})
            entry["rules"] += [r.text() for r in s.rules]
    return out
