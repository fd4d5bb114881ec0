"""`iscsi-tgt` (ietd -> tgt) and `iscsi-lio` (ietd or tgt -> LIO).

The source stack is read from the site model (ietd.conf with
initiators.allow/targets.allow, or tgt's targets.conf and conf.d) into one
neutral description per target (`TargetSpec`), which the two emitters
write out: a tgt `conf.d` file (tgt-admin's Config::General syntax) or an
LIO `saveconfig.json` (the keys and types rtslib-fb's `RTSRoot.restore()`
reads) plus the equivalent targetcli script.

Decisions:

* **One new file per host**, mirroring the one source file: tgt
  `etc/tgt/conf.d/sanlint-from-ietd.conf` (tgt-admin reads conf.d through
  the stock `include /etc/tgt/conf.d/*.conf`); LIO `etc/target/saveconfig.json`
  and `etc/target/sanlint-migrate.targetcli` (one `targetcli ...` command a
  line, runnable with `sh`).
* **The old files are not deleted**: every active line of ietd.conf,
  initiators.allow, targets.allow (or of a migrated tgt `<target>` block)
  is commented out with `#` plus a header naming the new file.  The site
  then has one definition of each target (no ISCSI103/ISCSI108), a second
  run finds nothing to migrate (idempotent), and the admin deletes the old
  files after the cut-over (an operator step says so).
* **tgt LUN 0**: tgt keeps LUN 0 for its controller.  An ietd `Lun 0` moves
  to the lowest free number from 1 (`--set lun0=first-free`, the default:
  only that LUN changes) or every LUN moves up by one (`--set lun0=shift`:
  the order stays).  Reported as an error item per moved LUN: initiators
  see the disk under another LUN (new /dev/disk/by-path names, multipath
  maps, fstab entries).  LIO keeps LUN 0 usable: no renumbering to LIO.
* **fileio/blockio**: ietd `Type=fileio` (page cache, write-through unless
  `IOMode=wb`) -> tgt `bs-type rdwr` (page cache) and LIO `fileio`
  (`write_back` = IOMode=wb); `Type=blockio` (direct I/O) -> tgt `bs-type
  aio` (O_DIRECT, tgt usr/bs_aio.c) and LIO `block`.  Write-through ->
  tgt `write-cache off`.
* **ACLs**: ietd's initiators.allow is first-match per target (exact name,
  `/regex/` or `ALL`; IET `initiator_match`); a target without a matching
  line is open.  Addresses -> tgt `initiator-address` (a /32 or /128 prefix
  is written as a bare address: tgt's `netmask_match` rejects /32), names ->
  `initiator-name`.  LIO has no address ACLs: each address is reported;
  `--set lio-address-acls=open` (default) leaves such a target open
  (generate_node_acls=1), `closed` admits nobody until initiator names are
  added.
* **Secrets**: passwords are written to the new files and cluster
  resources, never into a reason or item; every new file and the plan carry
  `secrets` (the values to mask) for printed diffs, and `redact()` masks them.
* **Cluster-managed targets**: when a cluster resource runs the source
  daemon (`lsb:iscsitarget`, `lsb:tgtd`, ... or `ocf:heartbeat:iSCSITarget
  implementation=iet`), the target and its LUNs become
  `ocf:heartbeat:iSCSITarget` + one `ocf:heartbeat:iSCSILogicalUnit` per LUN
  and the static file defines no target (ISCSI108: the boot-time service
  would make it live on both nodes).  The daemon primitive keeps its id
  (the first target takes it, so groups and constraints still hold); the
  LUs follow it in its group, or get an order + colocation when it is in
  none.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable

from sanlint.edit.cib import nvpair
from sanlint.edit.cluster import set_param
from sanlint.edit.crm import quote
from sanlint.edit.ids import IdStore, cluster_ids
from sanlint.edit.lio import dumps as lio_dumps
from sanlint.edit.text import indent_at
from sanlint.migrate.base import Change, MigrationPlan, Migrator, NewFile, OperatorStep
from sanlint.model.base import Setting
from sanlint.model.cluster import ClusterConfig, Group, Primitive
from sanlint.model.iscsi import ChapUser, IscsiConfig, IscsiTarget
from sanlint.rule import Edit
from sanlint.source import SourceFile, Span

if TYPE_CHECKING:
    from sanlint.model import Host, Site

TGT_FILE = "etc/tgt/conf.d/sanlint-from-ietd.conf"
LIO_FILE = "etc/target/saveconfig.json"
LIO_SCRIPT = "etc/target/sanlint-migrate.targetcli"
TARGET_AGENT = "ocf:heartbeat:iSCSITarget"
LU_AGENT = "ocf:heartbeat:iSCSILogicalUnit"
MARK = "sanlint"

# iSCSI keys tgt-admin passes to `tgtadm --mode target --op update` (scripts/tgt-admin, process_options)
TGT_TARGET_KEYS = ("MaxRecvDataSegmentLength", "MaxXmitDataSegmentLength", "HeaderDigest", "DataDigest",
                   "InitialR2T", "MaxOutstandingR2T", "ImmediateData", "FirstBurstLength", "MaxBurstLength",
                   "DataPDUInOrder", "DataSequenceInOrder", "ErrorRecoveryLevel", "IFMarker", "OFMarker",
                   "DefaultTime2Wait", "DefaultTime2Retain", "OFMarkInt", "IFMarkInt", "MaxConnections")
# LIO TPG parameters (configfs tpgt_N/param/, the negotiated keys in their RFC 3720 spelling)
LIO_PARAMS = ("AuthMethod", "HeaderDigest", "DataDigest", "MaxConnections", "TargetAlias", "InitialR2T",
              "ImmediateData", "MaxRecvDataSegmentLength", "MaxXmitDataSegmentLength", "MaxBurstLength",
              "FirstBurstLength", "DefaultTime2Wait", "DefaultTime2Retain", "MaxOutstandingR2T",
              "DataPDUInOrder", "DataSequenceInOrder", "ErrorRecoveryLevel", "IFMarker", "OFMarker",
              "IFMarkInt", "OFMarkInt")
# ietd target keys with an LIO TPG *attribute* instead (configfs tpgt_N/attrib/)
LIO_ATTRS = {"NOPInterval": "nopin_timeout", "NOPTimeout": "nopin_response_timeout",
             "QueuedCommands": "default_cmdsn_depth"}
# tgt's write-cache off, as tgt-admin sends it (add_params "write-cache")
TGT_WCE_OFF = "mode_page=8:0:18:0x10:0:0xff:0xff:0:0:0xff:0xff:0xff:0xff:0x80:0x14:0:0:0:0:0:0"

DAEMON_AGENTS = {
    "ietd": {"lsb:iscsitarget", "lsb:iscsi-target", "lsb:ietd", "lsb:iscsi-scst", "systemd:iscsitarget",
             "service:iscsitarget", "systemd:iscsitarget.service", "upstart:iscsitarget"},
    "tgt": {"lsb:tgtd", "lsb:tgt", "systemd:tgt", "systemd:tgtd", "systemd:tgt.service", "service:tgt",
            "service:tgtd", "upstart:tgt"},
}
IMPL_OF_STACK = {"ietd": "iet", "tgt": "tgt", "lio": "lio-t"}


# -- the neutral description -----------------------------------------------------

@dataclass
class LunSpec:
    number: int  # in the source stack
    path: str
    span: Span
    io_type: str | None = "fileio"  # fileio | blockio | nullio | None (unknown tgt bs-type)
    write_back: bool = False
    readonly: bool = False
    scsi_id: str | None = None
    scsi_sn: str | None = None
    block_size: str | None = None
    vendor_id: str | None = None
    product_id: str | None = None
    new: int = -1  # in the destination stack
    extra: dict[str, str] = field(default_factory=dict)  # options with no home


@dataclass
class Acl:
    kind: str  # address | name
    value: str
    span: Span | None


@dataclass
class TargetSpec:
    name: str
    stack: str  # ietd | tgt
    span: Span
    target: IscsiTarget
    luns: list[LunSpec] = field(default_factory=list)
    incoming: list[ChapUser] = field(default_factory=list)
    outgoing: list[ChapUser] = field(default_factory=list)
    acls: list[Acl] = field(default_factory=list)
    open: bool = True  # no ACL restricts logins
    params: list[Setting] = field(default_factory=list)
    portals: list[tuple[str, int, Span | None]] = field(default_factory=list)
    alias: str | None = None
    tid: int = 0


@dataclass
class HostSource:
    host: "Host"
    stack: str
    targets: list[TargetSpec]
    configs: list[IscsiConfig]  # the files to comment out
    discovery: list[Setting] = field(default_factory=list)


def redact(text: str, secrets: Iterable[str]) -> str:
    """Mask every secret value in `text` (diffs and reports)."""
    for s in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(s, "********")
    return text


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


def _ietd_source(host: "Host", plan: MigrationPlan) -> HostSource | None:
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


def _tgt_source(host: "Host", plan: MigrationPlan) -> HostSource | None:
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


def _portal_ip(value: str) -> str | None:
    m = re.fullmatch(r"\[([^\]]+)\]", value)
    addr = m.group(1) if m else value
    try:
        ipaddress.ip_address(addr)
    except ValueError:
        return None
    return addr


# -- tgt output ----------------------------------------------------------------------

def _chap_secret(plan_secrets: set[str], users: Iterable[ChapUser]) -> None:
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
    _chap_secret(secrets, spec.incoming + spec.outgoing[:1])
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
    users = _discovery_users(source)
    for direction, user, password, span in users:
        head.append(f"{direction}discoveryuser {user} {password}")
        if password:
            secrets.add(password)
    if managed:
        head.append("# Managed by the cluster (ocf:heartbeat:iSCSITarget/iSCSILogicalUnit), not defined here: "
                    + ", ".join(managed))
    body = [tgt_target_text(s, plan, secrets) for s in specs]
    return "\n".join(head) + "\n" + ("\n" if body else "") + "\n".join(body)


def _discovery_users(source: HostSource) -> list[tuple[str, str, str, Span]]:
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


# -- LIO output ------------------------------------------------------------------------

def _so_name(spec: TargetSpec, lun: LunSpec, taken: set[str]) -> str:
    base = re.sub(r"[^A-Za-z0-9_-]+", "_", lun.path.strip("/").replace("/dev/", "").replace("dev/", "")) or "lun"
    name, n = base, 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    taken.add(name)
    return name


def lio_config(source: HostSource, specs: list[TargetSpec], plan: MigrationPlan, secrets: set[str],
               address_acls: str) -> tuple[dict, list[str]]:
    """The saveconfig.json document and the targetcli commands that build it."""
    storage: list[dict] = []
    targets: list[dict] = []
    cmds = ["set global auto_add_default_portal=false"]
    taken: set[str] = set()
    by_path: dict[str, tuple[str, str]] = {}
    for spec in specs:
        tpg: dict = {"tag": 1, "enable": True, "attributes": {}, "parameters": {}, "luns": [], "portals": [],
                     "node_acls": []}
        cmds.append(f"/iscsi create {spec.name}")
        tpath = f"/iscsi/{spec.name}/tpg1"
        for lun in sorted(spec.luns, key=lambda x: x.new):
            plugin, name = by_path.get(lun.path, (None, None))
            if plugin is None:
                plugin = "block" if lun.io_type == "blockio" else "fileio"
                if lun.io_type == "nullio":
                    plan.item("error", f"{spec.name} LUN {lun.number}: nullio has no LIO counterpart in a "
                              "saveconfig (use a ramdisk with nullio=true by hand); written as fileio", lun.span)
                name = _so_name(spec, lun, taken)
                by_path[lun.path] = (plugin, name)
                so: dict = {"plugin": plugin, "name": name, "dev": lun.path, "write_back": lun.write_back,
                            "attributes": {}}
                if lun.scsi_sn:
                    so["wwn"] = lun.scsi_sn
                if plugin == "block":
                    so["readonly"] = lun.readonly
                    cmd = f"/backstores/block create name={name} dev={lun.path} readonly={str(lun.readonly).lower()}"
                else:
                    cmd = (f"/backstores/fileio create name={name} file_or_dev={lun.path} "
                           f"write_back={str(lun.write_back).lower()}")
                    if lun.readonly:
                        plan.item("error", f"{spec.name} LUN {lun.number}: read-only fileio has no LIO backstore "
                                  "flag; write-protect the mapped LUNs or use a block backstore", lun.span)
                if lun.scsi_sn:
                    cmd += f" wwn={lun.scsi_sn}"
                if plugin == "fileio" and not lun.path.startswith("/dev/"):
                    plan.item("error", f"{spec.name} LUN {lun.number}: {lun.path} is a regular file: rtslib-fb needs "
                              "its size in bytes to restore it (add \"size\": N to the storage object, N from "
                              "`stat -c %s`), the targetcli script reads it itself", lun.span, kind="decision")
                if lun.block_size:
                    so["attributes"]["block_size"] = int(lun.block_size)
                cmds.append(cmd)
                if lun.block_size:
                    cmds.append(f"/backstores/{plugin}/{name} set attribute block_size={int(lun.block_size)}")
                storage.append(so)
            if lun.scsi_id:
                plan.item("warning", f"{spec.name} LUN {lun.number}: ScsiId {lun.scsi_id} has no LIO setting (LIO "
                          "derives the device identifier from the backstore's wwn): initiators see a new "
                          "device id", lun.span)
            for k in ("vendor_id", "product_id"):
                if getattr(lun, k):
                    plan.item("warning", f"{spec.name} LUN {lun.number}: {k} {getattr(lun, k)} is not set by "
                              "saveconfig.json (write it to the backstore's wwn/ directory at boot)", lun.span)
            for k in lun.extra:
                plan.item("error", f"{spec.name} LUN {lun.number}: option {k} has no LIO equivalent and is dropped",
                          lun.span)
            tpg["luns"].append({"index": lun.new, "storage_object": f"/backstores/{plugin}/{name}"})
            cmds.append(f"{tpath}/luns create /backstores/{plugin}/{name} lun={lun.new} add_mapped_luns=false")
        # portals
        portals = []
        for addr, port, span in spec.portals:
            ip = _portal_ip(addr)
            if ip is None:
                plan.item("warning", f"{spec.name}: targets.allow entry {addr} is not a single address; LIO portals "
                          "are addresses, so it is not carried over", span)
                continue
            portals.append((ip, port))
        if not portals:
            portals = [("0.0.0.0", 3260)]
        for ip, port in portals:
            tpg["portals"].append({"ip_address": ip, "port": port})
            cmds.append(f"{tpath}/portals create ip_address={ip} ip_port={port}")
        # params and attributes
        for s in spec.params:
            if s.name in LIO_PARAMS:
                tpg["parameters"][s.name] = str(s.value)
                cmds.append(f"{tpath} set parameter {s.name}={s.value}")
            elif s.name in LIO_ATTRS and (s.value or "").isdigit():
                tpg["attributes"][LIO_ATTRS[s.name]] = int(s.value)
                cmds.append(f"{tpath} set attribute {LIO_ATTRS[s.name]}={s.value}")
                plan.item("info", f"{spec.name}: {s.name} {s.value} becomes the TPG attribute "
                          f"{LIO_ATTRS[s.name]}={s.value}", s.span, kind="note")
            else:
                plan.item("error", f"{spec.name}: parameter {s.name} {s.value} has no LIO TPG parameter or "
                          "attribute and is dropped", s.span)
        if spec.alias:
            tpg["parameters"]["TargetAlias"] = spec.alias
            cmds.append(f"{tpath} set parameter TargetAlias={spec.alias}")
        # ACLs and CHAP
        names = [a for a in spec.acls if a.kind == "name"] if not spec.open else []
        addresses = [a for a in spec.acls if a.kind == "address"] if not spec.open else []
        for a in addresses:
            plan.item("error", f"{spec.name}: address ACL {a.value}: LIO admits initiators by name only; restrict "
                      "this address with a firewall rule or list the initiators' names (then rerun, or add "
                      "`acls create IQN`)", a.span, kind="unmappable",
                      choice="--set lio-address-acls=closed (admit nobody until names are added)")
        incoming = spec.incoming[0] if spec.incoming else None
        outgoing = spec.outgoing[0] if spec.outgoing else None
        for c in spec.incoming[1:]:
            plan.item("error", f"{spec.name}: LIO takes one CHAP account per initiator ACL (or per TPG); "
                      f"IncomingUser {c.user} is dropped", c.span)
        for c in spec.outgoing[1:]:
            plan.item("error", f"{spec.name}: LIO takes one mutual CHAP account; OutgoingUser {c.user} is dropped",
                      c.span)
        _chap_secret(secrets, [c for c in (incoming, outgoing) if c is not None])
        demo = not names and (spec.open or (addresses and address_acls == "open"))
        auth = 1 if incoming else 0
        tpg["attributes"].update({"authentication": auth, "generate_node_acls": 1 if demo else 0,
                                  "cache_dynamic_acls": 1 if demo else 0, "demo_mode_write_protect": 0})
        cmds.append(f"{tpath} set attribute authentication={auth} generate_node_acls={1 if demo else 0} "
                    f"cache_dynamic_acls={1 if demo else 0} demo_mode_write_protect=0")
        chap = _chap_dict(incoming, outgoing)
        if demo:
            tpg.update(chap)
            for k, v in chap.items():
                cmds.append(f"{tpath} set auth {k.removeprefix('chap_')}={v}")
        for a in names:
            acl: dict = {"node_wwn": a.value, "mapped_luns": [
                {"index": lun.new, "tpg_lun": lun.new, "write_protect": lun.readonly}
                for lun in sorted(spec.luns, key=lambda x: x.new)]}
            acl.update(chap)
            tpg["node_acls"].append(acl)
            cmds.append(f"{tpath}/acls create {a.value} add_mapped_luns=false")
            for lun in sorted(spec.luns, key=lambda x: x.new):
                cmds.append(f"{tpath}/acls/{a.value} create mapped_lun={lun.new} tpg_lun_or_backstore={lun.new} "
                            f"write_protect={str(lun.readonly).lower()}")
            for k, v in chap.items():
                cmds.append(f"{tpath}/acls/{a.value} set auth {k.removeprefix('chap_')}={v}")
        if not demo and not names:
            plan.item("error", f"{spec.name}: no initiator can log in (LIO enforces node ACLs and the source lists "
                      "no initiator names): add `acls create IQN` for each initiator", spec.span, kind="decision")
        targets.append({"fabric": "iscsi", "wwn": spec.name, "tpgs": [tpg]})
    fabric: dict = {"name": "iscsi"}
    users = _discovery_users(source)
    inc = next(((u, p) for d, u, p, _ in users if d == "incoming"), None)
    out = next(((u, p) for d, u, p, _ in users if d == "outgoing"), None)
    if inc:
        fabric.update({"discovery_enable_auth": True, "discovery_userid": inc[0], "discovery_password": inc[1]})
        cmds.append(f"/iscsi set discovery_auth enable=1 userid={inc[0]} password={inc[1]}")
        secrets.add(inc[1])
        if out:
            fabric.update({"discovery_mutual_userid": out[0], "discovery_mutual_password": out[1]})
            cmds.append(f"/iscsi set discovery_auth mutual_userid={out[0]} mutual_password={out[1]}")
            secrets.add(out[1])
    doc = {"fabric_modules": [fabric] if len(fabric) > 1 else [], "storage_objects": storage, "targets": targets}
    cmds.append("saveconfig")
    return doc, cmds


def _chap_dict(incoming: ChapUser | None, outgoing: ChapUser | None) -> dict[str, str]:
    d: dict[str, str] = {}
    if incoming is not None:
        d["chap_userid"] = incoming.user
        d["chap_password"] = incoming.password or ""
    if outgoing is not None:
        d["chap_mutual_userid"] = outgoing.user
        d["chap_mutual_password"] = outgoing.password or ""
    return d


def targetcli_script(cmds: list[str], host: str) -> str:
    head = ["#!/bin/sh",
            f"# LIO configuration migrated by sanlint (iscsi-lio), host {host or '-'}: the same objects as",
            "# saveconfig.json, as targetcli-fb commands (run with `sh` on a node with the target modules).",
            "set -e"]
    return "\n".join(head + [f"targetcli {c}" for c in cmds]) + "\n"


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


# -- the cluster side --------------------------------------------------------------------

@dataclass
class ClusterWork:
    cluster: ClusterConfig
    daemons: list[Primitive] = field(default_factory=list)  # lsb:iscsitarget ...
    targets: list[Primitive] = field(default_factory=list)  # iSCSITarget with the source implementation
    lus: list[Primitive] = field(default_factory=list)


def _param(p: Primitive, name: str) -> str | None:
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
                impl = _param(p, "implementation")
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
            portals = [f"{_portal_ip(a)}:{p}" for a, p, _ in spec.portals if _portal_ip(a)]
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
                         "with targetcli's default write_back=true: this LUN's write-through is not kept",
                         lun.span, kind="decision")
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


def _group_of(c: ClusterConfig, rid: str) -> Group | None:
    r = c.resources.get(rid)
    parent = c.resources.get(r.parent) if r is not None and r.parent else None
    return parent if isinstance(parent, Group) else None


def rewrite_daemon(c: ClusterConfig, daemon: Primitive, prims: list[NewPrimitive], pairs: list[tuple[str, str]],
                   ids: IdStore) -> list[Edit]:
    """Replace the daemon primitive by the new primitives; LUs join its group
    right after it, or get an order and a colocation."""
    src = daemon.span.file
    data = src.data
    group = _group_of(c, daemon.id)
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

# -- the migrators ------------------------------------------------------------------------

class _IscsiMigrator(Migrator):
    dest = ""  # tgt | lio
    sources: tuple[str, ...] = ()

    def plan(self, site: "Site") -> MigrationPlan:
        plan = MigrationPlan(self.name)
        secrets: set[str] = set()
        plan.secrets = secrets  # type: ignore[attr-defined]  # values to mask in printed diffs
        dest_impl = "tgt" if self.dest == "tgt" else "lio-t"
        sources: list[HostSource] = []
        for name in sorted(site.hosts):
            host = site.hosts[name]
            for stack in self.sources:
                src = (_ietd_source if stack == "ietd" else _tgt_source)(host, plan)
                if src is not None:
                    sources.append(src)
                    break
        host_stacks = {cfg.stack for h in site.hosts.values() for cfg in h.iscsi}
        work = [w for stack in self.sources for w in cluster_work(site, stack, dest_impl, host_stacks)]
        managed = self._cluster(site, plan, sources, work, dest_impl, secrets)
        for k, src in enumerate(sources):
            self._host(plan, src, managed, secrets, report=k == 0 or not _same(sources[0], src))
        if sources:
            self._steps(plan, sources, bool(managed))
        for nf in plan.new_files():
            nf.secrets = sorted(secrets)  # type: ignore[attr-defined]
        return plan

    # cluster -------------------------------------------------------------------------
    def _cluster(self, site, plan, sources, work, dest_impl, secrets) -> set[str]:
        managed: set[str] = set()
        if not work:
            return managed
        ref = sources[0] if sources else None
        for other in sources[1:]:
            if not _same(ref, other):
                plan.item("warning", f"hosts {ref.host.name} and {other.host.name} define different iSCSI targets or "
                          f"LUNs; the cluster resources follow {ref.host.name}", other.targets[0].span,
                          kind="decision")
        for w in work:
            ids = cluster_ids(w.cluster)
            for k, daemon in enumerate(w.daemons):
                if ref is None:
                    plan.item("error", f"resource {daemon.id} ({w.cluster.agent_of(daemon)}) runs the target daemon "
                              "but no host configuration says which targets it serves: not migrated", daemon.span)
                    continue
                if k > 0:
                    plan.item("error", f"resource {daemon.id} is a second resource for the same daemon: not migrated",
                              daemon.span)
                    continue
                specs = [self._numbered(s, plan) for s in _fresh(ref)]
                clone = w.cluster.resources.get(daemon.parent) if daemon.parent else None
                if clone is not None and not isinstance(clone, Group):
                    plan.item("error", f"resource {daemon.id} is inside {clone.element} {clone.id}: a target cannot "
                              "run on every node at once; not migrated", daemon.span)
                    continue
                prims, pairs = cluster_resources(specs, daemon, dest_impl, ids, plan, secrets, report=True)
                edits = rewrite_daemon(w.cluster, daemon, prims, pairs, ids)
                where = "joins group " + _group_of(w.cluster, daemon.id).id + " after it" \
                    if _group_of(w.cluster, daemon.id) else "gets an order and a colocation after its target"
                plan.change(f"{w.cluster.agent_of(daemon)} resource {daemon.id} becomes {TARGET_AGENT} "
                            f"(implementation={dest_impl}) for {', '.join(s.name for s in specs)}, plus one "
                            f"{LU_AGENT} per LUN ({sum(len(s.luns) for s in specs)}); each LU {where}; the "
                            "static target configuration no longer defines these targets (ISCSI108)",
                            daemon.span, edits)
                managed.update(s.name.lower() for s in specs)
            for p in w.targets:
                self._retarget(plan, w.cluster, p, dest_impl, True)
                if _param(p, "iqn"):
                    managed.add(_param(p, "iqn").lower())
            lus_by_target: dict[str, list[Primitive]] = {}
            for p in w.lus:
                lus_by_target.setdefault((_param(p, "target_iqn") or "").lower(), []).append(p)
            for iqn, lus in lus_by_target.items():
                used = {int(v) for q in lus if (v := _param(q, "lun") or "").isdigit()}
                for p in lus:
                    self._retarget(plan, w.cluster, p, dest_impl, False, used)
        return managed

    def _retarget(self, plan, c, p, dest_impl, is_target, used=frozenset()) -> None:
        edits = []
        e = set_param(p, "implementation", dest_impl)
        if e:
            edits.append(e)
        what = f"{c.agent_of(p)} {p.id}: implementation={dest_impl}"
        if is_target:
            if dest_impl == "lio-t" and p.param("tid") is not None:
                edits.append(set_param(p, "tid", None))
                what += ", tid removed (lio-t does not support it)"
            if dest_impl == "tgt" and _param(p, "tid") is None:
                tid = str(1 + sum(1 for q in c.primitives() if c.agent_of(q) == TARGET_AGENT and _param(q, "tid")))
                edits.append(set_param(p, "tid", tid))
                what += f", tid={tid} (required by tgt)"
            if dest_impl == "tgt" and _param(p, "portals"):
                plan.item("warning", f"{p.id}: portals is not supported with implementation=tgt and is ignored by "
                          "the agent", p.param("portals").span)
        else:
            lun = _param(p, "lun")
            if dest_impl == "tgt" and lun == "0":
                free = next(n for n in range(1, len(used) + 2) if n not in used)
                edits.append(set_param(p, "lun", str(free)))
                what += f", lun 0 -> {free}"
                plan.item("error", f"LUN RENUMBERED: {p.id} lun=0 becomes lun={free}: tgt keeps LUN 0 for its "
                          "controller; initiators see the disk under a new LUN", p.span, kind="decision")
            if dest_impl == "lio-t" and _param(p, "scsi_id"):
                plan.item("warning", f"{p.id}: scsi_id is not supported with implementation=lio-t", p.span)
        edits = [x for x in edits if x is not None]
        if edits:
            plan.change(what, p.span, edits)

    # host ----------------------------------------------------------------------------
    def _numbered(self, spec: TargetSpec, plan: MigrationPlan | None) -> TargetSpec:
        if self.dest == "tgt":
            number_for_tgt(spec, self.choices.get("lun0", "first-free"), plan)
        else:
            number_keep(spec)
        return spec

    def _host(self, plan, src: HostSource, managed: set[str], secrets: set[str], report: bool) -> None:
        sub = plan if report else MigrationPlan(plan.migrator)
        static = [self._numbered(s, sub) for s in _fresh(src) if s.name.lower() not in managed]
        skipped = [s.name for s in src.targets if s.name.lower() in managed]
        host = src.host.name
        if self.dest == "tgt":
            text = tgt_file_text(src, static, sub, secrets, skipped)
            files = [NewFile.text(TGT_FILE, text, host=host or None, format="tgt")]
            what = f"etc/tgt/conf.d/{TGT_FILE.rsplit('/', 1)[1]}"
        else:
            doc, cmds = lio_config(src, static, sub, secrets, self.choices.get("lio-address-acls", "open"))
            text = lio_dumps(doc)
            files = [NewFile.text(LIO_FILE, text, host=host or None, format="lio"),
                     NewFile.text(LIO_SCRIPT, targetcli_script(cmds, host), host=host or None, format=None)]
            what = f"{LIO_FILE} and {LIO_SCRIPT}"
        ch = Change(f"host {host or '-'}: {len(static)} {src.stack} target(s) written to {what}"
                    + (f"; {', '.join(skipped)} left to the cluster resources" if skipped else ""),
                    src.targets[0].span, new_files=files)
        plan.changes.append(ch)
        self._retire(plan, src, host)

    def _retire(self, plan, src: HostSource, host: str) -> None:
        new = TGT_FILE if self.dest == "tgt" else LIO_FILE
        header = f"{MARK} {self.name}: migrated to /{new}; delete this file after the cut-over"
        for cfg in src.configs:
            f = cfg.span.file
            if src.stack == "ietd":
                edits = comment_out(f, None, header)
            else:
                spans = [t.span for t in cfg.targets]
                edits = comment_out(f, spans, header) if spans else []
            if edits:
                plan.change(f"{f.display}: commented out (kept for reference until the cut-over)", cfg.span, edits)

    def _steps(self, plan, sources: list[HostSource], managed: bool) -> None:
        hosts = [s.host.name for s in sources if s.host.name]
        old = {"ietd": "iscsitarget (ietd)", "tgt": "tgt"}[sources[0].stack]
        if self.dest == "tgt":
            plan.steps.append(OperatorStep(
                "Replace ietd by tgt", [
                    "systemctl disable --now iscsitarget  # or: /etc/init.d/iscsitarget stop; update-rc.d -f iscsitarget remove",
                    "apt-get install tgt", "grep -q 'include /etc/tgt/conf.d/\\*.conf' /etc/tgt/targets.conf",
                    "tgt-admin --conf /etc/tgt/targets.conf -e -p  # pretend: check what will be created",
                    ("systemctl enable --now tgt  # tgtd must run on every node: the cluster adds the targets"
                     if managed else "systemctl enable --now tgt && tgt-admin -e")],
                ["LUN 0 of every target is now tgt's controller: initiators see renumbered LUNs (see the items)",
                 "initiators must log out before the switch and rescan after it"], hosts))
        else:
            plan.steps.append(OperatorStep(
                f"Replace {old} by LIO", [
                    f"systemctl disable --now {'iscsitarget' if sources[0].stack == 'ietd' else 'tgt'}",
                    "apt-get install targetcli-fb",
                    ("systemctl disable target  # the cluster creates the targets; saveconfig.json has none of them"
                     if managed else "sh /etc/target/sanlint-migrate.targetcli  # or: targetcli restoreconfig /etc/target/saveconfig.json"),
                    "" if managed else "systemctl enable target  # restores saveconfig.json at boot"],
                ["initiators must log out before the switch and rescan after it",
                 "LIO admits initiators by name: address ACLs became items"], hosts))
            plan.steps[-1].commands = [c for c in plan.steps[-1].commands if c]
        plan.steps.append(OperatorStep(
            "Remove the old configuration after the cut-over",
            [f"rm /etc/{'ietd.conf /etc/initiators.allow /etc/targets.allow' if sources[0].stack == 'ietd' else 'tgt/conf.d/<old files>'}"],
            ["they are commented out, not deleted, so the previous setup stays readable"], hosts))


def _fresh(src: HostSource) -> list[TargetSpec]:
    """Copies with unset numbering (a spec is numbered once per use)."""
    import copy

    return [copy.deepcopy(s) for s in src.targets]


def _same(a: HostSource, b: HostSource) -> bool:
    def key(s: HostSource):
        return sorted((t.name, tuple(sorted((l.number, l.path, l.io_type, l.write_back) for l in t.luns)))
                      for t in s.targets)
    return key(a) == key(b)


class IscsiTgt(_IscsiMigrator):
    """ietd.conf (+ initiators.allow / targets.allow) -> tgt conf.d; the cluster's
    lsb:iscsitarget / iSCSITarget implementation=iet -> iSCSITarget/iSCSILogicalUnit implementation=tgt."""

    name = "iscsi-tgt"
    description = "ietd (iSCSI Enterprise Target) -> tgt: targets, LUNs (LUN 0 renumbered), CHAP, ACLs, cluster resources"
    formats = ("ietd", "ietd-allow", "tgt", "crm", "cib")
    rules = ("ISCSI103", "ISCSI108", "ISCSI110", "ISCSI111", "ISCSI112", "ISCSI113")
    options = {"lun0": ("first-free", ("first-free", "shift"),
                        "where ietd's LUN 0 goes in tgt: the lowest free number (only LUN 0 changes) or every LUN +1")}
    dest = "tgt"
    sources = ("ietd",)


class IscsiLio(_IscsiMigrator):
    """ietd or tgt -> LIO saveconfig.json + targetcli script; the cluster's daemon
    resource / iSCSITarget -> implementation=lio-t."""

    name = "iscsi-lio"
    description = "ietd or tgt -> LIO (saveconfig.json + targetcli script), cluster resources to implementation=lio-t"
    formats = ("ietd", "ietd-allow", "tgt", "lio", "crm", "cib")
    rules = ("ISCSI103", "ISCSI108", "ISCSI110", "ISCSI111", "ISCSI113")
    options = {"lio-address-acls": ("open", ("open", "closed"),
                                    "a target that ietd/tgt restricted by initiator address only: leave it open "
                                    "to every initiator name (generate_node_acls=1) or admit nobody until names are added")}
    dest = "lio"
    sources = ("ietd", "tgt")
