"""Promotable without role: an order or colocation on a promotable clone ignores its role.

## What it checks

An order whose first resource is a promotable clone (`ms`, `<master>` or
`clone ... promotable=true`) must wait for `:promote`, not for the plain
start; a colocation with a promotable clone must name the `Master` /
`Promoted` role (`colocation c inf: grp drbd_ms:Master`).  Anti-colocations
(negative scores) are not checked.

The message follows the colocation's direction (`colocation c inf: A B`:
A, the `rsc`, is placed where B, the `with-rsc`, runs): a clone named
first follows the other resource with every instance; a clone named
second lets the other resource join any instance.  A promotable clone
with `clone-max=1` is not reported: that is the floating DRBD of LINBIT's
split-site setup (`ms ms_drbd p_drbd meta clone-max=1 ...` with
`colocation drbd_on_ip inf: ms_drbd p_ip_float`), whose single instance
follows the IP and is promoted wherever it runs.

## Why it matters

A promotable clone "starts" as Secondary on both nodes.  An order on the
plain start lets the LVM group and the iSCSI target start as soon as DRBD is
Secondary somewhere (the VG cannot be activated, or worse, is activated on
a device that another node writes), and a colocation without the role only
pins the dependent resources to *some* DRBD instance, not to the Primary.
`crm_simulate` on such a configuration starts the iSCSI group while both
DRBD copies are unpromoted.

## Example

```crm path=@cluster.crm
primitive drbd_r0 ocf:linbit:drbd params drbd_resource=r0 op monitor interval=29s role=Promoted op monitor interval=31s role=Unpromoted
clone drbd_r0_clone drbd_r0 meta promotable=true promoted-max=1 notify=true
primitive vg ocf:heartbeat:LVM-activate params vgname=vgsan vg_access_mode=system_id op monitor interval=30s timeout=90s
colocation vg-with-drbd inf: vg drbd_r0_clone
order vg-after-drbd Mandatory: drbd_r0_clone vg
```

## Use instead

```crm path=@cluster.crm
primitive drbd_r0 ocf:linbit:drbd params drbd_resource=r0 op monitor interval=29s role=Promoted op monitor interval=31s role=Unpromoted
clone drbd_r0_clone drbd_r0 meta promotable=true promoted-max=1 notify=true
primitive vg ocf:heartbeat:LVM-activate params vgname=vgsan vg_access_mode=system_id op monitor interval=30s timeout=90s
colocation vg-with-drbd inf: vg drbd_r0_clone:Promoted
order vg-after-drbd Mandatory: drbd_r0_clone:promote vg:start
```

## Fix safety

Unsafe (a behaviour change the admin must confirm): the order gets
`:promote` on the promotable clone (and `:start` on the dependent resource,
since an unspecified then-action defaults to the first-action), the
colocation gets the role: `Master` for Pacemaker 1.1/2.0, `Promoted` for
2.1+.  In a CIB: `first-action="promote" then-action="start"`,
`rsc-role`/`with-rsc-role`.

## Source

Pacemaker Explained, "Promotable clones" ("Colocating with the promoted
role", "Ordering with promotion"), "Colocation Properties" (rsc is placed
relative to with-rsc) and `rsc_order` `then-action` ("defaults to the
value of first-action"); LINBIT DRBD User's Guide 8.4, "Integrating DRBD
with Pacemaker clusters" and 8.5 "Configuring DRBD to replicate between two
SAN-backed Pacemaker clusters" (the floating-peers configuration:
`clone-max="1"`, `colocation drbd_on_left inf: ms_drbd_mysql
p_ip_float_left`).
"""

from __future__ import annotations

from sanlint.edit.cib import set_attr
from sanlint.edit.cluster import syntax
from sanlint.model.cluster import Colocation, Order
from sanlint.rule import Edit, Fix, Rule
from sanlint_rules.pcmk._common import positive, promotable_ids, promoted_name


def floating(c, clone_id: str) -> bool:
    """A promotable clone with `clone-max=1`: the floating DRBD of LINBIT's
    split-site setup, a single instance placed with (or following) an IP."""
    clone = c.resources.get(clone_id)
    v = (clone.meta_value("clone-max") or "").strip() if clone is not None else ""
    return v.isdigit() and int(v) == 1


def _ref_end(ref) -> int:
    """Byte offset just after the resource id of a crm reference (`sandisk_ms` in `sandisk_ms:...`)."""
    return ref.span.start + len(ref.id.encode())


class PromotableWithoutRole(Rule):
    code = "PCMK104"
    name = "promotable-without-role"
    severity = "error"
    reads = ("cluster",)
    fix = "unsafe"

    def check(self, ctx):
        version = ctx.site.pacemaker_version
        role = promoted_name(version)
        for c in ctx.site.all_clusters():
            proms = promotable_ids(c)
            if not proms:
                continue
            for con in c.constraints:
                if isinstance(con, Order):
                    yield from self._order(c, con, proms)
                elif isinstance(con, Colocation) and positive(con.score):
                    yield from self._colocation(c, con, proms, role)

    def _order(self, c, o, proms):
        first = o.first
        if o.sets or len(o.resources) != 2 or first is None or first.id not in proms:
            return
        if (first.action or "start").lower() != "start":
            return
        then = o.then
        fix = None
        if syntax(o.span) == "cib":
            edits = [e for e in (set_attr(o.span, "first-action", "promote", after="first"),
                                 None if then.action or then.id in proms else set_attr(o.span, "then-action", "start", after="then"))
                     if e is not None]
            if edits:
                fix = Fix(edits, f"order {o.id} on {first.id}:promote", safe=False)
        elif first.span is not None and then.span is not None:
            edits = []
            if first.action:  # `ms:start`
                start = first.span.start + first.span.text.rfind(":") + 1
                edits.append(Edit(first.span.file, start, first.span.end, "promote"))
            else:
                edits.append(Edit.insert(first.span.file, _ref_end(first), ":promote"))
            if not then.action and then.id not in proms:
                edits.append(Edit.insert(then.span.file, _ref_end(then), ":start"))
            fix = Fix(edits, f"order {o.id} on {first.id}:promote", safe=False)
        yield self.finding(
            f"order {o.id} waits only for {first.id} to start, not to be promoted: {then.id} may start while "
            f"DRBD is still Secondary everywhere (use {first.id}:promote)",
            first.span or o.span, identity=f"constraint {o.id} / first-action", fix=fix)

    def _colocation(self, c, con, proms, role):
        if con.sets:
            for ref in con.resources:
                if ref.id in proms and not ref.role and not floating(c, ref.id):
                    yield self.finding(
                        f"colocation {con.id} places resources with {ref.id} without its {role} role: "
                        f"they may follow a Secondary DRBD instance",
                        ref.span or con.span, identity=f"constraint {con.id} / {ref.id} / role")
            return
        for which, ref in (("rsc", con.rsc), ("with-rsc", con.with_rsc)):
            if ref is None or ref.id not in proms or ref.role:
                continue
            if floating(c, ref.id):
                continue  # one instance only: it is the Promoted one wherever it runs
            other = con.with_rsc if which == "rsc" else con.rsc
            if syntax(con.span) == "cib":
                e = set_attr(con.span, f"{which}-role", role, after=which)
                fix = Fix([e], f"colocate {ref.id}:{role}", safe=False) if e else None
            elif ref.span is not None:
                fix = Fix([Edit.insert(ref.span.file, _ref_end(ref), f":{role}")], f"colocate {ref.id}:{role}", safe=False)
            else:
                fix = None
            name = other.id if other else "the other resource"
            if which == "rsc":  # the clone follows the other resource (rsc is placed where with-rsc runs)
                msg = (f"colocation {con.id} makes every instance of the promotable clone {ref.id} follow {name}: "
                       f"only the instance on {name}'s node can run, and nothing makes it the {role} "
                       f"(use {ref.id}:{role} so that the {role} instance follows {name})")
            else:
                msg = (f"colocation {con.id} places {name} with the promotable clone {ref.id} without a role: "
                       f"{name} may be placed with a Secondary instance instead of the {role} "
                       f"(use {ref.id}:{role})")
            yield self.finding(
                msg,
                ref.span or con.span, identity=f"constraint {con.id} / {which} role", fix=fix)
