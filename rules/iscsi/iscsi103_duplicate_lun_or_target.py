'''Duplicate LUN or target: two LUNs of one target share a number, or two targets share a name.

## What it checks

Within one host's target configuration (ietd.conf, targets.conf with its
includes, saveconfig.json) and within one cluster configuration
(`iSCSITarget`/`iSCSILogicalUnit` resources): two LUNs of the same target
with the same number (tgt numbers are the ones tgt-admin assigns), or two
targets with the same name (names compare case-insensitively).  The second
definition is reported.

## Why it matters

ietd refuses the second LUN ("LUN already exists") and starts the target
without it; tgt-admin and targetcli fail on it; with cluster resources the
second `iSCSILogicalUnit` fails to start and Pacemaker stops or moves the
whole group.  Two targets of the same name make the second one fail, or
(LIO) silently merge into the first one's TPG.

## Example

```ietd path=etc/ietd.conf
Target iqn.2014-02.santnet.sante:target1
        Lun 0 Path=/dev/vgsan/lun0,Type=blockio
        Lun 0 Path=/dev/vgsan/lun1,Type=blockio
```

## Use instead

```ietd path=etc/ietd.conf
Target iqn.2014-02.santnet.sante:target1
        Lun 0 Path=/dev/vgsan/lun0,Type=blockio
        Lun 1 Path=/dev/vgsan/lun1,Type=blockio
```

## Fix safety

No automatic fix: renumbering a LUN changes what initiators see.

## Source

ietd.conf(5) (`Lun <lun>` unique per target); targets.conf(5) (`lun`);
resource-agents `heartbeat/iSCSILogicalUnit` (`--lun=` per target);
rtslib-fb `LUN` (index unique per TPG).
'''

from sanlint.rule import Rule
from sanlint_rules.iscsi import _common as C


class DuplicateLunOrTarget(Rule):
    code = "ISCSI103"
    name = "duplicate-lun-or-target"
    severity = "error"
    reads = ("iscsi", "cluster")

    def check(self, ctx):
        site = ctx.site
        groups: dict[tuple, list[C.Target]] = {}
        for t in C.all_targets(site):
            scope = ("host", t.host.name) if t.host is not None else ("cluster", id(t.cluster))
            groups.setdefault(scope + (t.name.lower(),), []).append(t)
            seen: dict[int, C.Lun] = {}
            for lun in t.luns:
                if lun.number is None:
                    continue
                first = seen.setdefault(lun.number, lun)
                if first is not lun:
                    yield self.finding(
                        f"{lun.label} of {t.label} reuses LUN number {lun.number} (first used at line "
                        f"{first.span.line}): the second LUN fails to come up",
                        lun.span,
                        identity=f"{t.identity} / lun {lun.number} / duplicate {lun.path}")
        for (_, _, name), targets in groups.items():
            for t in targets[1:]:
                yield self.finding(
                    f"{t.label} has the same name as the target defined at {targets[0].span.path}:"
                    f"{targets[0].span.line}: the second definition fails or merges into the first",
                    t.span,
                    identity=f"{t.identity} / duplicate")
