"""Writing tgt: a `conf.d` file in tgt-admin's Config::General syntax."""

from __future__ import annotations

import ipaddress
import re
from typing import Iterable

from sanlint.migrate.base import MigrationPlan
from sanlint.migrate.iscsi.model import HostSource, TGT_TARGET_KEYS, TargetSpec
from sanlint.model.base import Setting
from sanlint.model.iscsi import ChapUser
from sanlint.source import Span


# -- ACL helpers --------------------------------------------------------------------

def tgt_address(value: str) -> str:
    """initiators.allow address -> tgt initiator-address (a full-length prefix
    becomes a bare address: tgt's netmask_match refuses /32 and /128)."""
    m = re.fullmatch(r"\[([^\]]+)\](?:/(\d+))?", value)
    addr, prefix = (m.group(1), m.group(2)) if m else (value.partition("/")[0], value.partition("/")[2] or None)
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return value
    if prefix is not None and int(prefix) == ip.max_prefixlen:
        prefix = None
    shown = f"[{addr}]" if ip.version == 6 else addr
    return shown if prefix is None else f"{shown}/{prefix}"


def portal_ip(value: str) -> str | None:
    m = re.fullmatch(r"\[([^\]]+)\]", value)
    addr = m.group(1) if m else value
    try:
        ipaddress.ip_address(addr)
    except ValueError:
        return None
    return addr


# -- tgt output ----------------------------------------------------------------------

def chap_secret(plan_secrets: set[str], users: Iterable[ChapUser]) -> None:
    for c in users:
        if c.password:
            plan_secrets.add(c.password)


def tgt_target_text(spec: TargetSpec, plan: MigrationPlan, secrets: set[str]) -> str:
    out = [f"# {spec.name}: from {spec.span.path}:{spec.span.line}"]
    out.append(f"<target {spec.name}>")
    for lun in sorted(spec.luns, key=lambda x: x.new):
        out.append(f"    <backing-store {lun.path}>")
        if lun.new != lun.number:
            out.append(f"        # ietd Lun {lun.number}: tgt keeps LUN 0 for its controller")
        out.append(f"        lun {lun.new}")
        if lun.io_type == "blockio":
            out.append("        bs-type aio")
        elif lun.io_type == "nullio":
            out.append("        bs-type null")
        else:
            out.append("        bs-type rdwr")
        out.append(f"        write-cache {'on' if lun.write_back else 'off'}")
        if lun.readonly:
            out.append("        readonly 1")
        if lun.scsi_id:
            out.append(f"        scsi_id {lun.scsi_id}")
        if lun.scsi_sn:
            out.append(f"        scsi_sn {lun.scsi_sn}")
        if lun.block_size:
            out.append(f"        block-size {lun.block_size}")
        out.append("    </backing-store>")
        for k in lun.extra:
            plan.item("error", f"{spec.name} LUN {lun.number}: option {k} has no tgt equivalent and is dropped",
                      lun.span)
        if lun.io_type == "nullio":
            plan.item("warning", f"{spec.name} LUN {lun.number}: ietd nullio becomes tgt bs-type null (no data "
                      "is stored, as before)", lun.span, kind="note")
    for c in spec.incoming:
        out.append(f"    incominguser {c.user} {c.password}")
    for i, c in enumerate(spec.outgoing):
        if i == 0:
            out.append(f"    outgoinguser {c.user} {c.password}")
        else:
            plan.item("error", f"{spec.name}: tgt binds one outgoing (mutual CHAP) account per target; "
                      f"OutgoingUser {c.user} is dropped", c.span)
    chap_secret(secrets, spec.incoming + spec.outgoing[:1])
    if not spec.open:
        kinds = {a.kind for a in spec.acls}
        for a in spec.acls:
            if a.kind == "address":
                out.append(f"    initiator-address {tgt_address(a.value)}")
            else:
                out.append(f"    initiator-name {a.value}")
        if kinds == {"address", "name"}:
            plan.item("warning", f"{spec.name}: initiators.allow admits an initiator that matches an address OR a "
                      "name; tgt requires both (an initiator-name list and an initiator-address list must each "
                      "match): initiators matched by only one kind are refused now",
                      spec.acls[0].span, kind="decision", choice="edit the initiator-address/initiator-name lines")
        if kinds == {"name"}:
            out.append("    # tgt binds -I ALL when no initiator-address is given; the names restrict logins")
    for s in spec.params:
        if s.name in TGT_TARGET_KEYS:
            out.append(f"    {s.name} {s.value}")
        else:
            plan.item("error", f"{spec.name}: ietd parameter {s.name} {s.value} has no tgt per-target key "
                      f"(tgt-admin passes only {', '.join(TGT_TARGET_KEYS[:4])}, ...) and is dropped"
                      + ("; tgtd's --nr_iothreads is the daemon-wide equivalent" if s.name == "Wthreads" else "")
                      + ("; tgtd's --iscsi nop_interval= is the daemon-wide equivalent"
                         if s.name in ("NOPInterval", "NOPTimeout") else ""), s.span)
    if spec.alias:
        plan.item("info", f"{spec.name}: Alias {spec.alias} has no tgt targets.conf key and is dropped",
                  spec.target.span, kind="note")
    for addr, _port, span in spec.portals:
        plan.item("warning", f"{spec.name}: targets.allow shows this target on {addr} only; tgt has no per-target "
                  "portal (tgtd listens on every portal given with --iscsi portal=IP:PORT for all targets)", span,
                  kind="unmappable")
    out.append("</target>")
    return "\n".join(out) + "\n"


def tgt_file_text(source: HostSource, specs: list[TargetSpec], plan: MigrationPlan, secrets: set[str],
                  managed: list[str]) -> str:
    head = [f"# tgt configuration migrated from ietd by sanlint (iscsi-tgt), host {source.host.name or '-'}.",
            "# tgt-admin reads it through `include /etc/tgt/conf.d/*.conf` in /etc/tgt/targets.conf.",
            "# Targets get tids in sorted-name order; LUN 0 of every target is tgt's controller."]
    users = discovery_users(source)
    for direction, user, password, span in users:
        head.append(f"{direction}discoveryuser {user} {password}")
        if password:
            secrets.add(password)
    if managed:
        head.append("# Managed by the cluster (ocf:heartbeat:iSCSITarget/iSCSILogicalUnit), not defined here: "
                    + ", ".join(managed))
    body = [tgt_target_text(s, plan, secrets) for s in specs]
    return "\n".join(head) + "\n" + ("\n" if body else "") + "\n".join(body)


def discovery_users(source: HostSource) -> list[tuple[str, str, str, Span]]:
    out = []
    pending: dict[str, Setting] = {}
    for s in source.discovery:
        base = s.name.lower().removesuffix(".password")
        if s.name.lower().endswith(".password"):
            user = pending.pop(base, None)
            if user is not None:
                direction = "incoming" if base.startswith("incoming") else "outgoing"
                out.append((direction, user.value or "", s.value or "", s.span))
        else:
            pending[base] = s
    return out
