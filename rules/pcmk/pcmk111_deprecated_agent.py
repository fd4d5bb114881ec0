"""Deprecated agent: a resource uses an agent that has a maintained replacement.

## What it checks

Primitives using `ocf:heartbeat:LVM` (replaced by `ocf:heartbeat:LVM-activate`),
`ocf:heartbeat:drbd` (replaced by `ocf:linbit:drbd`, shipped with
drbd-utils), or an `lsb:` init script where an OCF agent exists for the
service (`lsb:iscsitarget`, `lsb:tgt`, `lsb:target` →
`ocf:heartbeat:iSCSITarget` + `ocf:heartbeat:iSCSILogicalUnit`; `lsb:drbd`
→ `ocf:linbit:drbd`).

## Why it matters

The old LVM agent is not supported on current distributions (Red Hat
lists only LVM-activate for RHEL 8+) and cannot use system_id or lvmlockd
protection; the heartbeat drbd agent is no longer shipped.  An LSB script
has no meta-data, no monitor depth, no promotion and often a status action
that does not follow the LSB exit codes, so Pacemaker cannot tell "stopped"
from "failed"; the iSCSI target's LUNs are then managed outside the
cluster's view.

## Example

```crm path=@cluster.crm
primitive vgsan ocf:heartbeat:LVM params volgrpname=vgsan op monitor interval=10s timeout=30s
```

## Use instead

```crm path=@cluster.crm
primitive vgsan ocf:heartbeat:LVM-activate params vgname=vgsan vg_access_mode=system_id op monitor interval=30s timeout=90s
```

## Fix safety

Needs a choice, shown by `--diff` but never applied: `ocf:heartbeat:LVM`
becomes `LVM-activate` with `vgname=`, `activation_mode=exclusive` (what
`exclusive=` meant; that parameter goes) and the placeholder
`vg_access_mode=CHOOSE-system_id-tagging-or-lvmlockd` (it depends on how
the VG is protected) — what `sanlint migrate pacemaker-2` writes, which
takes the choice with `--set vg_access_mode=...`.  `ocf:heartbeat:drbd` → `ocf:linbit:drbd` is an unsafe fix
(same parameter, different agent).  LSB replacements need parameters
(target IQN, LUNs) and get no fix.

## Source

resource-agents `heartbeat/LVM-activate` and `heartbeat/LVM`; Red Hat
"Support Policies for RHEL High Availability Clusters - LVM in a Cluster";
LINBIT DRBD User's Guide (ocf:linbit:drbd); Pacemaker Explained, "LSB
Resource Agents" (LSB compliance requirements).
"""

from __future__ import annotations

from sanlint.rule import Fix, Rule
from sanlint.transform.pacemaker import linbit_drbd, lvm_activate

LSB_REPLACEMENTS = {
    "iscsitarget": "ocf:heartbeat:iSCSITarget and ocf:heartbeat:iSCSILogicalUnit (implementation=iet)",
    "iscsi-target": "ocf:heartbeat:iSCSITarget and ocf:heartbeat:iSCSILogicalUnit",
    "tgt": "ocf:heartbeat:iSCSITarget and ocf:heartbeat:iSCSILogicalUnit (implementation=tgt)",
    "tgtd": "ocf:heartbeat:iSCSITarget and ocf:heartbeat:iSCSILogicalUnit (implementation=tgt)",
    "target": "ocf:heartbeat:iSCSITarget and ocf:heartbeat:iSCSILogicalUnit (implementation=lio-t)",
    "drbd": "ocf:linbit:drbd in a promotable clone",
    "lvm2": "ocf:heartbeat:LVM-activate",
}


class DeprecatedAgent(Rule):
    code = "PCMK111"
    name = "deprecated-agent"
    severity = "warning"
    reads = ("cluster",)
    fix = "choice"

    def check(self, ctx):
        for c in ctx.site.all_clusters():
            for p in c.primitives() + c.templates():
                agent = p.agent
                if agent == "ocf:heartbeat:LVM":
                    yield self.finding(
                        f"primitive {p.id} uses ocf:heartbeat:LVM, which is deprecated: use ocf:heartbeat:LVM-activate "
                        f"(vgname=, vg_access_mode=) which protects the VG with system_id or lvmlockd",
                        p.agent_span or p.span, identity=f"resource {p.id} / agent", fix=self._lvm_fix(p))
                elif agent == "ocf:heartbeat:drbd":
                    e = linbit_drbd(p)
                    fix = Fix([e], "use ocf:linbit:drbd", safe=False) if e is not None else None
                    yield self.finding(
                        f"primitive {p.id} uses ocf:heartbeat:drbd, which is no longer shipped: use ocf:linbit:drbd "
                        f"from drbd-utils", p.agent_span or p.span, identity=f"resource {p.id} / agent", fix=fix)
                elif p.agent_class == "lsb" and (p.type or "") in LSB_REPLACEMENTS:
                    yield self.finding(
                        f"primitive {p.id} uses the init script lsb:{p.type}: use {LSB_REPLACEMENTS[p.type]}, "
                        f"which Pacemaker can monitor reliably",
                        p.agent_span or p.span, identity=f"resource {p.id} / agent")

    @staticmethod
    def _lvm_fix(p):
        if p.param("volgrpname") is None:
            return None
        edits = lvm_activate(p)
        if not edits:
            return None
        return Fix(edits, "switch to ocf:heartbeat:LVM-activate (choose vg_access_mode)", safe=False, needs_choice=True)
