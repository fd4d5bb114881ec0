"""tgt-admin is the oracle for the tgt parser.

`tgt-admin --conf FILE -e -p` parses a targets.conf offline (Config::General,
includes merged) and prints the tgtadm commands it would run.  Backing
stores that do not exist are skipped, so every fixture is copied with its
paths rewritten to regular temp files.  Targets (tid, name), LUNs (tid,
number, path), account binds and ACL binds must match sanlint's model.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from sanlint.parsers import tgt
from sanlint.source import SourceFile
from conftest import FIXTURES, need
from test_parse_iscsi import render_tgt, tgt_configs

pytestmark = pytest.mark.oracle

PATH_RE = re.compile(r"(?<=[ <])(/(?:dev|srv)/[^\s>]+)")


def tgt_admin(conf: Path) -> dict[str, set]:
    exe = need("tgt-admin")
    need("sg_inq")  # tgt-admin refuses direct-store without it
    run = subprocess.run([exe, "--conf", str(conf), "-e", "-p"], capture_output=True, text=True, timeout=60)
    assert "Check your config file" not in run.stdout, run.stdout
    return commands(run.stdout)


def commands(out: str) -> dict[str, set]:
    found: dict[str, set] = {"targets": set(), "luns": set(), "accounts": set(), "acls": set()}
    for line in out.splitlines():
        if m := re.search(r"--op new --mode target --tid (\d+) -T (\S+)", line):
            found["targets"].add((int(m[1]), m[2]))
        elif m := re.search(r'--mode logicalunit --tid (\d+) --lun (\d+) -b "([^"]+)"', line):
            found["luns"].add((int(m[1]), int(m[2]), m[3]))
        elif m := re.search(r"--mode account --op bind --tid=(\d+) --user=(\S+)( --outgoing)?", line):
            found["accounts"].add((int(m[1]), m[2], "outgoing" if m[3] else "incoming"))
        elif m := re.search(r"--op bind --mode target --tid (\d+) -([IQ]) (\S+)", line):
            found["acls"].add((int(m[1]), "name" if m[2] == "Q" else "address", m[3]))
    return found


def model(files: list[Path]) -> dict[str, set]:
    """sanlint's view of the merged files, numbered the way tgt-admin numbers
    targets (sorted names over everything included)."""
    targets = [t for f in files for t in tgt.parse(SourceFile(display=f.name, data=f.read_bytes(), path=f)).targets]
    tids = {name: i for i, name in enumerate(sorted({t.name for t in targets}), 1)}
    found: dict[str, set] = {"targets": set(), "luns": set(), "accounts": set(), "acls": set()}
    for t in targets:
        tid = tids[t.name]
        found["targets"].add((tid, t.name))
        found["luns"] |= {(tid, lun.number, lun.path) for lun in t.luns}
        found["accounts"] |= {(tid, c.user, c.direction) for c in t.chap}
        found["acls"] |= {(tid, "name" if a.kind == "name" else "address", a.value) for a in t.acls}
        if not any(a.kind != "name" for a in t.acls):
            found["acls"].add((tid, "address", "ALL"))  # tgt-admin binds ALL without initiator-address
    return found


def staged(tmp_path: Path, files: list[Path]) -> list[Path]:
    """Copies of `files` whose device paths are regular files under tmp_path."""
    out = []
    for f in files:
        text = PATH_RE.sub(lambda m: _backing(tmp_path, m[1]), f.read_text())
        text = text.replace("/etc/tgt/conf.d/", f"{tmp_path}/conf.d/")
        dest = tmp_path / f.relative_to(FIXTURES / "tgt")
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(text)
        out.append(dest)
    return out


def _backing(tmp_path: Path, path: str) -> str:
    store = tmp_path / "stores" / path.strip("/").replace("/", "_")
    store.parent.mkdir(exist_ok=True)
    store.write_bytes(b"\0" * 4096)
    return str(store)


FIXTURE_SETS = {
    "targets.conf+conf.d": ["targets.conf", "conf.d/blocks.conf", "conf.d/open.conf"],
    "blocks.conf": ["conf.d/blocks.conf"],
    "open.conf": ["conf.d/open.conf"],
}


@pytest.mark.parametrize("name", sorted(FIXTURE_SETS))
def test_tgt_fixture_matches_tgt_admin(tmp_path, name):
    files = staged(tmp_path, [FIXTURES / "tgt" / f for f in FIXTURE_SETS[name]])
    assert model(files) == tgt_admin(files[0])


@pytest.mark.parametrize("path", sorted((FIXTURES / "tgt" / "invalid").glob("*.conf")), ids=lambda p: p.name)
def test_tgt_admin_rejects_invalid_fixtures(tmp_path, path):
    exe = need("tgt-admin")
    (conf,) = staged(tmp_path, [path])
    run = subprocess.run([exe, "--conf", str(conf), "-e", "-p"], capture_output=True, text=True, timeout=60)
    out = run.stdout + run.stderr
    assert "Config::General" in out or "Check your config file" in out, out


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(tgt_configs())
def test_generated_configs_match_tgt_admin(tmp_path_factory, targets):
    tmp = tmp_path_factory.mktemp("gen")
    conf = tmp / "targets.conf"
    conf.write_text(PATH_RE.sub(lambda m: _backing(tmp, m[1]), render_tgt(targets)))
    assert model([conf]) == tgt_admin(conf)
