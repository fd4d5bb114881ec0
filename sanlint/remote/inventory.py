"""Ansible inventories (INI or YAML) as ssh:// targets: each group that
holds hosts is a cluster, its hosts the nodes, reached at `ansible_host`,
`ansible_port`, `ansible_user` (the `ansible_ssh_*` spellings too), with
group variables (`[group:vars]`, `vars:`) applying to the group's hosts
and a host's own variables winning.  Host ranges (`san-[1:2]`) are
expanded as Ansible does for numeric and alphabetic ranges.
"""

from __future__ import annotations

import re
import shlex
from urllib.parse import quote

from sanlint.remote.ssh import RemoteError, Target, parse_target

META = {"all", "ungrouped"}
_RANGE = re.compile(r"\[([0-9]+|[a-z]):([0-9]+|[a-z])(?::([0-9]+))?\]")


def _expand(pattern: str) -> list[str]:
    m = _RANGE.search(pattern)
    if not m:
        return [pattern]
    lo, hi, step = m.group(1), m.group(2), int(m.group(3) or 1)
    if lo.isdigit() != hi.isdigit():
        raise RemoteError(f"host range {pattern!r}: mixed bounds")
    if lo.isdigit():
        width = len(lo) if lo.startswith("0") else 0
        items = [str(i).zfill(width) for i in range(int(lo), int(hi) + 1, step)]
    else:
        items = [chr(i) for i in range(ord(lo), ord(hi) + 1, step)]
    if len(items) > 10000:
        raise RemoteError(f"host range {pattern!r}: more than 10000 hosts")
    out = []
    for it in items:
        out += _expand(pattern[:m.start()] + it + pattern[m.end():])
    return out


class _Inv:
    def __init__(self) -> None:
        self.hosts: dict[str, dict] = {}  # host -> its own vars
        self.groups: dict[str, list[str]] = {}  # group -> hosts listed directly
        self.children: dict[str, list[str]] = {}
        self.vars: dict[str, dict] = {}

    def add(self, group: str, host: str, hvars: dict) -> None:
        for h in _expand(host):
            self.hosts.setdefault(h, {}).update(hvars)
            self.groups.setdefault(group, [])
            if h not in self.groups[group]:
                self.groups[group].append(h)

    def members(self, group: str, seen: frozenset = frozenset()) -> list[str]:
        if group in seen:
            raise RemoteError(f"inventory group {group!r} contains itself")
        out = list(self.groups.get(group, []))
        for c in self.children.get(group, []):
            out += [h for h in self.members(c, seen | {group}) if h not in out]
        return out


def _ini(text: str, where: str) -> _Inv:
    inv = _Inv()
    section, kind = "ungrouped", "hosts"
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        m = re.fullmatch(r"\[([^\]:]+)(?::(vars|children))?\]", line)
        if m:
            section, kind = m.group(1), m.group(2) or "hosts"
            if kind == "hosts":
                inv.groups.setdefault(section, [])
            continue
        try:
            words = shlex.split(line, comments=True)
        except ValueError as e:
            raise RemoteError(f"{where}:{n}: {e}") from None
        if not words:
            continue
        if kind == "vars":
            k, sep, v = line.partition("=")
            if not sep:
                raise RemoteError(f"{where}:{n}: expected KEY=VALUE in [{section}:vars]")
            inv.vars.setdefault(section, {})[k.strip()] = v.strip().strip("'\"")
        elif kind == "children":
            inv.children.setdefault(section, []).append(words[0])
        else:
            hvars = {}
            for w in words[1:]:
                k, sep, v = w.partition("=")
                if not sep:
                    raise RemoteError(f"{where}:{n}: expected KEY=VALUE after the host name, got {w!r}")
                hvars[k] = v
            inv.add(section, words[0], hvars)
    return inv


def _yaml(doc, where: str) -> _Inv:
    inv = _Inv()

    def group(name: str, body) -> None:
        if body is None:
            inv.groups.setdefault(name, [])
            return
        if not isinstance(body, dict):
            raise RemoteError(f"{where}: group {name!r} is not a mapping")
        inv.groups.setdefault(name, [])
        for h, hv in (body.get("hosts") or {}).items():
            inv.add(name, str(h), {k: str(v) for k, v in (hv or {}).items()})
        inv.vars.setdefault(name, {}).update({k: str(v) for k, v in (body.get("vars") or {}).items()})
        for c, cb in (body.get("children") or {}).items():
            inv.children.setdefault(name, []).append(str(c))
            group(str(c), cb)

    if not isinstance(doc, dict):
        raise RemoteError(f"{where}: not an Ansible inventory (a mapping of groups)")
    for name, body in doc.items():
        group(str(name), body)
    return inv


def load(path: str) -> dict[str, list[Target]]:
    """The clusters of an inventory: group name -> its nodes as Targets."""
    from sanlint.site import InputError, read_bounded

    try:
        data = read_bounded(path, 16 * 1024 * 1024, what="inventory")
    except InputError as e:
        raise RemoteError(str(e)) from None
    text = data.decode("utf-8", "replace")
    if path.endswith((".yml", ".yaml")) or re.match(r"\s*(---|all:|[\w.-]+:\s*$)", text):
        import yaml

        try:
            inv = _yaml(yaml.safe_load(text), path)
        except yaml.YAMLError as e:
            raise RemoteError(f"{path}: not valid YAML: {e}") from None
    else:
        inv = _ini(text, path)
    clusters: dict[str, list[Target]] = {}
    for g in inv.groups:
        if g in META or not inv.groups[g]:
            continue
        clusters[g] = [_target(h, _vars(inv, g, h), path) for h in inv.members(g)]
    if not clusters:  # hosts only at the top level: one cluster
        hosts = inv.members("all") + [h for h in inv.groups.get("ungrouped", [])]
        if hosts:
            clusters["ungrouped"] = [_target(h, _vars(inv, "ungrouped", h), path) for h in dict.fromkeys(hosts)]
    return clusters


def _vars(inv: _Inv, group: str, host: str) -> dict:
    out = dict(inv.vars.get("all", {}))
    for g, kids in inv.children.items():
        if group in kids:
            out.update(inv.vars.get(g, {}))
    out.update(inv.vars.get(group, {}))
    out.update(inv.hosts.get(host, {}))
    return out


def _target(host: str, v: dict, where: str) -> Target:
    address = v.get("ansible_host") or v.get("ansible_ssh_host") or host
    user = v.get("ansible_user") or v.get("ansible_ssh_user")
    port = v.get("ansible_port") or v.get("ansible_ssh_port")
    url = "ssh://" + (quote(user, safe="") + "@" if user else "") + (f"[{address}]" if ":" in address else address)
    url += f":{port}" if port else ""
    try:
        return parse_target(url + "/", host)
    except RemoteError as e:
        raise RemoteError(f"{where}: host {host}: {e}") from None
