"""Configuration drift: a crm configuration file and a CIB of the same site disagree.

## What it checks

When a site holds both a crm configuration (the file kept in version
control) and a CIB (`cib.xml` from a node, or a `cibadmin -Q` dump), both
are compared object by object, the way crmsh would write the crm text into
the CIB: resources (kind, agent, parameters, meta attributes, operations,
members), constraints (kind, resources with roles and actions, score or
order kind) and cluster properties.  Status-like properties (`dc-version`,
`last-lrm-refresh`, `cluster-infrastructure`) and generated IDs are
ignored.  The finding names the first object that differs.

## Why it matters

The file in version control is what the admins review and what a rebuild
restores; the CIB is what the cluster runs.  When they drift, a reviewed
fix never reached the cluster, or an emergency change on the cluster
(`crm resource move`, a changed timeout) is lost at the next
`crm configure load replace`.

## Example

```crm path=@cluster.crm
primitive ip ocf:heartbeat:IPaddr2 params ip=10.0.0.10 op monitor interval=10s
```

```cib path=@cib.xml
<cib validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0">
  <configuration>
    <crm_config/>
    <nodes/>
    <resources>
      <primitive id="ip" class="ocf" provider="heartbeat" type="IPaddr2">
        <instance_attributes id="ip-instance_attributes">
          <nvpair id="ip-instance_attributes-ip" name="ip" value="10.0.0.11"/>
        </instance_attributes>
        <operations>
          <op id="ip-monitor-10s" name="monitor" interval="10s"/>
        </operations>
      </primitive>
    </resources>
    <constraints/>
  </configuration>
</cib>
```

## Use instead

```crm path=@cluster.crm
primitive ip ocf:heartbeat:IPaddr2 params ip=10.0.0.10 op monitor interval=10s
```

```cib path=@cib.xml
<cib validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0">
  <configuration>
    <crm_config/>
    <nodes/>
    <resources>
      <primitive id="ip" class="ocf" provider="heartbeat" type="IPaddr2">
        <instance_attributes id="ip-instance_attributes">
          <nvpair id="ip-instance_attributes-ip" name="ip" value="10.0.0.10"/>
        </instance_attributes>
        <operations>
          <op id="ip-monitor-10s" name="monitor" interval="10s"/>
        </operations>
      </primitive>
    </resources>
    <constraints/>
  </configuration>
</cib>
```

## Fix safety

No automatic fix: only the admin knows which side is right (push the file
with `crm configure load replace`, or save the CIB with `crm configure
show`).

## Source

crmsh `parse.py` / `cibconfig.py` (crm text to CIB: generated IDs,
`inf` → `INFINITY`, order scores → kinds); Pacemaker CIB schema.
"""

from __future__ import annotations

from typing import Any

from sanlint.model.cluster import Clone, Group, Location, Order, Primitive, canonical_score
from sanlint.rule import Rule
from sanlint_rules.pcmk._common import duration_ms, norm_role

IGNORED_PROPS = {"dc-version", "last-lrm-refresh", "cluster-infrastructure", "have-watchdog", "cluster-name"}


def _pairs(sets) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for s in sets:
        for p in s.pairs:
            out.setdefault(p.name, p.value)
    return out


def _resource(r) -> dict[str, Any]:
    d: dict[str, Any] = {"element": "clone" if r.element in ("clone", "master") else r.element,
                         "meta": _pairs(r.meta), "params": _pairs(r.params)}
    if r.element == "master" or isinstance(r, Clone) and r.promotable:
        d["promotable"] = True
        d["meta"].pop("promotable", None)
    for old, new in (("master-max", "promoted-max"), ("master-node-max", "promoted-node-max")):
        if old in d["meta"]:
            d["meta"][new] = d["meta"].pop(old)
    if isinstance(r, Primitive):
        d["agent"] = r.agent
        ops = []
        for o in r.ops:
            attrs = {k: v for k, v in o.attrs.items() if k not in ("id", "name", "interval", "timeout", "role")}
            ops.append((o.name, duration_ms(o.interval or "0"), duration_ms(o.timeout) if o.timeout else None,
                        norm_role(o.role), tuple(sorted(attrs.items()))))
        d["ops"] = sorted(ops, key=repr)
    if isinstance(r, Group):
        d["children"] = list(r.children)
    if isinstance(r, Clone):
        d["child"] = r.child
    return d


def _score(s: str | None) -> str | None:
    return canonical_score(s) if s is not None else None


def _constraint(con) -> dict[str, Any]:
    d: dict[str, Any] = {"kind": con.kind,
                         "resources": [(r.id, norm_role(r.role), (r.action or None), r.set_index) for r in con.resources]}
    if isinstance(con, Order):
        kind = con.order_kind
        if kind is None:
            s = (con.score or "INFINITY").strip().lstrip("+")
            kind = "Optional" if s in ("0",) else "Mandatory"
        d["order_kind"] = kind.capitalize()
        d["resources"] = [(i, role, action or "start", si) for i, role, action, si in d["resources"]]
        if d["resources"] and d["resources"][-1][2] == "start" and con.resources and not con.resources[-1].action \
                and con.resources[0].action:
            d["resources"][-1] = (*d["resources"][-1][:2], con.resources[0].action, d["resources"][-1][3])
    else:
        d["score"] = _score(con.score) or "INFINITY"
    if isinstance(con, Location):
        d["node"] = con.node
        d["rules"] = sorted(con.rules)
    return d


def snapshot(c) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for rid, r in c.resources.items():
        out[f"resource {rid}"] = _resource(r)
    for con in c.constraints:
        out[f"{con.kind} {con.id}"] = _constraint(con)
    for s in c.properties:
        for p in s.pairs:
            if p.name not in IGNORED_PROPS:
                out[f"property {p.name}"] = {"value": p.value}
    return out


def _span_of(c, key: str):
    kind, _, ident = key.partition(" ")
    if kind == "resource" and ident in c.resources:
        return c.resources[ident].span
    if kind == "property":
        p = c.property(ident)
        return p.span if p else c.span
    for con in c.constraints:
        if con.id == ident:
            return con.span
    return c.span


class CrmCibDrift(Rule):
    code = "PCMK117"
    name = "crm-cib-drift"
    severity = "error"
    reads = ("cluster",)

    def check(self, ctx):
        clusters = ctx.site.all_clusters()
        crms = [c for c in clusters if c.span.file.format == "crm"]
        cibs = [c for c in clusters if c.span.file.format == "cib"]
        if not crms or not cibs:
            return
        for crm in crms:
            a = snapshot(crm)
            for cib in cibs:
                b = snapshot(cib)
                diff = self._first_difference(a, b)
                if diff is None:
                    continue
                key, why = diff
                span = _span_of(crm, key) if key in a else _span_of(cib, key)
                yield self.finding(
                    f"{crm.span.path} and {cib.span.path} disagree: {key} {why}",
                    span, identity=f"drift {crm.span.path} / {cib.span.path}")

    @staticmethod
    def _first_difference(a, b):
        for key in list(a) + [k for k in b if k not in a]:
            if key not in b:
                return key, "is only in the crm file"
            if key not in a:
                return key, "is only in the CIB"
            if a[key] != b[key]:
                for field in list(a[key]) + [f for f in b[key] if f not in a[key]]:
                    x, y = a[key].get(field), b[key].get(field)
                    if x == y:
                        continue
                    if isinstance(x, dict) and isinstance(y, dict):
                        names = sorted(n for n in set(x) | set(y) if x.get(n) != y.get(n))
                        return key, f"differs in {field}: {', '.join(names)}"  # values may be secrets
                    return key, f"differs in {field}: {x!r} in the crm file, {y!r} in the CIB"
        return None
