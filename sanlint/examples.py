"""Build a throw-away site from a rule's documented examples.

Example paths: `etc/drbd.d/r0.res` belongs to host `san-1`;
`san-2:etc/...` to host `san-2`; `@name` is a cluster-wide file at the
site's top level.  Used by the test suite (the docs' examples are
executable) and by `sanlint explain --check`.
"""

from __future__ import annotations

from pathlib import Path

from sanlint.rule import ExampleFile

DEFAULT_HOST = "san-1"


def materialize(files: list[ExampleFile], root: Path) -> Path:
    """Write the example files under `root` as a site; return the site dir."""
    site = root / "site"
    site.mkdir(parents=True, exist_ok=True)
    for ex in files:
        if ex.path.startswith("@"):
            target = site / ex.path[1:]
        else:
            host, _, rel = ex.path.rpartition(":")
            target = site / (host or DEFAULT_HOST) / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(ex.text)
    if not any(d.is_dir() for d in site.iterdir()):
        (site / DEFAULT_HOST / "etc").mkdir(parents=True)
    return site
