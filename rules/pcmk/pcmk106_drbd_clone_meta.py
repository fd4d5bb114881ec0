"""DRBD clone settings: a promotable DRBD clone without notify, or with too many instances or masters.

## What it checks

A master/slave (`ms`) or promotable clone of `ocf:linbit:drbd` must have
`notify=true`, a `clone-max` no larger than the number of hosts of the DRBD
resource, and at most one promoted instance (`promoted-max` / `master-max`)
unless the DRBD resource sets `allow-two-primaries`.

The last two need the DRBD configuration: when the input holds no DRBD
resource of the `drbd_resource` name (a CIB or crm file checked alone),
they are not judged and nothing is reported.

## Why it matters

The linbit agent relies on notifications to learn about peer promotion and
demotion; without them it mis-computes promotion scores and the resource
can fail to promote after a failover.  Surplus clone instances cannot run
anywhere and are reported as failures; two masters without
`allow-two-primaries` are refused by DRBD, and with it a non-cluster file
system or VG activated on both nodes is corrupted.

## Example

```crm path=@cluster.crm
primitive drbd_r0 ocf:linbit:drbd params drbd_resource=r0 op monitor interval=29s role=Promoted op monitor interval=31s role=Unpromoted
clone drbd_r0_clone drbd_r0 meta promotable=true promoted-max=1 clone-max=2
```

## Use instead

```crm path=@cluster.crm
primitive drbd_r0 ocf:linbit:drbd params drbd_resource=r0 op monitor interval=29s role=Promoted op monitor interval=31s role=Unpromoted
clone drbd_r0_clone drbd_r0 meta promotable=true promoted-max=1 clone-max=2 notify=true
```

## Fix safety

Safe: the fix sets `notify=true`, lowers `clone-max` to the number of DRBD
hosts and `promoted-max`/`master-max` to 1 (adding or rewriting only that
meta attribute).

## Source

LINBIT DRBD User's Guide, "Using DRBD in Pacemaker clusters" (`notify=true`
is required); drbd-utils `scripts/drbd.ocf` (notification handling);
Pacemaker Explained, promotable clone options.
"""

from __future__ import annotations

from sanlint.edit.cluster import add_pair, syntax
from sanlint.model.cluster import Primitive
from sanlint.rule import Edit, Fix, Rule
from sanlint.views import DRBD_AGENTS, drbd_by_name, drbd_option
from sanlint_rules.pcmk._common import drbd_host_count, is_true


def set_meta(res, name: str, value: str) -> Fix | None:
    """Rewrite meta `name` of a clone, or add it."""
    pair = res.meta_pair(name)
    if pair is not None and pair.value_span is not None:
        return Fix([Edit.replace(pair.value_span, value)], f"set {name}={value}")
    if res.meta and res.meta[0].pairs:
        e = add_pair(res.meta[0], name, value, f"{res.id}-meta_attributes")
        return Fix([e], f"add {name}={value}") if e is not None else None
    if not res.meta and syntax(res.span) == "crm":
        return Fix([Edit.insert(res.span.file, res.span.end, f" meta {name}={value}")], f"add meta {name}={value}")
    return None


class DrbdCloneMeta(Rule):
    code = "PCMK106"
    name = "drbd-clone-meta"
    severity = "error"
    reads = ("cluster", "drbd")
    fix = "safe"

    def check(self, ctx):
        site = ctx.site
        for c in site.all_clusters():
            defaults = {p.name: p.value for s in c.rsc_defaults for p in s.pairs}
            for clone in c.clones():
                if not clone.promotable:
                    continue
                child = c.resources.get(clone.child or "")
                if not isinstance(child, Primitive) or c.agent_of(child) not in DRBD_AGENTS:
                    continue
                notify = clone.meta_value("notify") or defaults.get("notify")
                if not is_true(notify):
                    yield self.finding(
                        f"promotable DRBD clone {clone.id} without notify=true: the drbd agent misses peer "
                        f"promotion/demotion events and may fail to promote after a failover",
                        (clone.meta_pair("notify") or clone).span, identity=f"resource {clone.id} / notify",
                        fix=set_meta(clone, "notify", "true"))
                res_name = child.params_dict().get("drbd_resource")
                hosts = drbd_host_count(site, res_name) if res_name else None
                cmax = clone.meta_pair("clone-max")
                if hosts and cmax is not None and (cmax.value or "").isdigit() and int(cmax.value) > hosts:
                    yield self.finding(
                        f"clone {clone.id} sets clone-max={cmax.value} but DRBD resource {res_name} has {hosts} hosts: "
                        f"the surplus instances can run nowhere",
                        cmax.span, identity=f"resource {clone.id} / clone-max",
                        fix=set_meta(clone, "clone-max", str(hosts)))
                for name in ("promoted-max", "master-max"):
                    pm = clone.meta_pair(name)
                    if pm is None or not (pm.value or "").isdigit() or int(pm.value) <= 1:
                        continue
                    if not res_name or not drbd_by_name(site).get(res_name):
                        continue  # the DRBD configuration is not in the input: nothing to judge against
                    if self._two_primaries(site, res_name):
                        continue
                    yield self.finding(
                        f"clone {clone.id} allows {pm.value} promoted instances but DRBD resource "
                        f"{res_name or '?'} does not set allow-two-primaries: DRBD refuses the second Primary",
                        pm.span, identity=f"resource {clone.id} / {name}", fix=set_meta(clone, name, "1"))

    @staticmethod
    def _two_primaries(site, res_name: str) -> bool:
        for d in drbd_by_name(site).get(res_name, []):
            opt = drbd_option(d.host, d.resource, "net", "allow-two-primaries")
            if opt is not None and (opt.value is None or is_true(opt.value)):
                return True
        return False
