"""Writing LIO: `saveconfig.json` (the keys and types rtslib-fb's
`RTSRoot.restore()` reads) and the equivalent targetcli script."""

from __future__ import annotations

import re

from sanlint.migrate.base import MigrationPlan
from sanlint.migrate.iscsi.model import HostSource, LIO_ATTRS, LIO_PARAMS, LunSpec, TargetSpec
from sanlint.migrate.iscsi.tgt import chap_secret, discovery_users, portal_ip
from sanlint.model.iscsi import ChapUser
from sanlint.transform.iscsi import OPEN_LIO_TARGET


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
            ip = portal_ip(addr)
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
        chap_secret(secrets, [c for c in (incoming, outgoing) if c is not None])
        demo = not names and (spec.open or (addresses and address_acls == "open"))
        auth = 1 if incoming else 0
        tpg["attributes"].update({"authentication": auth, "generate_node_acls": 1 if demo else 0,
                                  "cache_dynamic_acls": 1 if demo else 0, "demo_mode_write_protect": 0})
        cmds.append(f"{tpath} set attribute authentication={auth} generate_node_acls={1 if demo else 0} "
                    f"cache_dynamic_acls={1 if demo else 0} demo_mode_write_protect=0")
        chap = _chap_dict(incoming, outgoing)
        if demo:
            why = ("the source target admits every initiator" if spec.open
                   else "it admits initiators by address only, which LIO cannot (--set lio-address-acls=open)")
            plan.item("error", f"{spec.name}: {why}, so this migration {OPEN_LIO_TARGET}: the new target is open to "
                      "every initiator (ISCSI104); list the initiator names (initiators.allow, or `acls create "
                      "IQN`) and rerun", spec.span)
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
    users = discovery_users(source)
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
