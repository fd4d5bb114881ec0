"""`drbd-9` (8.3/8.4 syntax -> DRBD 9) and `drbd-84` (8.3 -> 8.4).

Minimal byte-span edits on the original files: only the statements that
change are touched; comments, order and indentation elsewhere stay
byte-identical.  A statement that moves keeps its trailing comment; a new
section is written where the statement it replaces was (the `syncer`
section, the resource-level `protocol`), in the style of its neighbours.

Facts: research/drbd.md §1.6 (option homes per version), §2.2 (mechanical
changes, what drbdadm 9.22 refuses), §2.3 (semantics), §5.
"""

from __future__ import annotations

import os

from sanlint.migrate.base import MigrationPlan, Migrator
from sanlint.transform.drbd_rewrite import FileRewrite, SiteState


class _DrbdMigrator(Migrator):
    target = "9"
    formats = ("drbd",)
    options = {
        "fixed-resync-rate": ("no", ("yes", "no"), "with `yes`, add `c-plan-ahead 0;` where an 8.3 `syncer { rate }` "
                              "is migrated, keeping the fixed resync rate of 8.3 (default: report only)"),
    }

    def plan(self, site) -> MigrationPlan:
        plan = MigrationPlan(self.name)
        state = SiteState()
        seen: set[str] = set()
        for host in site.hosts.values():
            for cfg in host.drbd:
                src = cfg.span.file
                key = os.path.realpath(src.path) if src.path is not None else f"{src.host}\0{src.display}"
                if key in seen:
                    continue
                seen.add(key)
                FileRewrite(self, plan, cfg, state).run()
        plan.facts["drbd"] = state
        return plan


class Drbd9(_DrbdMigrator):
    name = "drbd-9"
    description = "DRBD 8.3/8.4 configuration -> DRBD 9 (drbd-utils 9.x)"
    target = "9"
    rules = ("DRBD113", "DRBD114", "DRBD120")
    settings = {"drbd-version": "9"}

    def runbook(self, ctx):
        """Rolling upgrade, one node after the other: standby, resources down,
        v08 metadata saved, packages, migrated files, metadata converted to
        v09, resources up, checks, online."""
        from sanlint.migrate.runbook import Step

        state: SiteState = ctx.plan.facts.get("drbd")
        steps: list[Step] = []
        notes = [
            "DRBD 9 other than 9.1.0-9.1.7 speaks the 8.4 wire protocol, so an upgraded node resyncs with a "
            "not-yet-upgraded 8.4 peer: upgrade one node at a time; never run 9.1.0-9.1.7 against an 8.4 peer",
            "drbdadm reads the file on each node: every node must get the same migrated files (node-ids included)"]
        if state is not None and state.from_83:
            notes.append("8.3 peers are not a documented partner for DRBD 9: if the cluster must stay up during the "
                         "upgrade, migrate to 8.4 first (`sanlint migrate drbd-84`), otherwise stop the resources on "
                         "both nodes before the first node is upgraded")
        for node in ctx.nodes:
            units, values = _units(ctx.site, node.host)
            res = _resources(units)
            if not res:
                continue
            if ctx.clustered:
                steps += ctx.standby(node)
            steps.append(Step("service", f"Take the DRBD resources down on {node.host}", node.host,
                              ["drbdadm", "down"], res, mode="all", rollback=["drbdadm", "up"],
                              rollback_note="brings them up again with the old version"))
            steps.append(Step(
                "backup", "Save each volume's v08 metadata before create-md converts it (no file restores it)",
                node.host, ["drbdadm", "dump-md", "{res}"], units, mode="each", values=values,
                stdout=f"{ctx.stage}/{{file}}.md",
                rollback_note="read-only; step create-md's rollback restores these dumps"))
            steps.append(Step(
                "manual", f"Install the DRBD 9 kernel module and drbd-utils 9 on {node.host}", node.host,
                rollback_note="reinstall the previous DRBD kernel module and drbd-utils packages",
                caveats=["keep Pacemaker from promoting on this node until its metadata is converted (it is in "
                         "standby)"] if ctx.clustered else []))
            if ctx.node_files(node.host):
                steps.append(ctx.file_change(node, "DRBD files"))
            if state is not None and state.handler_paths:
                steps.append(Step("check", "The handler scripts the configuration names exist", node.host,
                                  ["ls", "-l", "--", *sorted(state.handler_paths)],
                                  rollback_note="read-only: nothing to undo",
                                  caveats=["they are in /usr/lib/drbd on most distributions and in /lib/drbd on "
                                           "others (SUSE 15 SP4): fix `handlers { }` where they differ"]))
            steps.append(Step(
                "service", "Convert the metadata to v09 (drbdmeta asks nothing with --force)", node.host,
                ["drbdadm", "--", "--force", "create-md"], res, mode="all",
                rollback=["drbdmeta", "--force", "{minor}", "v08", "{disk}", "{index}", "restore-md",
                          f"{ctx.stage}/{{file}}.md"], rollback_mode="each", rollback_units=units,
                values=values,
                rollback_note="writes the saved v08 metadata back, volume by volume, once the old packages are installed again",
                caveats=["`drbdadm up` of DRBD 9 runs `drbdmeta ... v09 ... apply-al`: v08 metadata must be "
                         "converted first",
                         "for more than two nodes later, grow the backing device first and add --max-peers=N: "
                         "internal metadata holds one bitmap per peer",
                         "the node-ids in the configuration must match the bitmap slots of converted metadata: "
                         "do not change them afterwards"]))
            steps.append(Step("service", f"Bring the resources up on {node.host} with DRBD 9", node.host,
                              ["drbdadm", "up"], res, mode="all", rollback=["drbdadm", "down"],
                              rollback_note="takes them down again",
                              caveats=["auto-promote is on by default in DRBD 9: harmless with Pacemaker in "
                                       "charge; without it, opening the device promotes"]))
            steps.append(Step("check", "The resources are connected and resync (DRBD 9 shows no /proc/drbd)",
                              node.host, ["drbdadm", "status"], res, mode="all",
                              rollback_note="read-only: nothing to undo",
                              caveats=["wait until every volume is UpToDate on both nodes before the next node"]))
            if ctx.clustered:
                steps += ctx.online(node)
        if steps and state is not None and state.from_83:
            first = steps[0].node
            steps.append(Step("manual", "Find device paths that need the volume number since 8.4", first,
                              ["grep", "-rn", "/dev/drbd/by-res/", "/etc/fstab", "/etc/lvm/lvm.conf"],
                              rollback_note="read-only: nothing to undo",
                              caveats=["/dev/drbd/by-res/RES is a directory since 8.4: append /0 (fstab, "
                                       "Pacemaker Filesystem/LVM parameters, iSCSI backing stores, LVM filters); "
                                       "/dev/drbdN paths are unchanged"]))
        if steps and ctx.clustered:
            steps[-1].caveats.append("then `sanlint migrate pacemaker-2` for the DRBD 9 resource agent "
                                     "(ocf:linbit:drbd), roles and constraints; remove stale "
                                     "drbd-fence-by-handler-* constraints left by the 8.x fence script")
        if state is not None and state.multi_peer:
            notes.append("resources with more than two hosts need `connection-mesh { hosts ...; }` or connection "
                         "sections in DRBD 9: " + ", ".join(state.multi_peer))
        return steps, notes


def _units(site, host_name: str) -> tuple[list[str], dict[str, dict[str, str]]]:
    """The DRBD volumes of a host as runbook units: `RES` for a one-volume
    resource, `RES/VOL` otherwise, each with its minor, backing disk and
    metadata place (drbdmeta's arguments) and a file name for its dump."""
    from sanlint.views import drbd_minor, same_host

    units: list[str] = []
    values: dict[str, dict[str, str]] = {}
    h = site.hosts.get(host_name)
    seen: set[str] = set()
    for res in h.drbd_resources if h is not None else []:
        if res.name in seen:
            continue
        me = next((x for x in res.hosts if any(same_host(n, host_name) for n in x.names)), None)
        if me is None:
            continue
        seen.add(res.name)
        vols = res.effective_volumes(me)
        for v in vols:
            unit = res.name if len(vols) == 1 else f"{res.name}/{v.number or 0}"
            minor = drbd_minor(v.device, v.minor)
            meta = v.meta_disk or "internal"
            if meta in ("internal", "flexible-internal"):
                disk, index = v.disk or "", "internal"
            else:
                disk, index = meta, str(v.meta_index) if v.meta_index is not None else "flex-external"
            units.append(unit)
            values[unit] = {"minor": "" if minor is None else str(minor), "disk": disk, "index": index,
                            "file": unit.replace("/", "-")}
    return units, values


def _resources(units: list[str]) -> list[str]:
    return list(dict.fromkeys(u.split("/", 1)[0] for u in units))


class Drbd84(_DrbdMigrator):
    name = "drbd-84"
    description = "DRBD 8.3 configuration -> DRBD 8.4 syntax"
    target = "8.4"
    rules = ("DRBD113", "DRBD114", "DRBD120")
    settings = {"drbd-version": "8.4"}

    def runbook(self, ctx):
        """Rolling upgrade to 8.4: standby, packages, migrated files, adjust,
        checks, online (8.3 and 8.4 share the v08 metadata: no conversion)."""
        from sanlint.migrate.runbook import Step

        steps: list[Step] = []
        for node in ctx.nodes:
            res = _resources(_units(ctx.site, node.host)[0])
            if not res:
                continue
            if ctx.clustered:
                steps += ctx.standby(node)
            steps.append(Step("manual", f"Install the DRBD 8.4 kernel module and drbd-utils on {node.host}",
                              node.host, rollback_note="reinstall the previous DRBD packages"))
            if ctx.node_files(node.host):
                steps.append(ctx.file_change(node, "DRBD files"))
            steps.append(Step("service", "Apply the configuration to the running resources", node.host,
                              ["drbdadm", "adjust"], res, mode="all", rollback=["drbdadm", "adjust"],
                              rollback_note="after `sanlint rollback`, adjust to the original files again",
                              caveats=["8.3 and 8.4 use the same v08 metadata: no create-md conversion"]))
            steps.append(Step("check", "The resources are connected and resync", node.host,
                              ["drbdadm", "status"], res, mode="all", rollback_note="read-only: nothing to undo"))
            if ctx.clustered:
                steps += ctx.online(node)
        return steps, ["8.4 speaks the 8.3 wire protocol: the nodes resync during the rolling upgrade",
                       "/dev/drbd/by-res/RES is a directory since 8.4: append /0 where such paths are used"]
