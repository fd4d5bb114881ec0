'''Target defined twice: statically on a host and by a cluster `iSCSITarget` resource.

## What it checks

A target name (compared case-insensitively) that a host's static
configuration defines (ietd.conf, tgt targets.conf, LIO saveconfig.json)
and that an `ocf:heartbeat:iSCSITarget` resource also creates.  Reported on
the static definition, once per host.

## Why it matters

The boot-time service (iscsitarget, tgt, target.service) creates the target
on every node, outside Pacemaker's control: the target is live on the
passive node too, initiators may log in there (to a Secondary DRBD device
that fails every I/O, or to stale data), and the cluster resource's start
fails or fights with the static definition ("target already exists").

## Example

```ietd path=etc/ietd.conf
Target iqn.2014-02.santnet.sante:target1
        Lun 0 Path=/dev/vgsan/lun0,Type=blockio
```

```crm path=@cluster.crm
primitive p_target ocf:heartbeat:iSCSITarget params iqn="iqn.2014-02.santnet.sante:target1" implementation=iet
```

## Use instead

```crm path=@cluster.crm
primitive p_target ocf:heartbeat:iSCSITarget params iqn="iqn.2014-02.santnet.sante:target1" implementation=iet
```

## Fix safety

No automatic fix: remove the static definition (and disable the boot-time
service), or the cluster resource.

## Source

resource-agents `heartbeat/iSCSITarget.in` (creates the target itself with
ietadm/tgtadm/targetcli); DRBD User's Guide, iSCSI chapter (the target
daemon's own configuration stays empty; Pacemaker creates targets).
'''

from sanlint.rule import Rule
from sanlint_rules.iscsi import _common as C


class TargetDefinedTwice(Rule):
    code = "ISCSI108"
    name = "target-defined-twice"
    severity = "warning"
    reads = ("iscsi", "cluster")

    def check(self, ctx):
        targets = C.all_targets(ctx.site)
        cluster = {}
        for t in targets:
            if t.primitive is not None and t.name:
                cluster.setdefault(t.name.lower(), t)
        for t in targets:
            if t.primitive is None and t.name.lower() in cluster:
                c = cluster[t.name.lower()]
                yield self.finding(
                    f"{t.label} is also created by cluster resource {c.primitive.id}: the static definition makes it "
                    "live on every node, outside Pacemaker's control",
                    t.span,
                    identity=f"{t.identity} / also {c.primitive.id}")
