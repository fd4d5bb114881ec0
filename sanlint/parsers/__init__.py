"""One parser per format.  Each module exposes `parse(src) -> model object`
and raises `sanlint.source.ParseError` on bad syntax.  Modules are imported
only when a file of their format is met (start-up time matters)."""

from __future__ import annotations

import importlib
from typing import Any

from sanlint.source import SourceFile

# format name -> (module, function)
PARSERS: dict[str, tuple[str, str]] = {
    "drbd": ("sanlint.parsers.drbd", "parse"),  # -> DrbdConfig
    "lvm": ("sanlint.parsers.lvm", "parse"),  # lvm.conf -> LvmConfig
    "lvm-metadata": ("sanlint.parsers.lvm", "parse_metadata"),  # lvm/backup/VG -> list[VolumeGroup]
    "ietd": ("sanlint.parsers.ietd", "parse"),  # ietd.conf -> IscsiConfig
    "ietd-allow": ("sanlint.parsers.ietd", "parse_allow"),  # initiators.allow/targets.allow -> IscsiConfig
    "tgt": ("sanlint.parsers.tgt", "parse"),  # targets.conf, conf.d/*.conf -> IscsiConfig
    "lio": ("sanlint.parsers.lio", "parse"),  # saveconfig.json -> IscsiConfig
    "corosync": ("sanlint.parsers.corosync", "parse"),  # -> CorosyncConfig
    "crm": ("sanlint.parsers.crm", "parse"),  # -> ClusterConfig
    "cib": ("sanlint.parsers.cib", "parse"),  # -> ClusterConfig
    "nftables": ("sanlint.parsers.firewall", "parse_nftables"),  # -> Firewall
    "iptables": ("sanlint.parsers.firewall", "parse_iptables"),  # -> Firewall
    "firewalld": ("sanlint.parsers.firewall", "parse_firewalld"),  # -> Firewall
    "hosts": ("sanlint.parsers.etc_hosts", "parse"),  # -> list[HostsEntry]
    "sbd": ("sanlint.parsers.sbd", "parse"),  # /etc/sysconfig/sbd, /etc/default/sbd -> SbdConfig
}


def parse(src: SourceFile, fmt: str | None = None) -> Any:
    fmt = fmt or src.format
    if fmt not in PARSERS:
        raise KeyError(f"no parser for format {fmt!r}")
    module, func = PARSERS[fmt]
    if module not in _loaded:
        from sanlint.parsers.grammar import _import_lark

        _import_lark()  # before any parser module imports lark itself
        _loaded.add(module)
    return getattr(importlib.import_module(module), func)(src)


_loaded: set[str] = set()
