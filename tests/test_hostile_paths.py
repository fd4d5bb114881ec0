"""Hostile inputs, part 1 (issue 10): nothing outside the tree given is read
or written, and odd files are reported instead of skipped in silence.

Each test builds the situation the issue describes and checks the outcome
on disk and in the output: a symbolic link or an include that leads out of
the tree is a finding at the link or the include, and the file it points to
is neither quoted nor edited; fifos, devices, directories named like
configuration files and unreadable files or directories are SAN001
findings, never "No problems found" and never a "missing include".
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from sanlint.cli import main

MARKER = "outside-marker-7d1f"
# a DRBD file with a safe fix (DRBD120: the 8.3 syncer section), so `--fix` would edit it if it were read
FIXABLE = f"""# {MARKER}
resource {MARKER} {{
  syncer {{ rate 70M; }}
  on alpha {{ device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }}
  on bravo {{ device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }}
}}
"""
R0 = """resource r0 {
  on alpha { device /dev/drbd1; disk /dev/sdc; meta-disk internal; address 10.0.0.1:7790; }
  on bravo { device /dev/drbd1; disk /dev/sdc; meta-disk internal; address 10.0.0.2:7790; }
}
"""


def run(*args):
    r = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert "Traceback" not in (r.output or "")
    return r


def findings(*args) -> list[dict]:
    r = run("check", "--format", "json", *args)
    return json.loads(r.output)["findings"]


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)


@pytest.fixture
def outside(tmp_path) -> Path:
    d = tmp_path / "outside"
    write(d, {"shadow": f"root:{MARKER}:19000:0:99999:7:::\n", "drbd.d/evil.res": FIXABLE, "evil.res": FIXABLE})
    return d


def _site(tmp_path: Path) -> tuple[Path, Path]:
    site = tmp_path / "site"
    root = site / "san-1"
    write(root, {"etc/drbd.conf": 'include "drbd.d/*.res";\n', "etc/drbd.d/r0.res": R0})
    return site, root


def _snapshot(d: Path) -> dict[str, bytes]:
    return {str(p.relative_to(d)): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


def test_file_link_out_of_the_host_root_is_a_finding_and_never_quoted(tmp_path, outside):
    site, root = _site(tmp_path)
    (root / "etc/drbd.d/shadow.res").symlink_to(outside / "shadow")
    (root / "etc/drbd.d/evil.res").symlink_to(outside / "evil.res")
    before = _snapshot(outside)
    r = run("check", str(site))
    assert MARKER not in r.output
    got = {Path(f["path"]).name: f for f in findings(str(site)) if f["code"] == "SAN001"}
    assert "leads outside the tree being checked" in got["shadow.res"]["message"]
    assert "leads outside the tree being checked" in got["evil.res"]["message"]
    run("check", "--fix", "--unsafe-fixes", str(site))
    assert _snapshot(outside) == before  # nothing edited, no backup written beside it


def test_directory_link_out_of_the_host_root_is_not_walked(tmp_path, outside):
    site = tmp_path / "site"
    write(site / "san-1", {"etc/drbd.conf": "# nothing\n"})
    (site / "san-1/etc/drbd.d").symlink_to(outside / "drbd.d")
    (site / "san-1/etc/lvm").symlink_to("/etc")  # this machine's /etc must not be checked
    got = findings(str(site))
    assert not any(MARKER in json.dumps(f) or "DRBD120" == f["code"] for f in got)
    by_path = {f["path"]: f["message"] for f in got if f["code"] == "SAN001"}
    assert "leads outside" in by_path[f"{site}/san-1/etc/drbd.d"]
    assert "leads outside" in by_path[f"{site}/san-1/etc/lvm"]


def test_links_between_hosts_of_one_site_are_followed(tmp_path):
    site, root = _site(tmp_path)
    write(site / "san-2", {"etc/drbd.conf": 'include "drbd.d/*.res";\n'})
    (site / "san-2/etc/drbd.d").mkdir()
    (site / "san-2/etc/drbd.d/r0.res").symlink_to(root / "etc/drbd.d/r0.res")
    got = findings("--select", "SAN", str(site))
    assert got == []


def test_drbd_include_out_of_the_root_is_refused_at_the_include_and_never_fixed(tmp_path, outside):
    site, root = _site(tmp_path)
    depth = "../" * 4  # site/san-1/etc/drbd.d/.. -> tmp_path
    (root / "etc/drbd.d/global_common.conf").write_text(f'include "{depth}outside/evil.res";\n')
    (root / "etc/drbd.conf").write_text('include "drbd.d/global_common.conf";\ninclude "drbd.d/*.res";\n')
    before = _snapshot(outside)
    got = [f for f in findings(str(site)) if f["code"] == "SAN002"]
    assert len(got) == 1
    assert got[0]["path"].endswith("global_common.conf") and (got[0]["line"], got[0]["column"]) == (1, 1)
    assert "leads outside the tree being checked" in got[0]["message"]
    r = run("check", "--fix", "--unsafe-fixes", str(site))
    assert MARKER not in r.output
    assert _snapshot(outside) == before
    assert not list(outside.rglob("*.sanlint-bak"))


def test_drbd_absolute_include_stays_in_the_host_root(tmp_path, outside):
    site, root = _site(tmp_path)
    (root / "etc/drbd.conf").write_text(f'include "/../../../../../../../../{outside}/evil.res";\n')
    got = findings(str(site))
    assert MARKER not in json.dumps(got)
    assert [f["code"] for f in got if f["path"].endswith("drbd.conf")] in (["SAN002"], [])


def test_lone_file_include_out_of_its_directory(tmp_path, outside):
    d = tmp_path / "conf"
    write(d, {"drbd.conf": f'include "{outside}/evil.res";\n'})
    got = findings(str(d / "drbd.conf"))
    assert [f["code"] for f in got] == ["SAN002"]
    assert MARKER not in json.dumps(got)


def test_tgt_include_of_parent_directories(tmp_path, outside):
    site = tmp_path / "site"
    write(site / "san-1", {"etc/tgt/targets.conf": "include ../..\ninclude ../../../../outside/*\n"})
    got = findings(str(site))
    assert MARKER not in json.dumps(got)
    assert {f["code"] for f in got} <= {"SAN001", "SAN002", "SAN005"}
    assert any("leads outside" in f["message"] for f in got)


def test_fifo_directory_and_device_named_like_config_are_reported(tmp_path):
    site, root = _site(tmp_path)
    drbd_d = root / "etc/drbd.d"
    os.mkfifo(drbd_d / "fifo.res")
    (drbd_d / "dir.res").mkdir()
    (drbd_d / "zero.res").symlink_to("/dev/zero")
    (root / "etc/lvm").mkdir()
    (root / "etc/lvm/lvm.conf").mkdir()
    # a fifo must not block and /dev/zero must not be read: the run ends (the timeout only guards the suite)
    p = subprocess.run([sys.executable, "-m", "sanlint", "check", "--format", "json", str(site)],
                       capture_output=True, text=True, timeout=120)
    assert "Traceback" not in p.stderr
    got = {Path(f["path"]).name: f["message"] for f in json.loads(p.stdout)["findings"] if f["code"] == "SAN001"}
    assert "a fifo, not a regular file" in got["fifo.res"]
    assert "a directory, not a regular file" in got["dir.res"]
    assert "a directory, not a regular file" in got["lvm.conf"]
    assert "/dev/zero" in got["zero.res"]
    assert p.returncode == 1


def test_device_inside_a_live_like_root_is_not_read(tmp_path, monkeypatch):
    """With the tree at / (a live node), a link to /dev/zero is inside the
    tree: it must still be refused as a device, not read without bound."""
    from sanlint.site import InputError, read_bounded

    with pytest.raises(InputError, match="character device"):
        read_bounded("/dev/zero")
    fifo = tmp_path / "f"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="fifo"):
        read_bounded(fifo)
    big = tmp_path / "big"
    big.write_bytes(b"x" * 101)
    with pytest.raises(InputError, match="too large"):
        read_bounded(big, limit=100)
    assert read_bounded(big, limit=101) == b"x" * 101


# -- as an unprivileged user -------------------------------------------------

def _as_nobody(args: list[str], cache: Path) -> subprocess.CompletedProcess:
    """Run sanlint as `nobody` when root (setpriv), else as the current user."""
    cmd = [sys.executable, "-m", "sanlint", *args]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("setpriv (util-linux) is needed to drop privileges")
        cmd = [setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups", *cmd]
    env = {**os.environ, "SANLINT_CACHE_DIR": str(cache), "HOME": str(cache)}
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env)


@pytest.fixture
def public_tmp():
    """A directory `nobody` can enter (pytest's tmp_path is private to root)."""
    d = Path(tempfile.mkdtemp(prefix="sanlint-hostile-"))
    d.chmod(0o755)
    try:
        yield d
    finally:
        for p in [d, *d.rglob("*")]:
            if p.is_dir() and not p.is_symlink():
                p.chmod(0o755)
        shutil.rmtree(d)


def test_unreadable_files_and_directories_are_findings_for_an_unprivileged_user(public_tmp):
    site = public_tmp / "site"
    write(site / "san-1", {"etc/drbd.conf": 'include "drbd.d/*.res";\n', "etc/drbd.d/r0.res": R0,
                           "etc/corosync/corosync.conf": "totem {\n version: 2\n}\n"})
    write(site / "san-2", {"etc/drbd.conf": 'include "drbd.d/r0.res";\n', "etc/drbd.d/r0.res": R0})
    write(site, {"cluster.conf": "primitive p ocf:heartbeat:IPaddr2 params ip=10.0.0.9\n"})
    cache = public_tmp / "cache"
    cache.mkdir()
    cache.chmod(0o777)
    for p in site.rglob("*"):
        p.chmod(0o755 if p.is_dir() else 0o644)
    (site / "cluster.conf").chmod(0)
    (site / "san-1/etc/corosync").chmod(0)
    (site / "san-2/etc/drbd.d").chmod(0)
    p = _as_nobody(["check", "--format", "json", str(site)], cache)
    assert "Traceback" not in p.stderr, p.stderr
    got = json.loads(p.stdout)["findings"]
    by_path = {f["path"]: f["message"] for f in got if f["code"] == "SAN001"}
    assert "Permission denied" in by_path[f"{site}/cluster.conf"]
    assert "cannot read directory" in by_path[f"{site}/san-1/etc/corosync"]
    assert "cannot read directory" in by_path[f"{site}/san-2/etc/drbd.d"]
    include = [f for f in got if f["path"] == f"{site}/san-2/etc/drbd.conf"]
    assert [f["code"] for f in include] == ["SAN001"] and "cannot read directory" in include[0]["message"]
    assert not any(f["code"] == "SAN002" for f in got)  # never called a missing include
    assert p.returncode == 1
    text = _as_nobody(["check", str(site)], cache)
    assert "No problems found" not in text.stdout


def test_explicit_fifo_argument_is_a_usage_error(tmp_path):
    fifo = tmp_path / "cib.xml"
    os.mkfifo(fifo)
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    p = subprocess.run([sys.executable, "-m", "sanlint", "check", str(fifo)], capture_output=True, text=True, timeout=120)
    assert p.returncode == 2 and "not a regular file" in p.stderr
