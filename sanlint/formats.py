"""The format registry: everything sanlint knows about one configuration
format, in one entry.

An entry says where the format lives (paths inside a host root, directories
walked for it, base-name patterns for lone files, locations that imply it),
how its content is recognised (sniffers, tried in rank order over all
formats), which parser reads it and which grammar that parser uses (the
parse cache is keyed by it), where the parsed object attaches in the model
(a `Host` list, the cluster list, include following), and which module edits
it.  Discovery (`sanlint.discovery`), the parser dispatch
(`sanlint.parsers.parse`), the site builder (`sanlint.site`) and the model
(`Host` lists, the model JSON) read this table; adding a format is one entry
here plus its parser module (see docs/architecture.md, "Adding a format").

This module imports nothing heavy: discovery reads it on every run.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Callable


class Sniffer:
    """A content test: `test(head, stripped)` on the first 8 KiB (`stripped`:
    comment lines removed).  Sniffers of all formats run in `rank` order; the
    first that says yes classifies the file.  `xml` sniffers only see files
    that start with `<`, the others only files that do not."""

    __slots__ = ("rank", "test", "xml")

    def __init__(self, rank: int, test: Callable[[str, str], bool], xml: bool = False) -> None:
        self.rank, self.test, self.xml = rank, test, xml


class Format:
    """One format's entry (plain slots, not a dataclass: this module is
    imported by every run, and building a dataclass costs milliseconds)."""

    __slots__ = ("name", "parser", "paths", "walk", "names", "located", "homes", "sniff", "grammar", "attach",
                 "extend", "flag", "cluster", "main_file", "includes", "editor", "pool")

    def __init__(self, name: str, parser: str, *,
                 paths: tuple[str, ...] = (),  # inside a host root, '/'-separated fnmatch patterns (first match wins)
                 walk: tuple[str, ...] = (),  # directories of a host root walked for it (with those of the `*` paths);
                 # a path outside every walked directory is read as a single file
                 names: tuple[str, ...] = (),  # base-name patterns for single files and plain directories
                 located: tuple[str, ...] = (),  # regexes on the path below any directory ("(^|/)drbd\.d/...")
                 homes: tuple[str, ...] = (),  # fnmatch patterns of places only this format lives (else SAN003)
                 sniff: tuple[Sniffer, ...] = (),
                 grammar: tuple[str, ...] = (),  # grammars/<name>.lark files the parser uses
                 attach: str = "",  # the Host list the parse result goes to
                 extend: bool = False,  # the parser returns a list: extend instead of append
                 flag: str | None = None,  # a Host attribute set True when a file of the format exists
                 cluster: bool = False,  # a cluster configuration: at a site's top level it is cluster-wide
                 main_file: str | None = None,  # read first (drbdadm/tgt-admin start there), then its includes
                 includes: str | None = None,  # the tool whose include semantics apply (result.includes followed)
                 editor: str | None = None,  # the module that edits this syntax through spans
                 pool: bool = True,  # cache parse results and parse big batches in the process pool; False
                 # when the parser is faster than loading a cache entry or a worker's result (the DRBD parser)
                 ) -> None:
        self.name, self.parser, self.paths, self.walk, self.names = name, parser, paths, walk, names
        self.located, self.homes, self.sniff, self.grammar, self.attach = located, homes, sniff, grammar, attach
        self.extend, self.flag, self.cluster, self.main_file = extend, flag, cluster, main_file
        self.includes, self.editor, self.pool = includes, editor, pool

    def __repr__(self) -> str:
        return f"Format({self.name!r}, {self.parser!r})"


def _re(pattern: str, flags: int = re.M) -> Callable[[str, str], bool]:
    """A sniff test: `pattern` found in the comment-stripped head.  Compiled on
    first use: most runs classify every file by its path and never sniff."""
    compiled: list[re.Pattern] = []

    def test(head: str, stripped: str) -> bool:
        if not compiled:
            compiled.append(re.compile(pattern, flags))
        return compiled[0].search(stripped) is not None

    return test


def _lvm_conf(head: str, stripped: str) -> bool:
    # lvm.conf also has a `global {` section: `key = value` tells it from DRBD
    return (re.search(r"^\s*[\w/]+\s*=\s*\S", stripped, re.M) is not None
            and re.search(r"^\s*(devices|global|activation|log|backup|allocation)\s*\{", stripped, re.M) is not None)


_CRM_START = (r"^\s*(node|primitive|group|clone|ms|master|order|colocation|collocation|location|property|rsc_defaults|"
              r"op_defaults|rsc_template|rsc_ticket|fencing_topology|tag|alert)\b")

BRACE_EDITOR = "sanlint.edit.brace"  # indentation-keeping statement edits for the brace formats

FORMATS: list[Format] = [
    Format("drbd", "sanlint.parsers.drbd:parse",  # -> DrbdConfig
           paths=("etc/drbd.conf", "etc/drbd.d/*.res", "etc/drbd.d/*.conf"),
           names=("drbd.conf", "*.res", "global_common.conf"),
           located=(r"(^|/)drbd\.d/[^/]+\.(res|conf)$",), homes=("*drbd.d/*.res",),
           sniff=(Sniffer(40, _re(r'^\s*(resource\s+\S+\s*\{|global\s*\{|common\s*\{|include\s+")')),),
           grammar=("drbd",), attach="drbd", main_file="drbd.conf", includes="drbdadm", editor=BRACE_EDITOR,
           pool=False),
    Format("lvm", "sanlint.parsers.lvm:parse",  # lvm.conf -> LvmConfig
           paths=("etc/lvm/lvm.conf", "etc/lvm/lvmlocal.conf"), walk=("etc/lvm",), names=("lvm.conf", "lvmlocal.conf"),
           sniff=(Sniffer(30, _lvm_conf), Sniffer(80, _re(r"^\s*(devices|global|activation)\s*\{"))),
           grammar=("lvm",), attach="lvm", editor=BRACE_EDITOR),
    Format("lvm-metadata", "sanlint.parsers.lvm:parse_metadata",  # lvm/backup/VG -> list[VolumeGroup]
           paths=("etc/lvm/backup/*", "etc/lvm/archive/*.vg"), names=("*.vg",),
           located=(r"(^|/)lvm/backup/[^/]+$",), homes=("*lvm/backup/*", "*lvm/archive/*.vg"),
           sniff=(Sniffer(20, _re(r'^\s*contents\s*=\s*"Text Format Volume Group"')),),
           grammar=("lvm",), attach="volume_groups", extend=True),
    Format("ietd", "sanlint.parsers.ietd:parse",  # ietd.conf -> IscsiConfig
           paths=("etc/ietd.conf", "etc/iet/ietd.conf"), walk=("etc/iet",), names=("ietd.conf",),
           sniff=(Sniffer(70, _re(r"^\s*Target\s+\S+")),), grammar=("ietd",), attach="iscsi"),
    Format("ietd-allow", "sanlint.parsers.ietd:parse_allow",  # initiators.allow/targets.allow -> IscsiConfig
           paths=("etc/initiators.allow", "etc/iet/initiators.allow", "etc/targets.allow", "etc/iet/targets.allow"),
           names=("initiators.allow", "targets.allow"), attach="iscsi"),
    Format("tgt", "sanlint.parsers.tgt:parse",  # targets.conf, conf.d/*.conf -> IscsiConfig
           paths=("etc/tgt/targets.conf", "etc/tgt/conf.d/*.conf"), walk=("etc/tgt",), names=("targets.conf",),
           located=(r"(^|/)tgt/conf\.d/[^/]+\.conf$",), homes=("*tgt/conf.d/*.conf",),
           sniff=(Sniffer(60, _re(r"^\s*<target\s|^\s*default-driver\s")),),
           grammar=("tgt",), attach="iscsi", main_file="targets.conf", includes="tgt-admin", editor=BRACE_EDITOR),
    Format("lio", "sanlint.parsers.lio:parse",  # saveconfig.json -> IscsiConfig
           paths=("etc/target/saveconfig.json", "etc/rtslib-fb-target/saveconfig.json"),
           walk=("etc/target", "etc/rtslib-fb-target"), names=("saveconfig.json",),
           sniff=(Sniffer(10, lambda head, s: s.startswith("{") and ('"targets"' in head or '"storage_objects"' in head)),),
           attach="iscsi", editor="sanlint.edit.lio"),
    Format("corosync", "sanlint.parsers.corosync:parse",  # -> CorosyncConfig
           paths=("etc/corosync/corosync.conf", "etc/ais/openais.conf"), walk=("etc/corosync", "etc/ais"),
           names=("corosync.conf", "openais.conf"),
           sniff=(Sniffer(50, _re(r"^\s*(totem|aisexec|nodelist|quorum)\s*\{")),),
           grammar=("corosync",), attach="corosync", editor=BRACE_EDITOR),
    Format("hosts", "sanlint.parsers.etc_hosts:parse",  # -> list[HostsEntry]
           paths=("etc/hosts",), names=("hosts",), attach="etc_hosts", extend=True, flag="has_etc_hosts"),
    Format("nftables", "sanlint.parsers.firewall:parse_nftables",  # -> Firewall
           paths=("etc/nftables.conf",), names=("nftables.conf", "*.nft"),
           sniff=(Sniffer(110, _re(r"^\s*table\s+(inet|ip|ip6)\s+\S+\s*\{")),), attach="firewalls"),
    Format("sbd", "sanlint.parsers.sbd:parse",  # /etc/sysconfig/sbd, /etc/default/sbd -> SbdConfig
           paths=("etc/sysconfig/sbd", "etc/default/sbd"), names=("sbd",), attach="sbd"),
    # command output collected from a running node, at sosreport's places (sanlint.parsers.live)
    Format("cmap", "sanlint.parsers.live:parse_cmap",  # corosync-cmapctl -> CmapDump
           paths=("sos_commands/corosync/corosync-cmapctl",), attach="cmap"),
    Format("sbd-dump", "sanlint.parsers.live:parse_sbd_dump",  # sbd -d DEV dump -> list[SbdDump]
           paths=("sos_commands/sbd/sbd_*dump*",), attach="sbd_dumps", extend=True),
    Format("drbd-running", "sanlint.parsers.drbd:parse",  # drbdsetup show all (drbd.conf syntax) -> DrbdConfig
           paths=("sos_commands/drbd/drbdsetup_show_all", "sos_commands/drbd/drbdsetup_show"),
           attach="drbd_running", pool=False),
    Format("rpms", "sanlint.parsers.live:parse_rpms",  # installed-rpms -> list[Package]
           paths=("installed-rpms",), attach="packages", extend=True),
    Format("dpkg", "sanlint.parsers.live:parse_dpkg",  # dpkg -l -> list[Package]
           paths=("sos_commands/dpkg/dpkg_-l",), attach="packages", extend=True),
    Format("iptables", "sanlint.parsers.firewall:parse_iptables",  # -> Firewall
           paths=("etc/iptables/rules.v4", "etc/iptables/rules.v6", "etc/sysconfig/iptables"),
           walk=("etc/iptables", "etc/sysconfig"), names=("rules.v4", "rules.v6"),
           sniff=(Sniffer(100, _re(r"^\*filter\s*$")),), attach="firewalls"),
    Format("firewalld", "sanlint.parsers.firewall:parse_firewalld",  # -> Firewall
           paths=("etc/firewalld/zones/*.xml",),
           located=(r"(^|/)firewalld/zones/.*\.xml$",),
           sniff=(Sniffer(1, lambda head, s: re.search(r"<zone[\s>]", head) is not None, xml=True),),
           attach="firewalls"),
    Format("cib", "sanlint.parsers.cib:parse",  # -> ClusterConfig
           paths=("var/lib/pacemaker/cib/cib.xml", "var/lib/heartbeat/crm/cib.xml"),
           walk=("var/lib/pacemaker/cib", "var/lib/heartbeat/crm"), names=("cib.xml",),
           sniff=(Sniffer(0, lambda head, s: re.search(r"<cib[\s>]", head) is not None, xml=True),),
           attach="clusters", cluster=True, editor="sanlint.edit.cib"),
    Format("crm", "sanlint.parsers.crm:parse",  # -> ClusterConfig
           paths=("etc/**.crm",), walk=("etc/crm", "etc/pacemaker"), names=("*.crm",),
           sniff=(Sniffer(120, _re(_CRM_START)),), grammar=("crm",), attach="clusters", cluster=True,
           editor="sanlint.edit.crm"),
]

BY_NAME: dict[str, Format] = {f.name: f for f in FORMATS}


def get(name: str | None) -> Format | None:
    return BY_NAME.get(name or "")


def register(fmt: Format) -> None:
    """Add (or replace) a format at run time (a rule pack's own format, tests)."""
    FORMATS[:] = [f for f in FORMATS if f.name != fmt.name] + [fmt]
    BY_NAME[fmt.name] = fmt
    _clear()


def unregister(name: str) -> None:
    FORMATS[:] = [f for f in FORMATS if f.name != name]
    BY_NAME.pop(name, None)
    _clear()


def _clear() -> None:
    for fn in (host_patterns, host_dirs, host_files, name_patterns, located_patterns, homes, sniffers,
               cluster_formats, attach_fields):
        fn.cache_clear()


# -- what discovery reads -----------------------------------------------------

def _dir_of(pattern: str) -> str:
    return pattern.rsplit("/", 1)[0] if "/" in pattern else ""


@cache
def host_patterns() -> list[tuple[str, str]]:
    """(pattern inside a host root, format), first match wins."""
    return [(p, f.name) for f in FORMATS for p in f.paths]


@cache
def host_dirs() -> list[str]:
    """Directories of a host root that are walked, in registry order."""
    out: list[str] = []
    for f in FORMATS:
        for d in [_dir_of(p) for p in f.paths if "*" in p] + list(f.walk):
            if d and d != "etc" and d not in out:
                out.append(d)
    # a directory inside another walked one is walked with it
    return [d for d in out if not any(d.startswith(o + "/") for o in out)]


@cache
def host_files() -> list[str]:
    """Single files of a host root outside the walked directories."""
    dirs = host_dirs()
    return [p for f in FORMATS for p in f.paths
            if "*" not in p and not any(p.startswith(d + "/") for d in dirs)]


@cache
def name_patterns() -> list[tuple[str, str]]:
    return [(p, f.name) for f in FORMATS for p in f.names]


@cache
def located_patterns() -> list[tuple[re.Pattern, str]]:
    return [(re.compile(p), f.name) for f in FORMATS for p in f.located]


@cache
def homes() -> list[tuple[str, str]]:
    return [(p, f.name) for f in FORMATS for p in f.homes]


@cache
def sniffers() -> list[tuple[Sniffer, str]]:
    return sorted(((s, f.name) for f in FORMATS for s in f.sniff), key=lambda sf: sf[0].rank)


def sniff(head: str) -> str | None:
    """Classify a file by its content (first few KiB)."""
    stripped = re.sub(r"(?m)^\s*#.*$", "", head).lstrip()
    if not stripped:
        return None
    xml = stripped.startswith("<")
    for s, name in sniffers():
        if s.xml == xml and s.test(head, stripped):
            return name
    return None


# -- what the builder and the model read -------------------------------------

@cache
def cluster_formats() -> frozenset[str]:
    return frozenset(f.name for f in FORMATS if f.cluster)


@cache
def attach_fields() -> tuple[str, ...]:
    """The Host lists formats attach to, in registry order."""
    out: list[str] = []
    for f in FORMATS:
        if f.attach and not f.cluster and f.attach not in out:
            out.append(f.attach)
    return tuple(out)

