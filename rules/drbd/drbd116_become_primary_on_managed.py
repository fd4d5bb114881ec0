"""become-primary-on with Pacemaker: DRBD promotes itself on a cluster-managed resource.

## What it checks

A `startup { become-primary-on ...; }` statement (in the resource or in
`common`) that applies to a resource managed by Pacemaker (an
`ocf:linbit:drbd` primitive names it).

## Why it matters

With `become-primary-on` the init script promotes the resource at boot,
behind Pacemaker's back: the cluster finds a Primary it did not promote,
and after a failover the rebooted old primary can come up Primary as well
(split brain).  LINBIT: it "should be avoided ... promotion and demotion
should always be handled by the cluster manager".  DRBD 9 ignores the
option silently, so it only misleads.

## Example

```drbd path=etc/drbd.d/r0.res
resource r0 {
  startup { become-primary-on alpha; }
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
```

```crm path=@cluster.crm
node alpha
node bravo
primitive p_drbd_r0 ocf:linbit:drbd params drbd_resource=r0
ms ms_drbd_r0 p_drbd_r0 meta master-max=1 clone-max=2 notify=true
```

## Use instead

```drbd path=etc/drbd.d/r0.res
resource r0 {
  startup { wfc-timeout 60; }
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
```

```crm path=@cluster.crm
node alpha
node bravo
primitive p_drbd_r0 ocf:linbit:drbd params drbd_resource=r0
ms ms_drbd_r0 p_drbd_r0 meta master-max=1 clone-max=2 notify=true
```

## Fix safety

Safe: the fix deletes the statement (and the `startup` section if nothing
else is left in it); Pacemaker promotes the resource as before.  When the
statement is in `common` and also applies to resources Pacemaker does not
manage, the fix is unsafe (those resources would no longer be promoted at
boot).

## Source

LINBIT users guide 8.4 `administration.adoc` (about line 946); drbd-utils
`user/v9/drbdadm_parser.c` `startup_delegate()` (9 drops the option); LINBIT
users guide 9 `drbd-recent-changes.adoc` (auto-promote replaces
become-primary-on); https://github.com/LINBIT/drbd-utils,
https://github.com/LINBIT/linbit-documentation.
"""

from __future__ import annotations

from sanlint import views
from sanlint.rule import Context, Fix, Rule
from sanlint.edit.brace import remove_statement
from sanlint_rules.drbd._common import Once, find, host_resources, where


class BecomePrimaryOnManaged(Rule):
    code = "DRBD116"
    name = "become-primary-on-managed"
    severity = "error"
    reads = ("drbd", "cluster")
    fix = "unsafe"

    def check(self, ctx: Context):
        managed = views.managed_drbd(ctx.site)
        if not managed:
            return
        once = Once()
        for host, res in host_resources(ctx.site):
            if res.name not in managed:
                continue
            f = find(host, res, ("startup",), ("become-primary-on",))
            if f is None or not once.first(f.setting.span):
                continue
            safe = True
            if f.in_common:  # also promotes the resources Pacemaker does not manage
                for r in host.drbd_resources:
                    g = find(host, r, ("startup",), ("become-primary-on",))
                    if r.name not in managed and g is not None and g.setting is f.setting:
                        safe = False
            yield self.finding(
                f"resource {res.name} is managed by Pacemaker ({managed[res.name].id}) but `become-primary-on "
                f"{f.value}` promotes it at boot behind the cluster's back"
                + (" (set in common)" if f.in_common else "") + "; let Pacemaker alone decide the roles",
                f.setting.span, identity=f"{where(f, res)} / startup / become-primary-on",
                fix=Fix([remove_statement(f.setting, f.section)], "delete become-primary-on", safe=safe))
