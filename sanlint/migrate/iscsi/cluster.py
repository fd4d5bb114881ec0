"""The cluster side: the resources that run the source daemon become
`ocf:heartbeat:iSCSITarget` + `iSCSILogicalUnit` primitives (crm or CIB),
written through `sanlint.edit`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import re
from dataclasses import dataclass, field

from sanlint.edit.cib import nvpair
from sanlint.edit.crm import quote
from sanlint.edit.ids import IdStore
from sanlint.edit.text import indent_at
from sanlint.migrate.base import MigrationPlan
from sanlint.migrate.iscsi.model import (
    DAEMON_AGENTS, IMPL_OF_STACK, LIO_PARAMS, LU_AGENT, TARGET_AGENT, TGT_TARGET_KEYS, TGT_WCE_OFF, TargetSpec
)
from sanlint.migrate.iscsi.tgt import portal_ip, tgt_address
from sanlint.transform.iscsi import OPEN_LIO_TARGET, WRITE_BACK_LOSS, WRITE_THROUGH_SAFE
from sanlint.model.cluster import ClusterConfig, Group, Primitive
from sanlint.rule import Edit

if TYPE_CHECKING:
    from sanlint.model import Site


# -- the cluster side --------------------------------------------------------------------

@dataclass
class ClusterWork:
    cluster: ClusterConfig
    daemons: list[Primitive] = field(default_factory=list)  # lsb:iscsitarget ...
    targets: list[Primitive] = field(default_factory=list)  # iSCSITarget with the source implementation
    lus: list[Primitive] = field(default_factory=list)


def param_value(p: Primitive, name: str) -> str | None:
    v = p.params_dict().get(name)
    return v if v not in (None, "") else None


def cluster_work(site: "Site", source_stack: str, dest_impl: str, host_stacks: set[str]) -> list[ClusterWork]:
    out = []
    src_impl = IMPL_OF_STACK[source_stack]
    for c in site.all_clusters():
        w = ClusterWork(c)
        for p in c.primitives():
            agent = c.agent_of(p)
            if agent in DAEMON_AGENTS[source_stack]:
                w.daemons.append(p)
            elif agent in (TARGET_AGENT, LU_AGENT):
                impl = param_value(p, "implementation")
                if impl == dest_impl or (impl is None and source_stack not in host_stacks):
                    continue
                if impl in (src_impl, None) or (dest_impl == "lio-t" and impl == "lio"):
                    (w.targets if agent == TARGET_AGENT else w.lus).append(p)
        if w.daemons or w.targets or w.lus:
            out.append(w)
    return out


@dataclass
class NewPrimitive:
    id: str
    agent: str  # ocf:heartbeat:X
    params: list[tuple[str, str]]


def cluster_resources(specs: list[TargetSpec], daemon: Primitive, dest_impl: str, ids: IdStore,
                      plan: MigrationPlan, secrets: set[str], report: bool) -> tuple[list[NewPrimitive], list[tuple[str, str]]]:
    """iSCSITarget + iSCSILogicalUnit primitives for the targets a daemon
    primitive ran; returns the primitives (in start order) and (target id,
    LU id) pairs."""
    prims: list[NewPrimitive] = []
    pairs: list[tuple[str, str]] = []
    item = plan.item if report else (lambda *a, **k: None)
    tids = {name: i for i, name in enumerate(sorted({s.name for s in specs}), 1)}
    for k, spec in enumerate(specs):
        tid = daemon.id if k == 0 else ids.fresh(f"{daemon.id}-t{k + 1}")
        params = [("iqn", spec.name), ("implementation", dest_impl)]
        if dest_impl == "tgt":
            params.append(("tid", str(tids[spec.name])))
        if spec.incoming:
            c = spec.incoming[0]
            params += [("incoming_username", c.user), ("incoming_password", c.password or "")]
            if c.password:
                secrets.add(c.password)
            for extra in spec.incoming[1:]:
                item("error", f"{spec.name}: iSCSITarget takes one incoming CHAP account; IncomingUser "
                     f"{extra.user} is dropped", extra.span)
        for c in spec.outgoing:
            item("error", f"{spec.name}: iSCSITarget has no outgoing (mutual) CHAP parameter; OutgoingUser "
                 f"{c.user} is dropped (set it by hand after each start, or keep the target static)", c.span)
        allowed = []
        if not spec.open:
            want = "address" if dest_impl == "tgt" else "name"
            for a in spec.acls:
                if a.kind == want:
                    allowed.append(tgt_address(a.value) if want == "address" else a.value)
                else:
                    item("error", f"{spec.name}: ACL {a.value}: iSCSITarget implementation={dest_impl} takes "
                         f"initiator {'addresses' if want == 'address' else 'names'} in allowed_initiators only; "
                         "this entry is dropped (use a firewall rule or the other kind)", a.span)
            if allowed:
                params.append(("allowed_initiators", " ".join(allowed)))
            elif dest_impl == "tgt":
                item("error", f"{spec.name}: no ACL entry survives: the target is open to every initiator address",
                     spec.span)
        if not allowed and dest_impl in ("lio", "lio-t"):
            why = "the source target admits every initiator" if spec.open else "no initiator name ACL survives"
            item("error", f"{spec.name}: {why}, and iSCSITarget implementation={dest_impl} without "
                 f"allowed_initiators {OPEN_LIO_TARGET}: the new target is open to every initiator (ISCSI104); "
                 "add allowed_initiators with the initiator names", spec.span)
        keys = TGT_TARGET_KEYS if dest_impl == "tgt" else LIO_PARAMS
        extra = []
        for s in spec.params:
            if s.name in keys:
                extra.append(f"{s.name}={s.value}")
            else:
                item("error", f"{spec.name}: parameter {s.name} {s.value} has no iSCSITarget "
                     f"(implementation={dest_impl}) equivalent and is dropped", s.span)
        if extra:
            params.append(("additional_parameters", " ".join(extra)))
        if dest_impl == "lio-t":
            portals = [f"{portal_ip(a)}:{p}" for a, p, _ in spec.portals if portal_ip(a)]
            if portals:
                params.append(("portals", " ".join(portals)))
        elif spec.portals:
            item("warning", f"{spec.name}: targets.allow limits the target to {spec.portals[0][0]}; iSCSITarget "
                 "with implementation=tgt cannot bind portals", spec.portals[0][2])
        prims.append(NewPrimitive(tid, TARGET_AGENT, params))
        for lun in sorted(spec.luns, key=lambda x: x.new):
            lid = ids.fresh(f"{tid}-lun{lun.new}")
            lp = [("target_iqn", spec.name), ("implementation", dest_impl), ("lun", str(lun.new)),
                  ("path", lun.path)]
            if dest_impl == "tgt":
                lp.append(("tgt_bstype", "aio" if lun.io_type == "blockio" else "rdwr"))
                if lun.scsi_id:
                    lp.append(("scsi_id", lun.scsi_id))
                if lun.scsi_sn:
                    lp.append(("scsi_sn", lun.scsi_sn))
                add = []
                if not lun.write_back:
                    add.append(TGT_WCE_OFF)
                if lun.readonly:
                    add.append("readonly=1")
                if add:
                    lp.append(("additional_parameters", " ".join(add)))
            else:
                lp.append(("liot_bstype", "block" if lun.io_type == "blockio" else "fileio"))
                if lun.scsi_sn:
                    lp.append(("scsi_sn", lun.scsi_sn))
                if allowed:
                    lp.append(("allowed_initiators", " ".join(allowed)))
                if lun.io_type != "blockio" and not lun.write_back:
                    item("warning", f"{spec.name} LUN {lun.number}: iSCSILogicalUnit creates LIO fileio backstores "
                         f"with targetcli's default write_back=true, so this LUN loses its {WRITE_THROUGH_SAFE} "
                         f"and becomes write-back: {WRITE_BACK_LOSS} (ISCSI106); liot_bstype=block keeps it "
                         "write-through", lun.span, kind="decision")
                if lun.scsi_id:
                    item("warning", f"{spec.name} LUN {lun.number}: scsi_id is not supported by lio-t and is "
                         "dropped", lun.span)
                if lun.readonly:
                    item("error", f"{spec.name} LUN {lun.number}: read-only is not supported by "
                         "iSCSILogicalUnit (lio-t) and is dropped", lun.span)
            prims.append(NewPrimitive(lid, LU_AGENT, lp))
            pairs.append((tid, lid))
    return prims, pairs


OPS = (("start", "0", "20s"), ("stop", "0", "60s"), ("monitor", "10s", "20s"))


def crm_primitive(p: NewPrimitive) -> str:
    lines = [f"primitive {p.id} {p.agent} \\",
             "\tparams " + " ".join(f"{k}={quote(v)}" for k, v in p.params) + " \\"]
    ops = [f"\top {n} interval={i} timeout={t}" for n, i, t in OPS]
    return "\n".join(lines + [o + " \\" for o in ops[:-1]] + [ops[-1]])


def cib_primitive(p: NewPrimitive, indent: str, unit: str) -> str:
    cls, prov, typ = p.agent.split(":")
    i1, i2, i3 = indent + unit, indent + unit * 2, indent
    lines = [f'<primitive id="{p.id}" class="{cls}" provider="{prov}" type="{typ}">',
             f'{i1}<instance_attributes id="{p.id}-instance_attributes">']
    lines += [f'{i2}{nvpair(f"{p.id}-instance_attributes-{k}", k, v)}' for k, v in p.params]
    lines.append(f"{i1}</instance_attributes>")
    lines.append(f"{i1}<operations>")
    lines += [f'{i2}<op name="{n}" interval="{i}" timeout="{t}" id="{p.id}-{n}-{i}"/>' for n, i, t in OPS]
    lines.append(f"{i1}</operations>")
    lines.append(f"{i3}</primitive>")
    return lines[0] + "".join("\n" + l for l in lines[1:])


def group_of(c: ClusterConfig, rid: str) -> Group | None:
    r = c.resources.get(rid)
    parent = c.resources.get(r.parent) if r is not None and r.parent else None
    return parent if isinstance(parent, Group) else None


def rewrite_daemon(c: ClusterConfig, daemon: Primitive, prims: list[NewPrimitive], pairs: list[tuple[str, str]],
                   ids: IdStore) -> list[Edit]:
    """Replace the daemon primitive by the new primitives; LUs join its group
    right after it, or get an order and a colocation."""
    src = daemon.span.file
    data = src.data
    group = group_of(c, daemon.id)
    new_ids = [p.id for p in prims[1:]]
    edits: list[Edit] = []
    if c.source_kind == "crm":
        text = "\n".join(crm_primitive(p) for p in prims)
        edits.append(Edit.replace(daemon.span, text))
        extra = []
        if group is not None:
            edits.append(_crm_group_insert(group, daemon.id, new_ids))
        else:
            for tid, lid in pairs:
                extra.append(f"order {ids.fresh(f'o-{lid}-after-{tid}')} Mandatory: {tid} {lid}")
                extra.append(f"colocation {ids.fresh(f'c-{lid}-with-{tid}')} inf: {lid} {tid}")
        if extra:
            edits.append(Edit.insert(src, daemon.span.end, "\n" + "\n".join(extra)))
        return edits
    indent = indent_at(data, daemon.span.start)
    unit = _xml_unit(data, daemon.span.start, indent)
    text = f"\n{indent}".join(cib_primitive(p, indent, unit) for p in prims)
    edits.append(Edit.replace(daemon.span, text))
    if group is None and pairs:
        m = re.search(rb"<constraints\s*/>|</constraints>", data)
        cons = []
        for tid, lid in pairs:
            oid, cid = ids.fresh(f"o-{lid}-after-{tid}"), ids.fresh(f"c-{lid}-with-{tid}")
            cons.append(f'<rsc_order id="{oid}" kind="Mandatory" first="{tid}" then="{lid}"/>')
            cons.append(f'<rsc_colocation id="{cid}" score="INFINITY" rsc="{lid}" with-rsc="{tid}"/>')
        if m is not None:
            ind = indent_at(data, m.start())
            inner = ind + unit
            body = "".join(f"\n{inner}{x}" for x in cons)
            if m.group(0).startswith(b"</"):
                # before the closing tag, on lines of their own
                ls = data.rfind(b"\n", 0, m.start())
                edits.append(Edit.insert(src, ls if ls >= 0 else m.start(), body))
            else:
                edits.append(Edit(src, m.start(), m.end(), f"<constraints>{body}\n{ind}</constraints>"))
    return edits


def _xml_unit(data: bytes, offset: int, indent: str) -> str:
    nxt = data.find(b"\n", offset)
    if nxt >= 0:
        ind2 = indent_at(data, nxt + 1)
        if ind2.startswith(indent) and len(ind2) > len(indent):
            return ind2[len(indent):]
    return "  "


def _crm_group_insert(group: Group, after: str, new_ids: list[str]) -> Edit:
    text = group.span.text
    m = re.match(r"\s*group\s+\S+", text)
    pos = m.end() if m else 0
    word = re.compile(r"(?<![^\s\\])" + re.escape(after) + r"(?![^\s\\])")
    hit = word.search(text, pos)
    assert hit is not None, (group.id, after)
    offset = group.span.start + len(text[:hit.end()].encode("utf-8", "surrogateescape"))
    return Edit.insert(group.span.file, offset, "".join(f" {i}" for i in new_ids))


# -- editing existing iSCSITarget / iSCSILogicalUnit resources ----------------------------
