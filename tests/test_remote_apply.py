"""Fixes and migrations carried out on ssh:// nodes, against the real sshd
of tests/sshd.py (127.0.0.1 only), node roots being directories.

One plan for all nodes; each node checks its files again and validates the
new ones with its own tool (drbdadm-83 for the 8.3 seed) before anything is
changed anywhere; originals under ROOT/var/lib/sanlint/backups/RUN-ID/; any
failure on any node rolls back every node already changed.
"""

from __future__ import annotations

import fcntl
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import FIXTURES, need, on_a_terminal
from sshd import free_port
from test_apply import run

SEED = FIXTURES / "sites" / "seed"


def tree(top: Path) -> dict[str, bytes]:
    """Every configuration file under top (the run's own state left out)."""
    return {str(p.relative_to(top)): p.read_bytes() for p in sorted(top.rglob("*"))
            if p.is_file() and "var/lib/sanlint" not in str(p) and ".sanlint" not in p.parts}


@pytest.fixture
def site(tmp_path):
    need("/lib/drbd/drbdadm-83")
    s = tmp_path / "site"
    shutil.copytree(SEED, s)
    return s


def remote_args(server, site, *extra):
    return ["--ssh-config", server.config, "--host", f"san-1={server.url(site / 'san-1')}",
            "--host", f"san-2={server.url(site / 'san-2')}", *extra]


def test_fix_on_two_nodes_matches_a_local_fix_and_rollback_last_restores(server, site, tmp_path):
    ref = tmp_path / "ref"
    shutil.copytree(SEED, ref)
    r = run("check", "--fix", "--host", f"san-1={ref}/san-1", "--host", f"san-2={ref}/san-2",
            str(ref / "cluster-santnet-san.conf"))
    assert r.exit_code in (0, 1), r.output
    before = tree(site)
    crm = str(site / "cluster-santnet-san.conf")
    r = run("check", "--fix", *remote_args(server, site, crm))
    assert r.exit_code in (0, 1), r.output
    after = tree(site)
    assert after == tree(ref) != before  # each node's files (and the local crm file) as a local --fix makes them
    assert "san-2: DRBD configuration accepted by drbdadm-83 (dump all)" in r.output  # validated on the node
    assert "sanlint: san-1: changed" not in r.output  # no progress lines in a pipe
    run_ids = set()
    for host in ("san-1", "san-2"):
        (run_dir,) = (site / host / "var/lib/sanlint/backups").iterdir()
        run_ids.add(run_dir.name)
        journal = json.loads((run_dir / "journal.json").read_text())
        assert journal["state"] == "done" and journal["files"]
        for e in journal["files"]:
            assert (run_dir / e["orig"]).read_bytes() == before[str(Path(e["path"]).relative_to(site))]
            assert e["mode"] == (site / Path(e["path"]).relative_to(site)).stat().st_mode & 0o7777
    assert len(run_ids) == 1  # one RUN-ID on every node
    # rollback --last over ssh (and the local crm file with it)
    urls = [f"san-1={server.url(site / 'san-1')}", server.url(site / "san-2")]
    listed = run("rollback", "--list", "--ssh-config", server.config, *urls)
    assert listed.exit_code == 0 and listed.output.count(" done ") == 2, listed.output
    r = run("rollback", "--last", "--ssh-config", server.config, *urls, crm)
    assert r.exit_code == 0, r.output
    assert tree(site) == before
    assert "restored 127.0.0.1:" in r.output
    again = run("rollback", "--last", "--ssh-config", server.config, *urls)
    assert again.exit_code == 2 and "no run to roll back" in again.output


def test_dry_run_prints_the_plan_and_diffs_and_changes_nothing_with_progress_on_a_terminal(server, site):
    before = tree(site)
    rc, out = on_a_terminal([sys.executable, "-m", "sanlint", "check", "--fix", "--dry-run", *remote_args(server, site)])
    assert rc in (0, 1), out
    out = out.replace("\r\n", "\n")
    assert tree(site) == before and not list(site.rglob("var/lib/sanlint"))
    assert "# plan (--dry-run: nothing is changed)" in out
    assert "san-2: 1 file(s); originals kept in" in out and "/var/lib/sanlint/backups/RUN-ID/" in out
    assert "+                on-io-error        detach;" in out  # the diff
    assert "# checked san-1: DRBD configuration accepted by drbdadm-83" in out
    assert "sanlint: san-1: checked\n" in out and "sanlint: san-2: checked\n" in out  # progress: a terminal


def test_validation_refused_on_the_second_node_changes_nothing_anywhere(server, site):
    """san-2 holds a package manager's leftover, `sandisk0.rpmsave.res`:
    sanlint skips it (a leftover name), but drbd.conf's `include
    "drbd.d/*.res"` reads it, so drbdadm-83 on san-2 sees resource sandisk0
    twice and refuses the new configuration: no node is changed, the local
    crm file neither."""
    leftover = site / "san-2/etc/drbd.d/sandisk0.rpmsave.res"
    shutil.copy(site / "san-2/etc/drbd.d/sandisk0.res", leftover)
    before = tree(site)
    r = run("check", "--fix", *remote_args(server, site, str(site / "cluster-santnet-san.conf")))
    assert r.exit_code == 2, r.output
    assert "san-2: " in r.output and "drbdadm-83 -c ... dump all refuses the new configuration" in r.output
    assert "sandisk0" in r.output and "nothing was changed on any node" in r.output
    assert "san-1: " not in r.output.split("could not write fixes:")[1].split("refuses")[0]
    assert tree(site) == before
    assert not list(site.rglob("backups"))


def test_failure_while_installing_on_the_second_node_rolls_the_first_back(server, site):
    """Validation passes everywhere; then san-2 cannot keep its originals (its
    ROOT/var/lib/sanlint is a file): san-1, already changed, is rolled back."""
    blocker = site / "san-2/var/lib/sanlint"
    blocker.parent.mkdir(parents=True)
    blocker.write_text("not a directory\n")
    before = tree(site)
    r = run("check", "--fix", *remote_args(server, site))
    assert r.exit_code == 2, r.output
    assert "san-2: cannot use the state directory" in r.output and "rolled back on san-1" in r.output
    assert tree(site) == before
    journal = json.loads(next((site / "san-1/var/lib/sanlint/backups").glob("*/journal.json")).read_text())
    assert journal["state"] == "rolled-back"


def test_node_whose_host_key_does_not_match_is_refused_and_nothing_changes(server, site):
    before = tree(site)
    r = run("check", "--fix", "--ssh-config", server.client_config("wrong_hosts"),
            "--host", f"san-1={server.url(site / 'san-1')}")
    assert r.exit_code == 2 and "Host key verification failed" in r.output
    assert tree(site) == before


def test_unreachable_node_exit_2_nothing_changed_anywhere_the_others_checked(server, site):
    before = tree(site)
    dead = f"ssh://127.0.0.1:{free_port()}/"
    r = run("check", "--fix", "--format", "json", *remote_args(server, site), "--host", f"san-3={dead}")
    assert r.exit_code == 2
    assert f"san-3 ({dead}): cannot connect" in r.output and "nothing was changed on any node" in r.output
    assert tree(site) == before
    doc = json.loads(r.output[r.output.index("{"): r.output.rindex("}") + 1])
    assert {f["host"] for f in doc["findings"]} >= {"san-1", "san-2"}
    m = run("migrate", "drbd-9", "--write", *remote_args(server, site), "--host", f"san-3={dead}")
    assert m.exit_code == 2 and tree(site) == before


def test_migrate_write_on_two_nodes_matches_a_local_migration(server, site, tmp_path):
    need("drbdadm")
    ref = tmp_path / "ref"
    shutil.copytree(SEED, ref)
    local = run("migrate", "drbd-9", "--write", "--host", f"san-1={ref}/san-1", "--host", f"san-2={ref}/san-2")
    assert local.exit_code in (0, 1), local.output
    before = tree(site)
    assert run("migrate", "drbd-9", "--dry-run", *remote_args(server, site)).exit_code == 2  # without --write
    assert run("check", "--dry-run", *remote_args(server, site)).exit_code == 2  # without --fix
    dry = run("migrate", "drbd-9", "--write", "--dry-run", *remote_args(server, site))
    assert dry.exit_code in (0, 1), dry.output
    assert "plan (--dry-run: nothing is changed)" in dry.output and "checked san-2: DRBD configuration accepted" \
        in dry.output and tree(site) == before
    r = run("migrate", "drbd-9", "--write", *remote_args(server, site))
    assert r.exit_code in (0, 1), r.output
    assert tree(site) == tree(ref) != before
    assert "accepted by drbdadm (dump all)" in r.output  # validated with DRBD 9's drbdadm, the target
    urls = [server.url(site / "san-1"), server.url(site / "san-2")]
    assert run("rollback", "--last", "--ssh-config", server.config, *urls).exit_code == 0
    assert tree(site) == before


# -- kill -9 ------------------------------------------------------------------------------

DRIVER = Path(__file__).with_name("kill_driver.py")


def kill_site(tmp_path: Path, nodes=None) -> tuple[Path, Path, dict, dict]:
    """Two node roots (the seed's), the spec of a run changing two DRBD files
    on each, and the old and new bytes of every file."""
    site = tmp_path / "k"
    shutil.copytree(SEED, site)
    places, old, new = [], {}, {}
    for host in ("san-1", "san-2"):
        root = site / host
        changes = []
        for rel, edit in (("etc/drbd.d/sandisk0.res", lambda t: t.replace("pass_on", "detach")),
                          ("etc/drbd.d/global_common.conf", lambda t: t + "# checked by sanlint\n")):
            text = (root / rel).read_text()
            changes.append([rel, text, edit(text)])
            old[root / rel], new[root / rel] = text.encode(), edit(text).encode()
        places.append({"root": str(root), "changes": changes,
                       "url": nodes.url(root) if nodes is not None else None})
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"places": places, "drbd": "8.3",
                                "ssh_config": nodes.config if nodes is not None else None}))
    return site, spec, old, new


def start(spec: Path, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(DRIVER), str(spec)], env=dict(os.environ, **(env or {})),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)


def old_or_new(old: dict, new: dict, at) -> int:
    """Every file holds its old or its new version; the number holding the new one."""
    n = 0
    for path, before in old.items():
        data = path.read_bytes()
        assert data in (before, new[path]), f"{path} is partial after a kill ({at})"
        n += data == new[path]
    return n


def test_kill_9_during_a_run_over_two_places_leaves_old_or_new_and_rollback_restores(tmp_path):
    """The coordinator of a run over two places (two host roots of this
    machine: the same code path as two nodes, without ssh's cost) is killed
    at each numbered point of the transaction layer and at random moments;
    afterwards every file is old or new, never partial, and rolling the
    run back everywhere restores the originals byte for byte."""
    from sanlint.apply import ApplyError
    from sanlint.apply.remote import LocalPlace, roll_back

    need("/lib/drbd/drbdadm-83")
    site, spec, old, new = kill_site(tmp_path)
    before = tree(site)
    places = [LocalPlace(str(site / h / "var/lib/sanlint")) for h in ("san-1", "san-2")]
    rng = random.Random(20261125)
    kills, partial_runs = 0, 0
    plan = [("at", k) for k in (1, 2, 3, 4, 6, 7, 8, 10, 11, 12, 13, 15, 17, 19, 21)] + [("random", i) for i in range(3)]
    for how, k in plan:
        p = start(spec, {"SANLINT_KILL_AT": str(k)} if how == "at" else None)
        if how == "random":
            time.sleep(rng.uniform(0.2, 1.5))  # a random moment, not a timing assertion
            os.killpg(p.pid, signal.SIGKILL)
        rc = p.wait()
        if rc == -signal.SIGKILL:
            kills += 1
        n = old_or_new(old, new, (how, k))
        partial_runs += 0 < n < len(old)
        try:
            answers, _ = roll_back(places, None)
        except ApplyError as e:  # killed before any place recorded the run: nothing was changed
            assert "no run to roll back" in str(e) and n == 0
            continue
        assert all(a.get("ok") for _, a in answers), answers
        assert tree(site) == before, f"rollback after a kill ({how} {k}) did not restore the originals"
    assert kills >= 15, kills
    assert partial_runs, "no kill landed between the first and the last file"


def _wait_for_nodes(site: Path) -> None:
    """After the coordinator is killed, node programs already started run to
    their end: wait until none runs and the nodes' locks are free."""
    for _ in range(600):
        busy = False
        for cmd in Path("/proc").glob("[0-9]*/cmdline"):
            try:
                busy = busy or b"sanlint.apply.node" in cmd.read_bytes()
            except OSError:
                pass
        if not busy:
            break
        time.sleep(0.05)
    for lock in site.glob("*/var/lib/sanlint/lock"):
        with open(lock, "rb") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)  # held by a run still going: wait for it


def test_kill_9_over_ssh_leaves_old_or_new_and_rollback_last_restores(server, tmp_path):
    """Over ssh: a node's program killed at numbered points of its run (the
    coordinator undoes the run there), the coordinator killed between two
    nodes (the first changed, the second not) and at a random moment (with
    its ssh clients); every file is old or new, never partial, and `sanlint
    rollback --last` over ssh restores the originals."""
    need("/lib/drbd/drbdadm-83")
    site, spec, old, new = kill_site(tmp_path, server)
    before = tree(site)
    urls = [server.url(site / h) for h in ("san-1", "san-2")]
    rng = random.Random(7)
    seen = []
    for how, k in [("node", 6), ("between", 1), ("random", 0)]:
        env = {"node": {"SANLINT_NODE_KILL_AT": str(k)}, "between": {"SANLINT_KILL_AT": str(k)}}.get(how)
        p = start(spec, env)
        if how == "random":
            time.sleep(rng.uniform(2.0, 6.0))  # a random moment, not a timing assertion
            os.killpg(p.pid, signal.SIGKILL)
        rc = p.wait()
        err = p.stderr.read().decode()
        if how == "node":  # san-1's program died in the middle of its run: the coordinator undid it there
            assert rc == 2 and "san-1: the command on the node died" in err and "rolled back on san-1" in err, err
        _wait_for_nodes(site)
        seen.append((how, rc, old_or_new(old, new, (how, k))))
        r = run("rollback", "--last", "--ssh-config", server.config, *urls)
        assert r.exit_code == 0 or "no run to roll back" in r.output, r.output
        assert tree(site) == before, f"rollback after a kill ({how} {k}) did not restore the originals"
    assert ("between", -signal.SIGKILL, 2) in seen, seen  # san-1's two files new, san-2's old


# -- the CIB --------------------------------------------------------------------------------

CIB = Path(__file__).parent / "data" / "cib-node" / "cib.xml"


def test_cib_of_a_node_in_a_directory_is_changed_by_cibadmin_and_rolled_back(server, site):
    """A node kept in a directory runs no cluster: its cib.xml is changed by
    Pacemaker's own `cibadmin --replace --scope configuration` against a copy
    (CIB_file=), never written by sanlint's editor; the result is installed
    like any file (backup, journal, atomic) and rolled back byte for byte."""
    need("cibadmin")
    shutil.rmtree(site)
    for host in ("san-1", "san-2"):  # nodes holding a CIB only: the test is about the CIB
        d = site / host / "var/lib/pacemaker/cib"
        d.mkdir(parents=True)
        shutil.copy(CIB, d / "cib.xml")
    before = tree(site)
    r = run("check", "--fix", *remote_args(server, site))
    assert r.exit_code in (0, 1), r.output
    assert "written by cibadmin --replace --scope configuration" in r.output
    for host in ("san-1", "san-2"):
        text = (site / host / "var/lib/pacemaker/cib/cib.xml").read_text()
        assert 'role="Promoted"' in text and 'role="Master"' not in text  # the fix (Pacemaker 2 role names)
        assert 'epoch="2"' in text  # Pacemaker counted the change: cibadmin wrote it
    urls = [server.url(site / h) for h in ("san-1", "san-2")]
    assert run("rollback", "--last", "--ssh-config", server.config, *urls).exit_code == 0
    assert tree(site) == before


def test_a_live_cib_is_changed_once_on_one_node():
    """On live nodes (ROOT /) the CIB is the cluster's: its change is planned
    on the first node holding it only (Pacemaker carries it to the others),
    and never as a file write there."""
    from types import SimpleNamespace

    from sanlint.apply import Change
    from sanlint.apply.remote import make_plan
    from sanlint.remote.ssh import parse_target

    fetched = [SimpleNamespace(local=f"/tmp/sanlint-plan-test/node{i}", target=parse_target(f"ssh://san-{i}"),
                               name=f"san-{i}", label=f"san-{i}") for i in (1, 2)]
    nodes = SimpleNamespace(fetched=fetched, session=None)
    changes = [Change(f"/tmp/sanlint-plan-test/node{i}/{rel}", b"old", b"new", f"san-{i}:/{rel}")
               for i in (1, 2) for rel in ("var/lib/pacemaker/cib/cib.xml", "etc/drbd.d/r0.res")]
    plan = make_plan(changes, nodes, "/nonexistent")
    got = {place.label: sorted(s.path for s in steps) for place, steps in plan.groups}
    assert got == {"san-1": ["etc/drbd.d/r0.res", "var/lib/pacemaker/cib/cib.xml"], "san-2": ["etc/drbd.d/r0.res"]}
    assert any("san-2" in n and "Pacemaker" in n for n in plan.notes)


def test_live_cib_path_replaces_the_configuration_checks_it_first_and_rolls_back(tmp_path, monkeypatch):
    """The ROOT / path of the node program (`sanlint.apply.node`), in
    process, with the running cluster stood in for by a CIB file through
    Pacemaker's own CIB_file switch (no cluster runs here): the running
    configuration must be the planned one, is replaced by cibadmin (never a
    file write by sanlint), kept for rollback, and put back."""
    need("cibadmin")
    from sanlint.apply import node

    live = tmp_path / "running-cib.xml"
    shutil.copy(CIB, live)
    monkeypatch.setenv("CIB_file", str(live))
    old = CIB.read_bytes()
    new = old.replace(b'role="Master"', b'role="Promoted"').replace(b'role="Slave"', b'role="Unpromoted"')
    shown = "san-1:/var/lib/pacemaker/cib/cib.xml"
    e = {"rel": node.CIB_REL, "path": "/var/lib/pacemaker/cib/cib.xml", "old_bytes": old, "new_bytes": new,
         "format": "cib", "display": shown}
    state, tmp = str(tmp_path / "state"), str(tmp_path)
    assert node._live_cib_check(e, tmp) is None
    node._live_cib_apply(state, "RUN-1", e, tmp)
    now = live.read_bytes()
    assert b'role="Promoted"' in now and b'role="Master"' not in now and b'epoch="2"' in now
    assert "changed since the plan was made" in node._live_cib_check(e, tmp)  # a second run would stop
    with pytest.raises(node.local.ApplyError):
        node._live_cib_apply(state, "RUN-2", e, tmp)
    assert [r["state"] for r in node._cib_runs(state)] == ["done"]
    assert node._live_cib_rollback(state, "RUN-1", tmp) == [shown]
    back = live.read_bytes()
    assert b'role="Master"' in back and b'role="Promoted"' not in back
    assert [r["state"] for r in node._cib_runs(state)] == ["rolled-back"]
