"""Settings from `[tool.sanlint]` in pyproject.toml or from `.sanlint.toml`.

Looked up from the checked path upwards, then from the current directory
upwards (the first file that has sanlint settings wins, as in ruff), or
given with `--config FILE`.  Keys (spec/cli.md):
`select`, `ignore`, `extend-select`, `per-file-ignores`, `severity`,
`fail-on`, `drbd-version`, `pacemaker-version`, `corosync-version`, `hosts`.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

KNOWN_KEYS = {"select", "ignore", "extend-select", "per-file-ignores", "severity", "fail-on",
              "drbd-version", "pacemaker-version", "corosync-version", "hosts"}


class ConfigError(Exception):
    pass


@dataclass
class Settings:
    select: list[str] = field(default_factory=lambda: ["ALL"])
    ignore: list[str] = field(default_factory=list)
    extend_select: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    severity: dict[str, str] = field(default_factory=dict)
    fail_on: str = "warning"
    drbd_version: str | None = None
    pacemaker_version: str | None = None
    corosync_version: str | None = None  # "2" | "3": what a udpu/udp corosync.conf runs under (CORO109)
    hosts: dict[str, str] = field(default_factory=dict)
    source: str | None = None  # which file the settings came from

    def as_dict(self) -> dict[str, Any]:
        return {"drbd-version": self.drbd_version, "pacemaker-version": self.pacemaker_version,
                "corosync-version": self.corosync_version}

    def enabled(self, code: str) -> bool:
        sel = self.select + self.extend_select
        best_sel = _best(code, sel)
        best_ign = _best(code, self.ignore)
        if best_sel < 0:
            return False
        return best_ign < best_sel  # the more specific selector wins (ruff's rule)

    def ignored_for(self, code: str, path: str) -> bool:
        for pattern, codes in self.per_file_ignores.items():
            if _path_match(path, pattern) and _best(code, codes) >= 0:
                return True
        return False


def _best(code: str, selectors: list[str]) -> int:
    """Length of the longest selector matching `code` (-1: none). "ALL" matches everything."""
    best = -1
    for s in selectors:
        s = s.strip().upper()
        if s == "ALL":
            best = max(best, 0)
        elif code.startswith(s):
            best = max(best, len(s))
    return best


def _path_match(path: str, pattern: str) -> bool:
    path = path.replace("\\", "/")
    return fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(path, "*/" + pattern.lstrip("/")) \
        or fnmatch.fnmatch(Path(path).name, pattern)


def load(explicit: str | None = None, start: Path | None = None) -> Settings:
    import tomllib

    candidates: list[tuple[Path, bool]] = []
    if explicit:
        candidates.append((Path(explicit), explicit.endswith("pyproject.toml")))
    else:
        for first in ([start] if start is not None else []) + [Path.cwd()]:
            here = first.resolve()
            while not here.exists():  # `--stdin-filename` of a file not saved yet
                here = here.parent
            if not here.is_dir():
                here = here.parent
            for d in [here, *here.parents]:
                candidates.append((d / ".sanlint.toml", False))
                candidates.append((d / "pyproject.toml", True))
    for path, is_pyproject in candidates:
        if not path.exists():
            if explicit:
                raise ConfigError(f"{path}: no such file")
            continue
        if path.is_dir() and not explicit:
            continue
        from sanlint.site import InputError, read_bounded

        try:  # a regular file of sensible size: a fifo, a device or a directory is a message
            data = tomllib.loads(read_bounded(path, limit=4 * 1024 * 1024, what="a settings file").decode("utf-8"))
        except InputError as e:
            raise ConfigError(f"{path}: {e}") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, RecursionError) as e:
            raise ConfigError(f"{path}: {e if not isinstance(e, RecursionError) else 'nested too deeply'}") from None
        tool = data.get("tool", {})
        if not isinstance(tool, dict):
            raise ConfigError(f"{path}: `tool` must be a table, not {_kind(tool)}")
        table = tool.get("sanlint") if is_pyproject else tool.get("sanlint", data)
        if table is None:
            continue
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [tool.sanlint] must be a table, not {_kind(table)}")
        return from_table(table, str(path))
    return Settings()


def from_table(table: dict[str, Any], source: str) -> Settings:
    unknown = set(table) - KNOWN_KEYS
    if unknown:
        raise ConfigError(f"{source}: unknown sanlint setting(s): {', '.join(sorted(unknown))}")
    s = Settings(source=source)

    def codes(key: str) -> list[str]:
        v = table.get(key, [])
        if isinstance(v, str):
            v = [v]
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise ConfigError(f"{source}: {key} must be a list of rule codes")
        return [x.upper() for x in v]

    if "select" in table:
        s.select = codes("select")
    s.ignore = codes("ignore")
    s.extend_select = codes("extend-select")
    pfi = table.get("per-file-ignores", {})
    if not isinstance(pfi, dict):
        raise ConfigError(f"{source}: per-file-ignores must be a table of glob = [codes]")
    for k, v in pfi.items():
        if isinstance(v, str):
            v = [v]
        if not isinstance(v, list) or not all(isinstance(c, str) for c in v):
            raise ConfigError(f"{source}: per-file-ignores.{k!r} must be a list of rule codes, not {_kind(v)}")
        s.per_file_ignores[k] = [c.upper() for c in v]
    sev = table.get("severity", {})
    if not isinstance(sev, dict) or any(not isinstance(v, str) or v not in ("error", "warning", "info")
                                        for v in sev.values()):
        raise ConfigError(f"{source}: severity must map codes to error|warning|info")
    s.severity = {k.upper(): v for k, v in sev.items()}
    fail_on = table.get("fail-on", "warning")
    if not isinstance(fail_on, str) or fail_on not in ("error", "warning", "info", "never"):
        raise ConfigError(f"{source}: fail-on must be error|warning|info|never")
    s.fail_on = fail_on
    for key, pattern, known in (("drbd-version", _DRBD_VERSION, "8.3, 8.4 or 9"),
                                ("pacemaker-version", _PCMK_VERSION, "1.1, 2.0, 2.1 or 3"),
                                ("corosync-version", _COROSYNC_VERSION, "1, 2 or 3")):
        if key in table:
            v = table[key]
            text = str(v) if isinstance(v, (str, int, float)) and not isinstance(v, bool) else None
            if text is None or not pattern.fullmatch(text):
                raise ConfigError(f"{source}: {key} must be a version ({known}, e.g. \"{known.split(',')[0]}\"), "
                                  f"not {v!r}")
            setattr(s, key.replace("-", "_"), text)
    hosts = table.get("hosts", {})
    if not isinstance(hosts, dict) or not all(isinstance(v, str) and v for v in hosts.values()):
        raise ConfigError(f"{source}: hosts must be a table of NAME = \"PATH\"")
    s.hosts = dict(hosts)
    return s


_DRBD_VERSION = re.compile(r"(8\.3|8\.4|9)(\.\d{1,4}){0,2}")
_PCMK_VERSION = re.compile(r"(1\.1|2\.0|2\.1|3)(\.\d{1,4}){0,2}")
_COROSYNC_VERSION = re.compile(r"[123](\.\d{1,4}){0,2}")


def _kind(v: Any) -> str:
    """A TOML value's type, in words."""
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "a list",
            dict: "a table"}.get(type(v), type(v).__name__)
