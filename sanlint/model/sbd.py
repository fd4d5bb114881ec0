"""SBD daemon configuration (`/etc/sysconfig/sbd`, `/etc/default/sbd`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sanlint.model.base import Located, Setting
from sanlint.source import Span


@dataclass(eq=False)
class SbdDevice(Located):
    """One entry of `SBD_DEVICE` (sbd's `parse_device_line`: split at `;`,
    blanks around an entry dropped)."""

    path: str


@dataclass(eq=False)
class SbdConfig(Located):
    """The variables of the file, in order; where one is assigned twice the
    last assignment is the one sbd gets (shell and systemd alike)."""

    settings: list[Setting] = field(default_factory=list)
    devices: list[SbdDevice] = field(default_factory=list)
    empty_devices: list[Span] = field(default_factory=list, repr=False)  # `;;`, a leading/trailing `;`

    def get(self, name: str) -> Setting | None:
        found = None
        for s in self.settings:
            if s.name == name:
                found = s
        return found

    def value(self, name: str) -> str | None:
        """The value as sbd's `get_env_option` sees it: leading blanks
        stripped, an empty value is no value."""
        s = self.get(name)
        if s is None or s.value is None:
            return None
        v = s.value.lstrip()
        return v or None
