"""LVM model: lvm.conf settings and VGs from metadata backups/archives."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sanlint.model.base import Located
from sanlint.source import Span


@dataclass(eq=False)
class LvmValue(Located):
    """A value: str, int, float, or a list of LvmValue (arrays nest)."""

    value: Any


@dataclass(eq=False)
class LvmSetting(Located):
    """`section/key = value` (section path joined with '/')."""

    section: str
    name: str
    value: Any  # python value: str | int | float | list
    value_span: Span | None = field(default=None, repr=False, kw_only=True)
    items: list[LvmValue] = field(default_factory=list, repr=False)  # array elements with spans

    @property
    def key(self) -> str:
        return f"{self.section}/{self.name}" if self.section else self.name


@dataclass(eq=False)
class LvmSectionBlock(Located):
    path: str  # e.g. "devices", "vgsan/physical_volumes/pv0"
    body_span: Span | None = field(default=None, repr=False, kw_only=True)


@dataclass(eq=False)
class LvmConfig(Located):
    """A parsed lvm.conf (or any file in its syntax)."""

    settings: list[LvmSetting] = field(default_factory=list)
    sections: list[LvmSectionBlock] = field(default_factory=list)

    def get(self, key: str) -> LvmSetting | None:
        """Last definition of `section/name` wins, as in LVM."""
        found = None
        for s in self.settings:
            if s.key == key:
                found = s
        return found

    def section(self, path: str) -> LvmSectionBlock | None:
        for s in self.sections:
            if s.path == path:
                return s
        return None


@dataclass(eq=False)
class PhysicalVolume(Located):
    name: str  # pv0
    device: str | None = None  # "/dev/drbd0" (device hint from the metadata)
    id: str | None = None


@dataclass(eq=False)
class LogicalVolume(Located):
    name: str
    vg: str
    size_extents: int | None = None


@dataclass(eq=False)
class VolumeGroup(Located):
    """A VG described by an LVM metadata backup/archive file."""

    name: str
    id: str | None = None
    pvs: list[PhysicalVolume] = field(default_factory=list)
    lvs: list[LogicalVolume] = field(default_factory=list)
    system_id: str | None = None
    archive: bool = False  # from lvm/archive (history), not lvm/backup (current)
