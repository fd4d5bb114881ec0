'''Target open to every initiator: no initiator ACL restricts who may log in.

## What it checks

Every target, by front end:

* ietd: no line of the host's `initiators.allow` names the target (its IQN,
  `ALL`, or a `/regex/` matching it) with a list that is not `ALL`;
* tgt: no `initiator-address`/`initiator-name` (tgt-admin then binds
  `ALL`), or an `initiator-address ALL`;
* LIO: the TPG has `generate_node_acls=1` (demo mode);
* cluster `iSCSITarget`: no `allowed_initiators` (the agent then writes
  `IQN ALL` into initiators.allow for iet, binds `ALL` for tgt, and for
  `lio`/`lio-t` sets `generate_node_acls=1` with `demo_mode_write_protect=0`:
  every initiator logs in and writes; `lio-t` with `incoming_username`
  still asks for that CHAP account, `lio` disables authentication).

## Why it matters

Any host that can reach the portal can discover the target and log in; on
a flat storage network one misconfigured initiator (or a second cluster
using the same IQN) mounts the LUNs and corrupts the file systems on them,
since block storage has no locking between initiators.

## Example

```ietd path=etc/ietd.conf
Target iqn.2014-02.santnet.sante:target1
        IncomingUser sanuser s3cretPassw0rd
        Lun 0 Path=/dev/vgsan/lun0,Type=blockio
```

## Use instead

```ietd path=etc/ietd.conf
Target iqn.2014-02.santnet.sante:target1
        IncomingUser sanuser s3cretPassw0rd
        Lun 0 Path=/dev/vgsan/lun0,Type=blockio
```

```text path=etc/initiators.allow
iqn.2014-02.santnet.sante:target1 172.16.50.0/24
```

## Fix safety

No automatic fix: only the admin knows which initiators are legitimate.

## Source

ietd.conf(5) and the initiators.allow comments of iscsitarget;
targets.conf(5) (`initiator-address`, `initiator-name`); targetcli(8)
(`generate_node_acls`); resource-agents `heartbeat/iSCSITarget.in` (start
for iet, tgt, lio, lio-t), as installed (4.12): lio-t without
`allowed_initiators` runs `targetcli ... set attribute ...
demo_mode_write_protect=0 generate_node_acls=1 cache_dynamic_acls=1`, lio
runs `lio_node --permissive` and `--disableauth`.
'''

from sanlint.rule import Rule
from sanlint.transform.iscsi import OPEN_LIO_TARGET
from sanlint.views import allow_matches
from sanlint_rules.iscsi import _common as C


class TargetOpenToAll(Rule):
    code = "ISCSI104"
    name = "target-open-to-all"
    severity = "warning"
    reads = ("iscsi", "cluster")

    def check(self, ctx):
        for t in C.all_targets(ctx.site):
            why = _open(t)
            if why:
                yield self.finding(
                    f"{t.label} admits any initiator: {why}; any host on the storage network can log in and "
                    "write to its LUNs",
                    t.span,
                    identity=f"{t.identity} / acl")


def _open(t):
    if t.primitive is not None:
        if C.param(t.primitive, "allowed_initiators"):
            return None
        if t.implementation in ("lio", "lio-t"):
            asks = t.implementation == "lio-t" and C.param(t.primitive, "incoming_username")
            chap = " (CHAP still asked)" if asks else " and no CHAP"
            return (f"the resource sets no allowed_initiators, and the iSCSITarget agent ({t.implementation}) then "
                    f"{OPEN_LIO_TARGET}{chap}")
        return "the resource sets no allowed_initiators"
    tgt = t.target
    if tgt.stack == "ietd":
        if tgt.acls and not tgt.open_to_all:
            return None
        rules = [r for cfg in t.host.iscsi for r in cfg.allow_rules if r.file_kind == "initiators"]
        matching = [r for r in rules if allow_matches(r.target, t.name)]
        if any("ALL" not in r.entries for r in matching):
            return None
        if matching:
            return "initiators.allow admits ALL for it"
        return "initiators.allow has no line for it"
    if tgt.open_to_all:
        if tgt.stack == "lio":
            return "the TPG has generate_node_acls=1 (demo mode)"
        return "no initiator-address or initiator-name restricts it (tgt-admin binds ALL)"
    return None
