"""The real tools judge the same fixtures as sanlint.

LVM: `lvmconfig` reads `$LVM_SYSTEM_DIR/lvm.conf`, so each fixture is copied
there as lvm.conf (metadata backups too: same syntax, lvmconfig only warns
about unknown settings).  It must accept exactly what sanlint accepts, report
a syntax error at the same byte ("Parse error at byte N", 1-based), and print
the same value for every setting (its output is itself lvm.conf syntax, so
sanlint's parser reads it back).

corosync: `corosync -t -c FILE` (3.1: "Test configuration and exit") runs the
parser and then the semantic checks, which fail on a machine that is no
cluster node (no local address in the nodelist, no authkey, no log dir).
Errors of the parser come out as "parser error: FILE:LINE: ...": syntax,
and also key names and typed values (`two_node: 1:`), which sanlint leaves
to the rules, so the fixtures hold syntax errors only.  Acceptance means no
such line; a rejection must name sanlint's line.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import FIXTURES, need
from sanlint.parsers.corosync import parse as parse_corosync
from sanlint.parsers.lvm import parse as parse_lvm
from sanlint.source import ParseError, SourceFile

pytestmark = pytest.mark.oracle

LVM_FILES = sorted(p for p in (FIXTURES / "lvm").rglob("*") if p.is_file() and p.suffix != ".expect")
COROSYNC_FILES = sorted(p for p in (FIXTURES / "corosync").rglob("*") if p.is_file() and p.suffix != ".expect")


def _ids(path: Path) -> str:
    return str(path.relative_to(FIXTURES))


def _sanlint(parse, path: Path):
    try:
        return parse(SourceFile(display=str(path), data=path.read_bytes(), path=path)), None
    except ParseError as e:
        return None, e


# -- LVM ---------------------------------------------------------------------
def _lvmconfig(tool: str, conf: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    shutil.copyfile(conf, tmp_path / "lvm.conf")
    env = dict(os.environ, LVM_SYSTEM_DIR=str(tmp_path), LVM_SUPPRESS_FD_WARNINGS="1")
    return subprocess.run([tool, *args], env=env, capture_output=True, text=True, timeout=60)


def _same(ours, theirs) -> bool:
    # lvmconfig prints a one-element array as a scalar, and floats with %f
    if isinstance(ours, list) and len(ours) == 1 and not isinstance(theirs, list):
        ours = ours[0]
    if isinstance(ours, list) and isinstance(theirs, list):
        return len(ours) == len(theirs) and all(_same(a, b) for a, b in zip(ours, theirs))
    if isinstance(ours, float) or isinstance(theirs, float):
        return isinstance(theirs, (int, float)) and abs(ours - theirs) < 1e-6
    return ours == theirs


@pytest.mark.parametrize("path", LVM_FILES, ids=_ids)
def test_lvmconfig_accepts_what_sanlint_accepts(path: Path, tmp_path: Path):
    tool = need("lvmconfig")
    config, error = _sanlint(parse_lvm, path)
    run = _lvmconfig(tool, path, tmp_path, "--type", "current")
    accepted = run.returncode == 0 and "Failed to load config file" not in run.stderr
    assert accepted == (error is None), run.stderr
    byte = re.search(r"Parse error at byte (\d+)", run.stderr)
    if error is not None and byte:
        assert int(byte.group(1)) == error.char_offset + 1, run.stderr


@pytest.mark.parametrize("path", [p for p in LVM_FILES if "invalid" not in p.parts], ids=_ids)
def test_lvmconfig_prints_the_same_values(path: Path, tmp_path: Path):
    tool = need("lvmconfig")
    config, _ = _sanlint(parse_lvm, path)
    keys = list(dict.fromkeys(s.key for s in config.settings if "/" in s.key))
    run = _lvmconfig(tool, path, tmp_path, *keys)
    assert run.returncode == 0, run.stderr
    printed = parse_lvm(SourceFile.from_text("lvmconfig output", run.stdout)).settings
    assert len(printed) == len(keys), run.stdout
    for key, theirs in zip(keys, printed):
        assert _same(config.get(key).value, theirs.value), (key, config.get(key).value, theirs.value)


def test_lvmconfig_seed_filter(tmp_path: Path):
    tool = need("lvmconfig")
    run = _lvmconfig(tool, FIXTURES / "lvm" / "seed" / "lvm.conf", tmp_path, "devices/filter", "devices/write_cache_state")
    assert run.stdout.split() == ['filter=["a|/dev/drbd.*|","r|.*|"]', "write_cache_state=0"]


# -- corosync ----------------------------------------------------------------
@pytest.mark.parametrize("path", COROSYNC_FILES, ids=_ids)
def test_corosync_parser_accepts_what_sanlint_accepts(path: Path):
    tool = need("corosync")
    _, error = _sanlint(parse_corosync, path)
    run = subprocess.run([tool, "-t", "-c", str(path.resolve())], capture_output=True, text=True, timeout=60)
    output = run.stdout + run.stderr
    parser_error = re.search(r"parser error: .*?:(\d+): (.*)", output)
    assert (parser_error is None) == (error is None), output
    if error is not None and error.found != "end of file":
        # corosync counts lines read; at end of file that is the last line, sanlint points past it
        assert int(parser_error.group(1)) == error.line, output
