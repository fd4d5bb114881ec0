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
        cached = self.__dict__.get("_by_key")
        if cached is None or cached[0] != len(self.settings):  # built once (rebuilt if settings were added)
            by_key: dict[str, LvmSetting] = {}
            for s in self.settings:
                by_key[s.key] = s
            cached = self.__dict__["_by_key"] = (len(self.settings), by_key)
        return cached[1].get(key)

    def section(self, path: str) -> LvmSectionBlock | None:
        for s in self.sections:
            if s.path == path:
                return s
        return None

    def children(self, parent: str) -> list[LvmSectionBlock]:
        """The sections directly inside `parent` (an index, built once)."""
        cached = self.__dict__.get("_children")
        if cached is None or cached[0] != len(self.sections):
            kids: dict[str, list[LvmSectionBlock]] = {}
            for b in self.sections:
                head, sep, _ = b.path.rpartition("/")
                if sep:
                    kids.setdefault(head, []).append(b)
            cached = self.__dict__["_children"] = (len(self.sections), kids)
        return cached[1].get(parent, [])


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
