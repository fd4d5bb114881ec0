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

from sanlint.migrate.base import MigrationPlan, Migrator, OperatorStep
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
        plan.steps = self.steps(state)
        return plan

    def steps(self, state: "SiteState") -> list[OperatorStep]:  # pragma: no cover - per target
        raise NotImplementedError


class Drbd9(_DrbdMigrator):
    name = "drbd-9"
    description = "DRBD 8.3/8.4 configuration -> DRBD 9 (drbd-utils 9.x)"
    target = "9"
    rules = ("DRBD113", "DRBD114", "DRBD120")
    settings = {"drbd-version": "9"}

    def steps(self, state: SiteState) -> list[OperatorStep]:
        res = state.resources or ["RES"]
        one = res[0]
        steps = [
            OperatorStep(
                "Copy the migrated DRBD files to every node (they are identical on all nodes, node-ids included)",
                ["sanlint check --select DRBD <site>   # on the migrated copy, before deploying"],
                ["drbdadm reads the file on each node: a node with the old file gets other node-ids"]),
            OperatorStep(
                "Make sure the handler scripts the configuration names exist on every node",
                [f"ls -l {p}" for p in sorted(state.handler_paths)] or ["ls -l /usr/lib/drbd/ /lib/drbd/"],
                ["the scripts live in /usr/lib/drbd on most distributions and in /lib/drbd on others "
                 "(SUSE 15 SP4 moved them): fix the paths in `handlers { }` where they differ",
                 "crm-unfence-peer.9.sh is a symlink to crm-fence-peer.9.sh (it switches on $0); both come "
                 "with drbd-utils 9"]),
            OperatorStep(
                "Upgrade one node at a time, the secondary first (rolling upgrade)",
                ["crm node standby <node>      # or pcs node standby: the cluster moves the primaries away",
                 "# install the DRBD 9 kernel module and drbd-utils 9 on <node>, deploy the migrated files"],
                ["DRBD 9 other than 9.1.0-9.1.7 speaks the 8.4 wire protocol, so an upgraded node can resync "
                 "with a not-yet-upgraded 8.4 peer; never run 9.1.0-9.1.7 against an 8.4 peer",
                 "an 8.3 peer is not a documented partner for DRBD 9: upgrade 8.3 nodes to 8.4 first "
                 "(`sanlint migrate drbd-84`) if the cluster must stay up",
                 "keep Pacemaker from promoting on the upgraded node until its metadata is converted"]),
            OperatorStep(
                "Convert each resource's metadata to v09 on the upgraded node (resource down)",
                [f"drbdadm down {r}" for r in res[:3]] + [f"drbdadm create-md {r}   # answer yes to "
                                                          f"\"Valid v08 meta-data found, convert to v09?\""
                                                          for r in res[:3]]
                + (["# ... and the same for the other resources"] if len(res) > 3 else []),
                ["drbdadm up of DRBD 9 runs `drbdmeta ... v09 ... apply-al`: v08 metadata must be converted first",
                 "for more than two nodes later, grow the backing device first and pass --max-peers=N "
                 f"(`drbdadm -v --max-peers=N -- --force create-md {one}` non-interactively); internal "
                 "metadata needs one bitmap per peer",
                 "the node-ids in the configuration must match the bitmap slots of converted metadata: "
                 "do not change them afterwards (dump-md/restore-md needed)"]),
            OperatorStep(
                "Bring the resources up and let them resync",
                ["drbdadm up all   # or: drbdadm adjust all", "drbdadm status   # /proc/drbd no longer shows the state"],
                ["auto-promote is on by default in DRBD 9: with Pacemaker in charge that is harmless, without it "
                 "opening the device promotes"]),
            OperatorStep(
                "Then upgrade the other node the same way, and take both out of standby",
                ["crm node online <node>"], []),
        ]
        if state.from_83:
            steps.append(OperatorStep(
                "Update device paths: /dev/drbd/by-res/RES is a directory since 8.4 (volumes)",
                ["grep -rn '/dev/drbd/by-res/' /etc/fstab /etc/lvm/lvm.conf /etc/ietd.conf /etc/tgt /etc/target "
                 "<cluster config>"],
                ["append the volume number: /dev/drbd/by-res/RES -> /dev/drbd/by-res/RES/0 (fstab, Pacemaker "
                 "Filesystem/LVM parameters, iSCSI backing stores, LVM filters); /dev/drbdN paths are unchanged"]))
        steps.append(OperatorStep(
            "Use the DRBD 9 resource agent and fencing scripts in Pacemaker",
            ["sanlint migrate pacemaker-2 <site>   # ocf:linbit:drbd, roles, constraints"],
            ["crm-fence-peer.9.sh places its constraints per connection; remove stale drbd-fence-by-handler-* "
             "constraints left by the 8.x script before the upgrade"]))
        if state.multi_peer:
            steps.append(OperatorStep(
                "Resources with more than two hosts need connections",
                [f"# add `connection-mesh {{ hosts ...; }}` to {r}" for r in state.multi_peer],
                ["DRBD 9 connects more than two `on` hosts only through connection-mesh or explicit "
                 "connection sections (8.4 used the extra hosts for IP failover)"]))
        return steps


class Drbd84(_DrbdMigrator):
    name = "drbd-84"
    description = "DRBD 8.3 configuration -> DRBD 8.4 syntax"
    target = "8.4"
    rules = ("DRBD113", "DRBD114", "DRBD120")
    settings = {"drbd-version": "8.4"}

    def steps(self, state: SiteState) -> list[OperatorStep]:
        steps = [
            OperatorStep("Copy the migrated DRBD files to every node", [], []),
            OperatorStep(
                "Upgrade one node at a time, the secondary first",
                ["crm node standby <node>", "# install DRBD 8.4 (kernel module and drbd-utils) on <node>",
                 "drbdadm adjust all", "crm node online <node>"],
                ["8.3 and 8.4 use the same v08 metadata: no create-md conversion is needed",
                 "8.4 speaks the 8.3 wire protocol, so the nodes resync during the rolling upgrade"]),
        ]
        if state.from_83:
            steps.append(OperatorStep(
                "Update device paths: /dev/drbd/by-res/RES is a directory since 8.4 (volumes)",
                ["grep -rn '/dev/drbd/by-res/' /etc/fstab /etc/lvm/lvm.conf /etc/ietd.conf /etc/tgt <cluster config>"],
                ["append the volume number: /dev/drbd/by-res/RES -> /dev/drbd/by-res/RES/0"]))
        return steps
