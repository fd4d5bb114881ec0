"""The transaction layer behind `check --fix`, `migrate --write` and
`sanlint rollback` (sanlint.apply): nothing lost, whatever happens.

Each test states one promise of issue 10 ("Nothing lost") or issue 9 item 4
and breaks it the way the attack did: an edit made while sanlint plans, two
runs at once, a full disk (a small tmpfs mounted here, as root), kill -9 at
every point of a run, hard links, read-only files, ACLs and extended
attributes, backups and other tools' leftovers beside the configuration.
"""

from __future__ import annotations

import fcntl
import os
import random
import shutil
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES

from sanlint.apply import (
    ApplyError,
    Change,
    apply,
    complete,
    list_runs,
    rollback,
    state_dir_for,
)
from sanlint.cli import main

SEED = FIXTURES / "sites" / "seed"


def run(*args):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert "Traceback" not in (result.output or "")
    return result


def tree(top: Path) -> dict[str, bytes]:
    """Every file under `top` except sanlint's state, by relative path."""
    return {str(p.relative_to(top)): p.read_bytes() for p in sorted(top.rglob("*"))
            if p.is_file() and ".sanlint" not in p.parts and "sanlint" not in p.relative_to(top).parts[:3]
            and p.relative_to(top).parts[0] != "state"}


def files(tmp: Path, n: int = 4) -> list[Path]:
    d = tmp / "etc" / "drbd.d"
    d.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        p = d / f"r{i}.res"
        p.write_bytes(f"resource r{i} {{ # original {i}\n}}\n".encode() * (i + 1))
        out.append(p)
    return out


def changes_for(paths: list[Path]) -> list[Change]:
    return [Change(str(p), p.read_bytes(), p.read_bytes().replace(b"original", b"fixed"), str(p)) for p in paths]


ACL = struct.pack("<I", 2) + b"".join(struct.pack("<HHI", tag, perm, ident) for tag, perm, ident in
                                      [(1, 6, 0xFFFFFFFF), (2, 4, 4242), (4, 4, 0xFFFFFFFF), (0x10, 4, 0xFFFFFFFF),
                                       (0x20, 4, 0xFFFFFFFF)])


# -- the ordinary run -----------------------------------------------------------------

def test_fix_then_rollback_restores_bytes_owner_mode_acl_xattrs_mtime(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(SEED, site)
    res = site / "san-1" / "etc" / "drbd.d" / "sandisk0.res"
    os.chmod(res, 0o640)
    os.chown(res, 4242, 4343)
    os.setxattr(res, "user.origin", b"puppet")
    os.setxattr(res, "system.posix_acl_access", ACL)
    os.utime(res, ns=(1_000_000_000_000_000_000, 1_000_000_000_000_000_000))
    before, st0, attrs0 = tree(site), os.stat(res), {n: os.getxattr(res, n) for n in os.listxattr(res)}
    r = run("check", "--fix", str(site))
    assert r.exit_code in (0, 1)
    assert tree(site) != before
    st1 = os.stat(res)
    assert (st1.st_mode, st1.st_uid, st1.st_gid) == (st0.st_mode, st0.st_uid, st0.st_gid)
    assert {n: os.getxattr(res, n) for n in os.listxattr(res)} == attrs0  # the ACL and the user attribute kept
    runs = list_runs(str(site / ".sanlint"))
    assert [d["state"] for d in runs] == ["done"] and "originals kept in" in r.output
    assert not [p for p in site.rglob("*") if ".sanlint-" in p.name], "temporary files or kept links left behind"
    # the backups are never read as configuration: checking again sees the fixed site only
    assert run("check", "--fix", str(site)).exit_code in (0, 1) and len(list_runs(str(site / ".sanlint"))) == 1
    r = run("rollback", "--last", str(site))
    assert r.exit_code == 0, r.output
    assert tree(site) == before
    st2 = os.stat(res)
    assert (st2.st_mode, st2.st_uid, st2.st_gid, st2.st_mtime_ns) == (st0.st_mode, st0.st_uid, st0.st_gid,
                                                                     st0.st_mtime_ns)
    assert {n: os.getxattr(res, n) for n in os.listxattr(res)} == attrs0
    assert run("rollback", "--last", str(site)).exit_code == 2  # nothing left to roll back, said so


def test_state_directory_per_layout(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(SEED, site)
    assert state_dir_for([str(site)]) == str(site / ".sanlint")
    assert state_dir_for([str(site / "san-1")]) == str(site / "san-1" / "var" / "lib" / "sanlint")
    assert state_dir_for([str(site / "san-1" / "etc" / "drbd.d" / "sandisk0.res")]) == \
        str(site / "san-1" / "var" / "lib" / "sanlint")
    assert state_dir_for(["/etc"]) == "/var/lib/sanlint"


def test_migrate_write_is_one_run_and_rolls_back(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(SEED, site)
    before = tree(site)
    r = run("migrate", "drbd-9", "--write", str(site))
    assert r.exit_code in (0, 1), r.output
    assert tree(site) != before and "rollback" in r.output
    (run_doc,) = list_runs(str(site / ".sanlint"))
    assert run_doc["kind"] == "migrate"
    assert run("rollback", run_doc["run"], str(site)).exit_code == 0
    assert tree(site) == before


# -- refusals: nothing written, said by name --------------------------------------------

def test_edit_made_while_planning_is_never_overwritten(tmp_path, monkeypatch):
    site = tmp_path / "site"
    shutil.copytree(SEED, site)
    res = site / "san-1" / "etc" / "drbd.d" / "sandisk0.res"
    import sanlint.fixes

    real_plan = sanlint.fixes.plan

    def plan_then_admin_edits(*a, **k):
        out = real_plan(*a, **k)
        with open(res, "ab") as fh:  # the admin saves an edit while sanlint was planning
            fh.write(b"# edited by the admin\n")
        return out

    monkeypatch.setattr(sanlint.fixes, "plan", plan_then_admin_edits)
    before = tree(site)
    r = run("check", "--fix", str(site))
    assert r.exit_code == 2
    assert "sandisk0.res: changed since the plan was made" in r.output and "no file was changed" in r.output
    after = tree(site)
    assert after["san-1/etc/drbd.d/sandisk0.res"].endswith(b"# edited by the admin\n")
    assert {k: v for k, v in after.items() if "san-1/etc/drbd.d" not in k} == \
        {k: v for k, v in before.items() if "san-1/etc/drbd.d" not in k}


def test_second_concurrent_run_is_refused_by_the_lock(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(SEED, site)
    before = tree(site)
    state = site / ".sanlint"
    state.mkdir()
    with open(state / "lock", "w") as fh:
        fh.write("31337\n")
        fh.flush()
        fcntl.flock(fh, fcntl.LOCK_EX)  # another run holds the site
        r = run("check", "--fix", str(site))
        assert r.exit_code == 2
        assert "another sanlint run is changing this site" in r.output and "31337" in r.output
        assert tree(site) == before
        assert run("rollback", "--last", str(site)).exit_code == 2
    assert run("check", "--fix", str(site)).exit_code in (0, 1)
    assert tree(site) != before


def test_two_real_runs_at_once_never_lose_a_byte(tmp_path):
    """Two `check --fix` processes at once: whatever the interleaving, the
    site ends fixed exactly as one run fixes it, and every recorded run's
    originals are the bytes that run replaced."""
    site, ref = tmp_path / "site", tmp_path / "ref"
    shutil.copytree(SEED, site)
    shutil.copytree(SEED, ref)
    run("check", "--fix", str(ref))
    original = tree(site)
    procs = [subprocess.Popen([sys.executable, "-m", "sanlint", "check", "--fix", str(site)], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT) for _ in range(2)]
    outs = [p.communicate()[0].decode() for p in procs]
    assert all(p.returncode in (0, 1, 2) for p in procs), outs
    assert tree(site) == tree(ref), outs
    runs = list_runs(str(site / ".sanlint"))
    assert 1 <= len(runs) <= 2 and all(d["state"] == "done" for d in runs)
    for p, out in zip(procs, outs):
        if p.returncode == 2:
            assert "another sanlint run" in out or "changed since the plan was made" in out, out
    for d in reversed(runs):
        assert run("rollback", d["run"], str(site)).exit_code == 0
    assert tree(site) == original


def test_hard_link_and_read_only_files_are_refused_by_name(tmp_path):
    a, b, c = files(tmp_path, 3)
    os.link(a, tmp_path / "elsewhere.res")
    os.chmod(b, 0o444)
    before = tree(tmp_path)
    with pytest.raises(ApplyError) as e:
        apply(changes_for([a, b, c]), str(tmp_path / "state"))
    msg = str(e.value)
    assert f"{a}: has 2 hard links" in msg and f"{b}: is read-only (mode 0444)" in msg
    assert msg.endswith("no file was changed") and str(c) not in msg
    assert tree(tmp_path) == before
    assert os.stat(a).st_nlink == 2 and os.stat(b).st_mode & 0o777 == 0o444


def test_created_file_that_appeared_meanwhile_is_not_overwritten(tmp_path):
    new = tmp_path / "etc" / "drbd.d" / "new.res"
    new.parent.mkdir(parents=True)
    new.write_bytes(b"someone else's\n")
    with pytest.raises(ApplyError, match="exists now, but did not when the plan was made"):
        apply([Change(str(new), None, b"sanlint's\n")], str(tmp_path / "state"))
    assert new.read_bytes() == b"someone else's\n"


# -- full disk ----------------------------------------------------------------------------

@pytest.fixture
def tiny_fs(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (CI runs as root)")
    mnt = tmp_path / "tiny"
    mnt.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=96k", "tmpfs", str(mnt)], check=True)
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_full_disk_during_install_puts_back_what_was_replaced(tiny_fs, tmp_path):
    a, b = files(tiny_fs, 2)
    before = tree(tiny_fs)
    big = Change(str(b), b.read_bytes(), b"x" * 200_000, str(b))  # cannot fit
    with pytest.raises(ApplyError) as e:
        apply(changes_for([a]) + [big], str(tmp_path / "state"))  # state on another filesystem: a is replaced first
    msg = str(e.value)
    assert f"could not write {b}: No space left on device" in msg
    assert "no file was changed (the 1 file(s) already replaced were put back)" in msg
    assert e.value.changed == [] and e.value.unchanged == [str(a), str(b)]
    assert tree(tiny_fs) == before
    assert not [p for p in tiny_fs.rglob("*") if ".sanlint-" in p.name]
    assert [d["state"] for d in list_runs(str(tmp_path / "state"))] == ["rolled-back"]


def test_full_disk_without_backups_changes_nothing_and_keeps_the_admins_edit(tiny_fs):
    a, b, c = files(tiny_fs, 3)
    run("check", "--fix", str(tiny_fs))  # may or may not change anything: then fill the disk
    first = tree(tiny_fs)
    # the admin edits a file after an earlier run; then the disk fills up
    for p in (a, b, c):
        p.write_bytes(p.read_bytes() + b"resource broken {\n")  # DRBD parse errors: nothing to fix, but a change
    filler = tiny_fs / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass
    finally:
        os.close(fd)
    admin = tree(tiny_fs)
    changes = [Change(str(p), p.read_bytes(), p.read_bytes() + b"# more\n" * 50, str(p)) for p in (a, b, c)]
    with pytest.raises(ApplyError) as e:
        apply(changes, state_dir_for([str(tiny_fs)]), keep_backups=False)
    assert "No space left on device" in str(e.value) and "no file was changed" in str(e.value)
    assert tree(tiny_fs) == admin != first  # the admin's edit, never an older run's copy


# -- kill -9 ----------------------------------------------------------------------------

APPLY_SCRIPT = """
import sys
from pathlib import Path
from sanlint.apply import Change, apply
paths = sorted(Path(sys.argv[1]).rglob("*.res"))
apply([Change(str(p), p.read_bytes(), p.read_bytes().replace(b"original", b"fixed") + b"# new\\n" * 3000)
       for p in paths], sys.argv[2])
"""

ROLLBACK_SCRIPT = """
import sys
from sanlint.apply import rollback
rollback(sys.argv[1], sys.argv[2])
"""


def _kill_run(top: Path, state: Path, at: int | None) -> int:
    env = dict(os.environ)
    if at is not None:
        env["SANLINT_KILL_AT"] = str(at)
    return subprocess.run([sys.executable, "-c", APPLY_SCRIPT, str(top / "etc"), str(state)], env=env, check=False).returncode


def test_kill_9_at_every_point_leaves_old_or_new_and_rollback_restores(tmp_path):
    """The apply is killed at each of its numbered points in turn (and, below,
    at random moments from outside): every file is then byte for byte its old
    or its new version, a new run is refused until the interrupted one is
    undone or completed, and rollback (itself killed once on the way) or
    --complete leaves the originals or the new versions exactly."""
    ref = tmp_path / "ref"
    paths = files(ref, 4)
    old = {str(p.relative_to(ref)): p.read_bytes() for p in paths}
    assert _kill_run(ref, tmp_path / "ref-state", None) == 0
    new = {str(p.relative_to(ref)): p.read_bytes() for p in paths}
    kills = 0
    for at in range(1, 100):
        top = tmp_path / f"k{at}"
        files(top, 4)
        state = top / "state"
        rc = _kill_run(top, state, at)
        if rc == 0:
            break  # past the last point: the run completed
        assert rc == -signal.SIGKILL
        kills += 1
        got = {str(p.relative_to(top)): p.read_bytes() for p in sorted(top.rglob("*.res"))}
        assert set(got) == set(old)
        assert all(got[k] in (old[k], new[k]) for k in got), f"a partial file after a kill at point {at}"
        pending = [d for d in list_runs(str(state)) if d["state"] == "prepared"]
        if not pending:  # killed before the journal existed (nothing touched) or after it said done
            assert got == old or got == new
            apply([], str(state))  # the next run tidies what the killed one left
            assert not [p for p in top.rglob("*") if ".sanlint-tmp-" in p.name or ".sanlint-old-" in p.name]
            continue
        with pytest.raises(ApplyError, match="was interrupted"):
            apply(changes_for(paths), str(state))
        if at % 2:
            # the rollback itself is killed after its first restored file, then run again
            subprocess.run([sys.executable, "-c", ROLLBACK_SCRIPT, str(state), pending[0]["run"]],
                           env=dict(os.environ, SANLINT_KILL_AT="1"), check=False)
            got = {str(p.relative_to(top)): p.read_bytes() for p in sorted(top.rglob("*.res"))}
            assert all(got[k] in (old[k], new[k]) for k in got)
            if [d["state"] for d in list_runs(str(state))] != ["rolled-back"]:
                rollback(str(state), pending[0]["run"])
            assert {str(p.relative_to(top)): p.read_bytes() for p in sorted(top.rglob("*.res"))} == old
        else:
            complete(str(state), pending[0]["run"])
            assert {str(p.relative_to(top)): p.read_bytes() for p in sorted(top.rglob("*.res"))} == new
        assert not [p for p in top.rglob("*") if ".sanlint-tmp-" in p.name or ".sanlint-old-" in p.name]
        shutil.rmtree(top)
    assert kills >= 15, kills


def test_kill_9_at_random_moments_from_outside(tmp_path):
    rnd = random.Random(12)
    for i in range(8):
        top = tmp_path / f"r{i}"
        paths = files(top, 6)
        old = {p: p.read_bytes() for p in paths}
        new = {p: p.read_bytes().replace(b"original", b"fixed") + b"# new\n" * 3000 for p in paths}
        proc = subprocess.Popen([sys.executable, "-c", APPLY_SCRIPT, str(top / "etc"), str(top / "state")])
        time.sleep(rnd.uniform(0.05, 0.6))  # a random moment, not a timing assertion
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert all(p.read_bytes() in (old[p], new[p]) for p in paths)
        for d in list_runs(str(top / "state")):
            if d["state"] != "rolled-back":
                rollback(str(top / "state"), d["run"])
        assert {p: p.read_bytes() for p in paths} == old
        assert not [p for p in top.rglob("*") if ".sanlint-tmp-" in p.name or ".sanlint-old-" in p.name]


def test_cli_after_a_kill_refuses_and_rollback_last_restores(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(SEED, site)
    before = tree(site)
    env = dict(os.environ, SANLINT_KILL_AT="6")
    p = subprocess.run([sys.executable, "-m", "sanlint", "check", "--fix", str(site)], env=env, capture_output=True, check=False)
    assert p.returncode == -signal.SIGKILL
    r = run("check", "--fix", str(site))
    assert r.exit_code == 2 and "was interrupted" in r.output and "sanlint rollback" in r.output
    assert run("rollback", "--last", str(site)).exit_code == 0
    assert tree(site) == before
    assert not [p for p in site.rglob("*") if ".sanlint-tmp-" in p.name or ".sanlint-old-" in p.name]


# -- leftovers --------------------------------------------------------------------------

LEFTOVERS = ["r0.res~", "r0.res.orig", "r0.res.rej", "r0.res.dpkg-old", "r0.res.dpkg-dist", "r0.res.rpmsave",
             "r0.res.rpmnew", "r0.res.sanlint-bak"]


def test_backups_and_leftovers_are_never_read_and_verbose_lists_them(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(SEED, site)
    d = site / "san-1" / "etc" / "drbd.d"
    for name in LEFTOVERS:
        (d / name).write_text("resource broken {\n")  # would be a parse error (and a duplicate) if read
    (site / "cluster.crm.orig").write_text("primitive broken\n")
    base = run("check", "--format", "json", str(SEED)).output
    r = run("check", "--format", "json", str(site))
    assert r.output.replace(str(site), "S") == base.replace(str(SEED), "S")
    r = run("check", "--verbose", str(site))
    for name in LEFTOVERS:
        assert f"skipped {site}/san-1/etc/drbd.d/{name}: a backup or another tool's leftover" in r.output
    assert f"skipped {site}/cluster.crm.orig" in r.output


def test_rollback_names_what_it_cannot_do():
    from sshd import free_port

    dead = f"ssh://127.0.0.1:{free_port()}/"  # nothing listens there
    r = run("rollback", "--last", dead)
    assert r.exit_code == 2 and f"{dead}: cannot connect" in r.output and "nothing was restored there" in r.output
    assert run("rollback", "--last").exit_code == 2  # no PATH: usage error
