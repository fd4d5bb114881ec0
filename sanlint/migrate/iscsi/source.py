"""Reading the source stacks (ietd.conf with initiators/targets.allow, tgt
targets.conf) into `TargetSpec`s, LUN numbering for tgt, and commenting
out what was migrated."""

from __future__ import annotations

from typing import TYPE_CHECKING

import re

from sanlint.migrate.base import MigrationPlan
from sanlint.migrate.iscsi.model import Acl, HostSource, LunSpec, TargetSpec
from sanlint.rule import Edit
from sanlint.source import SourceFile, Span

if TYPE_CHECKING:
    from sanlint.model import Host


# -- reading the source stacks ------------------------------------------------------

def _ietd_lun(lun) -> LunSpec:
    p = dict(lun.params)
    mode = p.pop("IOMode", None)
    spec = LunSpec(lun.number if lun.number is not None else 0, lun.path or "", lun.span,
                   io_type=lun.io_type or "fileio", write_back=mode == "wb" and lun.io_type == "fileio",
                   readonly=mode == "ro")
    spec.scsi_id = p.pop("ScsiId", None)
    spec.scsi_sn = p.pop("ScsiSN", None)
    spec.block_size = p.pop("BlockSize", None)
    spec.extra = p
    return spec


def _tgt_lun(lun) -> LunSpec:
    p = dict(lun.params)
    for k in ("bs-type", "bsoflags", "write-cache"):
        p.pop(k, None)
    spec = LunSpec(lun.number if lun.number is not None else 0, lun.path or "", lun.span,
                   io_type=lun.io_type, write_back=bool(lun.write_cache), readonly=p.pop("readonly", "0") in ("1", "yes", "on"))
    spec.scsi_id = p.pop("scsi_id", None)
    spec.scsi_sn = p.pop("scsi_sn", None)
    spec.block_size = p.pop("block-size", None)
    spec.vendor_id = p.pop("vendor_id", None)
    spec.product_id = p.pop("product_id", None)
    spec.extra = p
    return spec


def _first_match(rules, name: str, plan: MigrationPlan | None, kind: str):
    """IET's initiator_match: the first line whose target is this name, ALL
    or a /regex/ matching it decides."""
    for rule in rules:
        t = rule.target
        if t == "ALL" or t.lower() == name.lower():
            return rule
        if len(t) > 2 and t.startswith("/") and t.endswith("/"):
            try:
                hit = re.search(t[1:-1], name) is not None
            except re.error:
                hit = False
            if hit:
                if plan is not None:
                    plan.item("warning", f"{kind}.allow pattern {t} matches {name}: its entries are copied to this "
                              "target; tgt and LIO have no name patterns, so targets added later are not covered",
                              rule.span, kind="decision")
                return rule
    return None


def ietd_source(host: "Host", plan: MigrationPlan) -> HostSource | None:
    confs = [c for c in host.iscsi if c.stack == "ietd"]
    targets = [t for c in confs for t in c.targets]
    if not targets:
        return None
    init_rules = [r for c in confs for r in c.allow_rules if r.file_kind == "initiators"]
    tgt_rules = [r for c in confs for r in c.allow_rules if r.file_kind == "targets"]
    specs = []
    for t in targets:
        spec = TargetSpec(t.name, "ietd", t.span, t, alias=t.alias)
        spec.luns = [_ietd_lun(lun) for lun in t.luns]
        for lun in t.refused_luns:
            plan.item("error", f"{t.name} Lun {lun.number}: IET refuses this line (a blank inside its options: "
                      "ISCSI114), so no running ietd exports this LUN; it is not migrated: write the options "
                      "without blanks and rerun", lun.span)
        spec.incoming = [c for c in t.chap if c.direction == "incoming"]
        spec.outgoing = [c for c in t.chap if c.direction == "outgoing"]
        spec.params = list(t.params)
        rule = _first_match(init_rules, t.name, plan, "initiators")
        if rule is not None and "ALL" not in rule.entries:
            spec.open = False
            for e in rule.entries:
                kind = "name" if e.lower().startswith(("iqn.", "eui.", "naa.")) else "address"
                spec.acls.append(Acl(kind, e, rule.span))
        rule = _first_match(tgt_rules, t.name, plan, "targets")
        if rule is not None and "ALL" not in rule.entries:
            for e in rule.entries:
                spec.portals.append((e, 3260, rule.span))
        specs.append(spec)
    discovery = [s for c in confs for s in c.global_params if s.name.lower() in ("incominguser", "outgoinguser",
                                                                              "incominguser.password",
                                                                              "outgoinguser.password")]
    return HostSource(host, "ietd", specs, confs, discovery)


def tgt_source(host: "Host", plan: MigrationPlan) -> HostSource | None:
    confs = [c for c in host.iscsi if c.stack == "tgt"]
    targets = [t for c in confs for t in c.targets]
    if not targets:
        return None
    specs = []
    for t in targets:
        spec = TargetSpec(t.name, "tgt", t.span, t, tid=t.tid or 0)
        spec.luns = [_tgt_lun(lun) for lun in t.luns]
        spec.incoming = [c for c in t.chap if c.direction == "incoming"]
        spec.outgoing = [c for c in t.chap if c.direction == "outgoing"]
        spec.params = list(t.params)
        spec.open = t.open_to_all
        spec.acls = [Acl(a.kind, a.value, a.span) for a in t.acls if a.kind in ("address", "name")]
        specs.append(spec)
    discovery = [s for c in confs for s in c.global_params if s.name.startswith(("incomingdiscoveryuser",
                                                                                 "outgoingdiscoveryuser"))]
    return HostSource(host, "tgt", specs, confs, discovery)


# -- LUN numbering -----------------------------------------------------------------

def number_for_tgt(spec: TargetSpec, how: str, plan: MigrationPlan | None) -> None:
    if not any(lun.number == 0 for lun in spec.luns):
        for lun in spec.luns:
            lun.new = lun.number
        return
    if how == "shift":
        for lun in spec.luns:
            lun.new = lun.number + 1
    else:
        used = {lun.number for lun in spec.luns}
        free = next(n for n in range(1, len(used) + 2) if n not in used)
        for lun in spec.luns:
            lun.new = free if lun.number == 0 else lun.number
    if plan is None:
        return
    for lun in spec.luns:
        if lun.new != lun.number:
            plan.item("error", f"LUN RENUMBERED: {spec.name} LUN {lun.number} ({lun.path}) becomes LUN {lun.new}: "
                      "tgt keeps LUN 0 for its controller; initiators see the disk under a new LUN (update "
                      "multipath maps, udev rules, fstab and by-path names on every initiator)",
                      lun.span, kind="decision",
                      choice="--set lun0=shift (every LUN +1, order kept)" if how != "shift"
                      else "--set lun0=first-free (only LUN 0 moves)")


def number_keep(spec: TargetSpec) -> None:
    for lun in spec.luns:
        lun.new = lun.number


# -- commenting out the source -------------------------------------------------------

def comment_out(src: SourceFile, spans: list[Span] | None, header: str) -> list[Edit]:
    """`#` before every non-blank, non-comment line (of `spans`, or of the whole
    file), plus a header comment at the top."""
    data = src.data
    lines: set[int] = set()
    ranges = [(s.start, s.end) for s in spans] if spans is not None else [(0, len(data))]
    for start, end in ranges:
        pos = data.rfind(b"\n", 0, start) + 1
        while pos < max(end, pos + 1) and pos < len(data):
            nl = data.find(b"\n", pos)
            nl = len(data) if nl < 0 else nl
            text = data[pos:nl].strip()
            if text and not text.startswith(b"#"):
                lines.add(pos)
            pos = nl + 1
            if pos >= end:
                break
    edits = [Edit(src, p, p, "# ") for p in sorted(lines)]
    if edits:
        edits.insert(0, Edit(src, 0, 0, f"# {header}\n"))
    return edits
