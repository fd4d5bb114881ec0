'''Invalid iSCSI name: a target or initiator name is not `iqn.`, `eui.` or `naa.` well-formed.

## What it checks

Every target name (ietd `Target`, tgt `<target>`, LIO target `wwn`,
`iSCSITarget` `iqn`, `iSCSILogicalUnit` `target_iqn`) and every initiator
name used in an ACL (tgt `initiator-name`, LIO `node_wwn`, names in
initiators.allow, `allowed_initiators` entries that start with `iqn.`,
`eui.` or `naa.`) must be a valid iSCSI name (RFC 3720 3.2.6):
`iqn.YYYY-MM.reversed.domain[:identifier]` with a real month, `eui.` + 16
hex digits, or `naa.` + 16 or 32 hex digits; only letters, digits, `-`,
`.` and `:`; at most 223 bytes.

## Why it matters

LIO (`targetcli`) refuses to create such a target or ACL, so the cluster
resource fails to start; initiators (open-iscsi, Windows, VMware) reject or
mangle it at discovery, and an ACL with a misspelt initiator name never
matches, so the initiator cannot log in after a failover to a target that
enforces it.

## Example

```ietd path=etc/ietd.conf
Target iqn.2014-13.santnet.sante:target1
        Lun 0 Path=/dev/vgsan/lun0,Type=blockio
```

## Use instead

```ietd path=etc/ietd.conf
Target iqn.2014-02.santnet.sante:target1
        Lun 0 Path=/dev/vgsan/lun0,Type=blockio
```

## Fix safety

No automatic fix: renaming a target changes what every initiator logs in to.

## Source

RFC 3720 section 3.2.6 (iSCSI names), RFC 3721 (naming and discovery), RFC
3722 (stringprep profile); rtslib-fb `utils.is_valid_wwn`; ietd.conf(5),
targets.conf(5).
'''

from sanlint.rule import Rule
from sanlint_rules.iscsi import _common as C

_PREFIXES = ("iqn.", "eui.", "naa.")


class InvalidIscsiName(Rule):
    code = "ISCSI101"
    name = "invalid-iscsi-name"
    severity = "error"
    reads = ("iscsi", "cluster")

    def check(self, ctx):
        site = ctx.site
        for host in site.hosts.values():
            for cfg in host.iscsi:
                for t in cfg.targets:
                    yield from self._name(t.name, "target", t.span, f"iscsi {host.name} {t.stack} {t.name}")
                    for acl in t.acls:
                        if acl.kind == "name":
                            yield from self._name(acl.value, f"initiator in the ACL of target {t.name}", acl.span,
                                                  f"iscsi {host.name} {t.stack} {t.name} / acl {acl.value}")
                for rule in cfg.allow_rules:
                    if rule.target.lower().startswith(_PREFIXES):
                        yield from self._name(rule.target, f"target in {rule.file_kind}.allow", rule.span,
                                              f"iscsi {host.name} allow {rule.target}")
                    for e in rule.entries:
                        if e.lower().startswith(_PREFIXES):
                            yield from self._name(e, f"initiator in {rule.file_kind}.allow", rule.span,
                                                  f"iscsi {host.name} allow {rule.target} / {e}")
        for c in site.all_clusters():
            for p in c.primitives():
                a = c.agent_of(p)
                if a == C.TARGET_AGENT:
                    names = [("iqn", "target")]
                elif a == C.LU_AGENT:
                    names = [("target_iqn", "target_iqn")]
                else:
                    continue
                for pname, what in names:
                    v = C.param(p, pname)
                    if v:
                        yield from self._name(v, f"{what} of resource {p.id}", C.value_span(p, pname),
                                              f"iscsi cluster {p.id} / {pname}")
                for e in (C.param(p, "allowed_initiators") or "").split():
                    if e.lower().startswith(_PREFIXES):
                        yield from self._name(e, f"allowed initiator of resource {p.id}",
                                              C.value_span(p, "allowed_initiators"),
                                              f"iscsi cluster {p.id} / allowed_initiators / {e}")

    def _name(self, name, what, span, identity):
        why = C.name_problem(name)
        if why:
            yield self.finding(
                f"{what} name {name} {why}: targets and initiators refuse or never match an invalid iSCSI name",
                span, identity=identity)
