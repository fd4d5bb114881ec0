"""Host-level facts: firewall rules, services enabled at boot, /etc/hosts."""

from __future__ import annotations

from dataclasses import dataclass, field

from sanlint.model.base import Located


@dataclass(eq=False)
class FirewallRule(Located):
    """An accepting rule, normalised: protocol, destination ports, source."""

    action: str  # "accept" | "drop" | "reject"
    protocol: str | None = None  # tcp | udp | None (any)
    ports: list[tuple[int, int]] = field(default_factory=list)  # inclusive ranges; empty = any port
    source: str | None = None  # address/network, None = any
    chain: str | None = None


@dataclass(eq=False)
class Firewall(Located):
    kind: str  # "nftables" | "iptables" | "firewalld"
    rules: list[FirewallRule] = field(default_factory=list)
    default_policy: str | None = None  # input chain policy ("drop", "accept")

    def allows(self, port: int, source: str | None = None, protocol: str = "tcp") -> bool:
        from ipaddress import ip_address, ip_network

        for r in self.rules:
            if r.action != "accept":
                continue
            if r.protocol not in (None, protocol):
                continue
            if r.ports and not any(lo <= port <= hi for lo, hi in r.ports):
                continue
            if r.source and source:
                try:
                    if ip_address(source) not in ip_network(r.source, strict=False):
                        continue
                except ValueError:
                    continue
            return True
        return self.default_policy == "accept"


@dataclass(eq=False)
class BootService(Located):
    """A service enabled at boot: systemd `*.wants/NAME.service` or SysV `rcN.d/SxxNAME`."""

    name: str  # unit or script name without .service
    via: str  # "systemd" | "sysv"


@dataclass(eq=False)
class HostsEntry(Located):
    address: str
    names: list[str] = field(default_factory=list)
