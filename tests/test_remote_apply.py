"""Fixes and migrations carried out on ssh:// nodes, against the real sshd
of tests/sshd.py (127.0.0.1 only), node roots being directories.

One plan for all nodes; each node checks its files again and validates the
new ones with its own tool (drbdadm-83 for the 8.3 seed) before anything is
changed anywhere; originals under ROOT/var/lib/sanlint/backups/RUN-ID/; any
failure on any node rolls back every node already changed.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, need
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


def test_dry_run_prints_the_plan_and_diffs_and_changes_nothing(server, site):
    before = tree(site)
    r = run("check", "--fix", "--dry-run", *remote_args(server, site))
    assert r.exit_code in (0, 1), r.output
    assert tree(site) == before and not list(site.rglob("var/lib/sanlint"))
    assert "# plan (--dry-run: nothing is changed)" in r.output
    assert "san-2: 1 file(s); originals kept in" in r.output and "/var/lib/sanlint/backups/RUN-ID/" in r.output
    assert "+                on-io-error        detach;" in r.output  # the diff
    assert "# checked san-1: DRBD configuration accepted by drbdadm-83" in r.output


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
    r = run("migrate", "drbd-9", "--write", *remote_args(server, site))
    assert r.exit_code in (0, 1), r.output
    assert tree(site) == tree(ref) != before
    assert "accepted by drbdadm (dump all)" in r.output  # validated with DRBD 9's drbdadm, the target
    urls = [server.url(site / "san-1"), server.url(site / "san-2")]
    assert run("rollback", "--last", "--ssh-config", server.config, *urls).exit_code == 0
    assert tree(site) == before
