"""Deprecated promotable syntax: `ms`/master resources, Master/Slave roles, `master-max`.

## What it checks

Syntax that the current Pacemaker release line (2.1) deprecates, whatever
version the site runs: `ms`/`master` resources and `<master>` elements
(use `clone ... meta promotable=true`, Pacemaker 2.0+), the roles `Master`
and `Slave` (use `Promoted`/`Unpromoted`, Pacemaker 2.1+) and the meta
attributes `master-max`/`master-node-max` (`promoted-max`/
`promoted-node-max`).  One finding per promotable resource, listing
everything deprecated about it (its own element, its child's operations,
the constraints naming its roles).  This rule judges against the current
release line on purpose: it tells a 1.1 site what an upgrade will have to
change; the info severity reflects that.

## Why it matters

Pacemaker 3.0 removed `<master>` resources (the upgrade converts them) and
warns on every use of the Master/Slave roles; crmsh still writes `<master>`
for `ms`.  Configurations kept in version control drift further from what
the tools print and document.

## Example

```crm path=@cluster.crm
primitive drbd_r0 ocf:linbit:drbd params drbd_resource=r0 op monitor interval=29s role=Master op monitor interval=31s role=Slave
ms drbd_r0_ms drbd_r0 meta master-max=1 notify=true
```

## Use instead

```crm path=@cluster.crm
primitive drbd_r0 ocf:linbit:drbd params drbd_resource=r0 op monitor interval=29s role=Promoted op monitor interval=31s role=Unpromoted
clone drbd_r0_clone drbd_r0 meta promotable=true promoted-max=1 notify=true
```

## Fix safety

Safe, and offered only when the site runs Pacemaker 2.1 or later (earlier
versions do not accept the new names): the fix rewrites `ms X Y` to
`clone X Y` (a CIB `<master>` to `<clone>`) with `promotable=true` added to
its meta, renames `master-max`/`master-node-max` and the Master/Slave
roles, with the same code (and bytes) as `sanlint migrate pacemaker-2`.

## Source

Pacemaker `doc/sphinx/Pacemaker_Administration/upgrading.rst` ("What
Changed in 2.0 / 2.1"), Pacemaker 3.0.0 ChangeLog ("master resources
dropped"), `lib/common/roles.c` (deprecation warning); crmsh help for `ms`
("deprecated").
"""

from __future__ import annotations

from sanlint.edit.cib import attr_range
from sanlint.edit.cluster import syntax
from sanlint.model.cluster import Primitive
from sanlint.rule import Edit, Fix, Rule
from sanlint.transform.pacemaker import META_RENAMES, ROLE_NEW, promotable_clone, rename_meta

OLD_META = META_RENAMES
NEW_ROLE = ROLE_NEW


class DeprecatedPromotableSyntax(Rule):
    code = "PCMK113"
    name = "deprecated-promotable-syntax"
    severity = "info"
    reads = ("cluster",)
    fix = "safe"

    def check(self, ctx):
        version = ctx.site.pacemaker_version
        for c in ctx.site.all_clusters():
            proms = [cl for cl in c.clones() if cl.promotable]
            if not proms:
                continue
            # roles used in constraints, per top-level id they name
            con_roles: dict[str, list] = {}
            for con in c.constraints:
                for ref in con.resources:
                    if ref.role and ref.role.lower() in NEW_ROLE:
                        con_roles.setdefault(ref.id, []).append((con, ref))
            for cl in proms:
                items: list[str] = []
                edits: list[Edit] = []
                fixable = version not in ("1.1", "2.0")
                if cl.element == "master":
                    kw = "ms" if syntax(cl.span) == "crm" else "<master>"
                    items.append(f"`{kw}` (use a clone with promotable=true)")
                    change = promotable_clone(cl)
                    if change:
                        edits.extend(change)
                    else:
                        fixable = False
                for s in cl.meta:
                    for pair in s.pairs:
                        if pair.name in OLD_META:
                            items.append(f"{pair.name} (use {OLD_META[pair.name]})")
                            e = rename_meta(pair, OLD_META[pair.name])
                            edits.append(e) if e else None
                            fixable = fixable and e is not None
                roles = set()
                child = c.resources.get(cl.child or "")
                for op in (child.ops if isinstance(child, Primitive) else []):
                    if op.role and op.role.lower() in NEW_ROLE:
                        roles.add(op.role)
                        if op.role_span is not None:
                            edits.append(Edit.replace(op.role_span, NEW_ROLE[op.role.lower()]))
                        else:
                            fixable = False
                for con, ref in con_roles.get(cl.id, []) + con_roles.get(cl.child or "", []):
                    roles.add(ref.role)
                    e = self._ref_role_edit(con, ref, cl)
                    edits.append(e) if e else None
                    fixable = fixable and e is not None
                if roles:
                    items.append("roles " + "/".join(sorted(roles)) + " (use Promoted/Unpromoted)")
                if not items:
                    continue
                fix = Fix(edits, f"modernise the promotable syntax of {cl.id}") if fixable and edits else None
                where = cl.keyword_span if cl.element == "master" and cl.keyword_span is not None else cl.span
                yield self.finding(
                    f"promotable resource {cl.id} uses syntax deprecated in the current Pacemaker release line (2.1): "
                    + "; ".join(items), where, identity=f"resource {cl.id} / promotable syntax", fix=fix)

    @staticmethod
    def _ref_role_edit(con, ref, cl):
        new = NEW_ROLE[ref.role.lower()]
        if ref.span is None:
            return None
        if syntax(con.span) == "cib":
            text = ref.span.text
            if text == ref.role:
                return Edit.replace(ref.span, new)
            for attr in ("rsc-role", "with-rsc-role", "role"):
                a = attr_range(con.span, attr)
                if a and con.span.file.data[a[2]:a[3]].decode() == ref.role:
                    return Edit(con.span.file, a[2], a[3], new)
            return None
        text = ref.span.text
        i = text.rfind(":" + ref.role)
        if i < 0:
            return None
        start = ref.span.start + len(text[:i + 1].encode())
        return Edit(ref.span.file, start, start + len(ref.role.encode()), new)
