"""Regenerate the OCF / fence-agent meta-data shipped with sanlint.

Run on a host with the agents installed (resource-agents, drbd-utils,
fence-agents, pacemaker)::

    python3 -m sanlint.data.regenerate_agents [--out DIR]

For each agent it runs the agent's own `meta-data` action
(`OCF_ROOT=/usr/lib/ocf /usr/lib/ocf/resource.d/<provider>/<type> meta-data`,
`/usr/sbin/fence_X -o metadata`, `pacemaker-fenced metadata`) and writes a
compact JSON file `sanlint/data/agents/<class>_<provider>_<type>.json`:
parameters (name, required, unique, deprecated, type, default) and actions
(name, timeout, interval, role, depth).  An agent that is not installed is
skipped with a warning and its existing JSON file is kept.

Defaults that depend on the host the script runs on are dropped: the
`implementation` of iSCSITarget / iSCSILogicalUnit is detected from the
installed target binaries (ietadm, tgtadm, targetcli), so it says nothing
about the cluster being checked.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

OCF_ROOT = "/usr/lib/ocf"

AGENTS: list[str] = [
    "ocf:linbit:drbd",
    "ocf:heartbeat:IPaddr2",
    "ocf:heartbeat:IPaddr",
    "ocf:heartbeat:LVM",
    "ocf:heartbeat:LVM-activate",
    "ocf:heartbeat:iSCSITarget",
    "ocf:heartbeat:iSCSILogicalUnit",
    "ocf:heartbeat:Filesystem",
    "ocf:heartbeat:portblock",
    "ocf:heartbeat:lvmlockd",
    "ocf:pacemaker:ping",
    "stonith:fence_ipmilan",
    "stonith:fence_sbd",
    "stonith:fence_scsi",
    "stonith:fence_mpath",
    "stonith:fence_virsh",
    "stonith:fence_xvm",
    "stonith:fence_vbox",
    "stonith:fence_ilo",
    "stonith:fence_idrac",
    "stonith:fence_kdump",
    "stonith:fence_vmware_soap",
    "stonith:fence_rhevm",
]

# (agent, parameter) whose default is computed from the host running meta-data
HOST_DEPENDENT_DEFAULTS = {
    ("ocf:heartbeat:iSCSITarget", "implementation"),
    ("ocf:heartbeat:iSCSILogicalUnit", "implementation"),
}

FENCED = "/usr/lib/pacemaker/pacemaker-fenced"


def file_name(agent: str) -> str:
    return agent.replace(":", "_") + ".json"


def command(agent: str) -> list[str] | None:
    parts = agent.split(":")
    if parts[0] == "ocf":
        return [f"{OCF_ROOT}/resource.d/{parts[1]}/{parts[2]}", "meta-data"]
    if parts[0] == "stonith":
        return [f"/usr/sbin/{parts[1]}", "-o", "metadata"]
    if agent == "pacemaker-fenced":
        return [FENCED, "metadata"]
    return None


def run_metadata(agent: str) -> str | None:
    cmd = command(agent)
    if not cmd or not os.access(cmd[0], os.X_OK):
        return None
    env = dict(os.environ, OCF_ROOT=OCF_ROOT, LC_ALL="C")
    try:
        out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout if out.stdout.strip().startswith("<") else None


def compact(agent: str, xml_text: str) -> dict:
    root = ET.fromstring(xml_text)
    params = []
    for p in root.iter("parameter"):
        content = p.find("content")
        default = content.get("default") if content is not None else None
        if (agent, p.get("name")) in HOST_DEPENDENT_DEFAULTS:
            default = None
        params.append({
            "name": p.get("name"),
            "required": p.get("required") == "1",
            "unique": p.get("unique") == "1",
            "deprecated": p.get("deprecated") == "1" or p.find("deprecated") is not None,
            "type": content.get("type") if content is not None else None,
            "default": default if default not in ("",) else None,
        })
    actions = []
    for a in root.iter("action"):
        actions.append({k: a.get(k) for k in ("name", "timeout", "interval", "role", "depth") if a.get(k) is not None})
    version = root.get("version") or (root.findtext("version") or None)
    return {"agent": agent, "version": version, "parameters": params, "actions": actions}


def write_providers(out: Path) -> None:
    """`ocf_providers.json`: the OCF types each installed provider ships, from
    which sanlint.model.agents resolves a bare `IPaddr2` as crmsh does."""
    root = Path(OCF_ROOT) / "resource.d"
    providers = {p.name: sorted(a.name for a in p.iterdir() if a.is_file() and os.access(a, os.X_OK)
                                and not a.name.startswith(".") and not a.name.endswith(".sh"))
                 for p in sorted(root.iterdir()) if p.is_dir()}
    (out.parent / "ocf_providers.json").write_text(json.dumps(
        {"source": f"{root} (resource-agents, pacemaker, drbd-utils)", "providers": providers},
        indent=0, sort_keys=True))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent / "agents"))
    ap.add_argument("agents", nargs="*", help="agents to regenerate (default: all)")
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    missing = 0
    if not args.agents:
        write_providers(out)
    for agent in (args.agents or AGENTS + ["pacemaker-fenced"]):
        text = run_metadata(agent)
        if text is None:
            sys.stderr.write(f"regenerate_agents: {agent}: not installed or no meta-data; keeping the old file\n")
            missing += 1
            continue
        data = compact(agent, text)
        (out / file_name(agent)).write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
        print(f"{agent}: {len(data['parameters'])} parameters, {len(data['actions'])} actions")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
