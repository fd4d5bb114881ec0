"""Whole-pipeline fuzzing: whatever sits in a site's configuration files,
`sanlint check` answers with findings (exit 0 or 1), never with an internal
error or a traceback.  Inputs are the real fixtures, mutated."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES
from sanlint.cli import main

SEED = FIXTURES / "sites" / "seed"
MODERN = FIXTURES / "sites" / "modern"
TARGETS = sorted(p.relative_to(SEED).as_posix() for p in SEED.rglob("*") if p.is_file()) + \
    sorted("modern/" + p.relative_to(MODERN).as_posix() for p in MODERN.rglob("*") if p.is_file())


def _mutate(data: bytes, ops: list[tuple[int, int, bytes]]) -> bytes:
    for kind, pos, chunk in ops:
        if not data:
            data = chunk
            continue
        pos %= len(data) + 1
        if kind == 0:  # insert
            data = data[:pos] + chunk + data[pos:]
        elif kind == 1:  # delete a run
            data = data[:pos] + data[pos + len(chunk) + 1:]
        else:  # overwrite
            data = data[:pos] + chunk + data[pos + len(chunk):]
    return data


TOKENS = [b"{", b"}", b";", b'"', b"\\\n", b"\n", b"#", b":", b"=", b"<", b"/>", b"</", b"[", b"]", b"\x00",
          b"\xff\xfe", b"resource", b"on", b"include \"x\";", b"primitive", b"ms", b"order", b"inf:", b"Lun 0",
          b"Target", b"<target x>", b"totem {", b"filter = [", b"\t", b" ", b"-", b"9" * 30, "é".encode()]

ops = st.lists(st.tuples(st.integers(0, 2), st.integers(0, 10_000),
                         st.one_of(st.sampled_from(TOKENS), st.binary(max_size=12))), min_size=1, max_size=6)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(target=st.sampled_from(TARGETS), mutations=ops)
def test_mutated_site_gives_findings_not_crashes(tmp_path_factory, target, mutations):
    work = tmp_path_factory.mktemp("fuzz")
    if target.startswith("modern/"):
        site, rel = work / "modern", target[len("modern/"):]
        shutil.copytree(MODERN, site)
    else:
        site, rel = work / "seed", target
        shutil.copytree(SEED, site)
    f = site / rel
    f.write_bytes(_mutate(f.read_bytes(), mutations))
    result = CliRunner().invoke(main, ["check", "--format", "json", str(site)], catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    assert "internal error" not in result.output and "Traceback" not in result.output
    doc = json.loads(result.stdout)
    for finding in doc["findings"]:
        assert finding["line"] >= 1 and finding["column"] >= 1


@pytest.mark.parametrize("junk", [b"", b"\n\n\n", b"\x00" * 10, b"\xff" * 100, "résumé ☃\n".encode(), b"{" * 5000])
def test_degenerate_files_everywhere(tmp_path, junk):
    site = tmp_path / "site"
    shutil.copytree(SEED, site)
    for p in site.rglob("*"):
        if p.is_file():
            p.write_bytes(junk)
    result = CliRunner().invoke(main, ["check", "--format", "json", str(site)], catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    assert "internal error" not in result.output
    json.loads(result.stdout)
