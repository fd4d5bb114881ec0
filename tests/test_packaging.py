"""The wheel CI installs (non-editable) ships every package and data file.

An editable install finds a new sub-package by its path, so a package left
out of pyproject.toml's explicit list passes every test here and only fails
in CI.  This test reads the list and compares it with the folders.
"""

from __future__ import annotations

import tomllib

from conftest import REPO

ROOTS = {"sanlint": REPO / "sanlint", "sanlint_rules": REPO / "rules", "sanlint.grammars": REPO / "grammars"}


def declared() -> set[str]:
    with open(REPO / "pyproject.toml", "rb") as f:
        return set(tomllib.load(f)["tool"]["setuptools"]["packages"])


def on_disk() -> set[str]:
    found = set()
    for name, root in ROOTS.items():
        found.add(name)
        for init in root.rglob("__init__.py"):
            rel = init.parent.relative_to(root)
            if "__pycache__" in rel.parts or rel == rel.parent:
                continue
            found.add(".".join([name, *rel.parts]))
    # data-only packages have no __init__.py
    data = REPO / "sanlint" / "data"
    if data.is_dir():
        found.add("sanlint.data")
    return found


def test_every_package_folder_is_declared():
    missing = on_disk() - declared()
    assert not missing, f"add to [tool.setuptools] packages in pyproject.toml: {sorted(missing)}"


def test_every_declared_package_exists():
    ghosts = {p for p in declared() if p not in on_disk()}
    assert not ghosts, f"declared in pyproject.toml but not on disk: {sorted(ghosts)}"
