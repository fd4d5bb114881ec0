"""Settings from `[tool.sanlint]` in pyproject.toml or from `.sanlint.toml`.

Looked up from the current directory upwards (the first file that has
sanlint settings wins), or given with `--config FILE`.  Keys (spec/cli.md):
`select`, `ignore`, `extend-select`, `per-file-ignores`, `severity`,
`fail-on`, `drbd-version`, `pacemaker-version`, `corosync-version`, `hosts`.
"""

from __future__ import annotations

import fnmatch
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
        here = (start or Path.cwd()).resolve()
        for d in [here, *here.parents]:
            candidates.append((d / ".sanlint.toml", False))
            candidates.append((d / "pyproject.toml", True))
    for path, is_pyproject in candidates:
        if not path.is_file():
            if explicit:
                raise ConfigError(f"{path}: no such file")
            continue
        try:
            data = tomllib.loads(path.read_text())
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            raise ConfigError(f"{path}: {e}") from None
        table = data.get("tool", {}).get("sanlint") if is_pyproject else data.get("tool", {}).get("sanlint", data)
        if table is None:
            continue
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
    s.per_file_ignores = {k: [c.upper() for c in ([v] if isinstance(v, str) else v)] for k, v in pfi.items()}
    sev = table.get("severity", {})
    if not isinstance(sev, dict) or any(v not in ("error", "warning", "info") for v in sev.values()):
        raise ConfigError(f"{source}: severity must map codes to error|warning|info")
    s.severity = {k.upper(): v for k, v in sev.items()}
    fail_on = table.get("fail-on", "warning")
    if fail_on not in ("error", "warning", "info", "never"):
        raise ConfigError(f"{source}: fail-on must be error|warning|info|never")
    s.fail_on = fail_on
    for key in ("drbd-version", "pacemaker-version", "corosync-version"):
        if key in table:
            setattr(s, key.replace("-", "_"), str(table[key]))
    hosts = table.get("hosts", {})
    if not isinstance(hosts, dict):
        raise ConfigError(f"{source}: hosts must be a table of NAME = PATH")
    s.hosts = {str(k): str(v) for k, v in hosts.items()}
    return s
