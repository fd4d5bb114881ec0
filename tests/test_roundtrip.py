"""Round trip over every fixture: an untouched file parsed into the model
and printed back from its statements and trivia is byte-identical, and
every model object's span agrees with its line and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import FIXTURES
from sanlint.discovery import classify
from sanlint.model.base import walk
from sanlint.parsers import parse
from sanlint.printer import render, statements
from sanlint.source import SourceFile


def _host_rel(path: Path) -> str | None:
    for parent in path.parents:
        if (parent / "etc").is_dir() or (parent / "var").is_dir():
            return path.relative_to(parent).as_posix()
        if parent == FIXTURES:
            break
    return None


def _fixture_files() -> list[Path]:
    out = []
    for p in sorted(FIXTURES.rglob("*")):
        if not p.is_file() or p.suffix in (".expect", ".md") or p.name == "expect.json":
            continue
        if "invalid" in p.parts:
            continue
        if classify(p, _host_rel(p)) is None:
            continue
        out.append(p)
    return out


FILES = _fixture_files()


def test_there_are_fixtures_of_many_formats():
    formats = {classify(p, _host_rel(p)) for p in FILES}
    assert {"drbd", "crm", "lvm", "lvm-metadata", "ietd", "corosync"} <= formats, formats


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_untouched_file_prints_back_identical(path):
    fmt = classify(path, _host_rel(path))
    src = SourceFile(display=str(path), data=path.read_bytes(), path=path, format=fmt)
    parsed = parse(src)  # every fixture outside invalid/ folders must parse
    assert render(parsed, src) == src.data
    assert statements(parsed, src), "the model has no statement with a span in this file"
    for obj in walk(parsed):
        span = obj.span
        if span.file is not src:
            continue
        assert 0 <= span.start <= span.end <= len(src.data), (type(obj).__name__, span)
        # line/column are those of the span's first byte
        before = src.data[: span.start].decode("utf-8", "surrogateescape")
        assert span.line == before.count("\n") + 1, (type(obj).__name__, span)
        assert span.column == len(before) - (before.rfind("\n") + 1) + 1, (type(obj).__name__, span)
