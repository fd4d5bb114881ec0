"""A small Python API over the command line's pipeline."""

from __future__ import annotations

from sanlint.config import Settings
from sanlint.runner import RunResult, run
from sanlint.site import build


def check(paths: list[str], hosts: list[tuple[str, str]] | None = None, settings: Settings | None = None,
          overrides: dict[str, bytes] | None = None, only: list[str] | None = None) -> RunResult:
    settings = settings or Settings()
    site, problems = build(paths, hosts, settings.as_dict(), overrides)
    return run(site, problems, settings, only=only)
