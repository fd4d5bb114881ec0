"""What a running node reports about itself, from command output collected
in a host root at sosreport's places (`sos_commands/<plugin>/<command>`,
`installed-rpms`): the values corosync runs with, SBD's on-disk header,
installed package versions."""

from __future__ import annotations

from dataclasses import dataclass, field

from sanlint.model.base import Located


@dataclass(eq=False)
class Package(Located):
    """One installed package (`rpm -qa` NVRA line or a `dpkg -l` row)."""

    name: str
    version: str  # version-release (rpm) or the Debian version, as the package manager prints it
    arch: str | None = None


@dataclass(eq=False)
class CmapValue(Located):
    key: str
    type: str  # u32, str, u8, ... (corosync-cmapctl's type names)
    value: str | None  # None for a binary value printed without -b


@dataclass(eq=False)
class CmapDump(Located):
    """`corosync-cmapctl` output: every key corosync holds in memory."""

    values: dict[str, CmapValue] = field(default_factory=dict)

    def get(self, key: str) -> str | None:
        v = self.values.get(key)
        return v.value if v is not None else None


@dataclass(eq=False)
class SbdDump(Located):
    """`sbd -d DEVICE dump`: the header sbd wrote on the device (seconds)."""

    device: str
    watchdog: int | None = None
    msgwait: int | None = None
    allocate: int | None = None
    loop: int | None = None
    slots: int | None = None
    msgwait_span: object = field(default=None, repr=False, kw_only=True)
