"""The seed: the book chapter's two-node DRBD + LVM + ietd + Pacemaker SAN
(`fixtures/sites/seed`), as the chapter's own configs and commands leave it.

`sanlint check` must list every problem that configuration really has, and
nothing else; `sanlint parse` gives the model (both snapshot-tested)."""

from __future__ import annotations

import json
import os
from collections import Counter

from click.testing import CliRunner

from conftest import REPO
from sanlint.cli import main

SEED = "fixtures/sites/seed"

# (code, host) -> how many findings; per-host files give one finding per host.
EXPECTED = Counter({
    # DRBD: 8.3-era syntax and settings of sandisk0.res
    ("DRBD120", "san-1"): 1, ("DRBD120", "san-2"): 1,  # syncer section
    ("DRBD121", "san-1"): 1, ("DRBD121", "san-2"): 1,  # fixed resync rate on the totem network
    ("DRBD122", "san-1"): 1, ("DRBD122", "san-2"): 1,  # on-io-error pass_on
    ("DRBD130", "san-1"): 1, ("DRBD130", "san-2"): 1,  # unauthenticated replication link
    # LVM: vgsan (on /dev/drbd0, managed by the cluster) may be auto-activated at boot
    ("LVM106", "san-1"): 1, ("LVM106", "san-2"): 1,
    # iSCSI: ietd target open to every initiator, no CHAP (its four fileio LUNs are write-through: no ISCSI106)
    ("ISCSI104", "san-1"): 1, ("ISCSI104", "san-2"): 1,
    ("ISCSI105", "san-1"): 1, ("ISCSI105", "san-2"): 1,
    # Pacemaker (cluster-wide crm file)
    ("PCMK101", None): 1,  # stonith-enabled=false
    ("PCMK103", None): 1,  # order vgsan-after-drbd without colocation
    ("PCMK104", None): 1,  # order on the ms resource without :promote
    ("PCMK111", None): 2,  # ocf:heartbeat:LVM and lsb:iscsitarget
    ("PCMK113", None): 1,  # ms resource and Master/Slave roles
    ("PCMK114", None): 1,  # dc-version, cluster-infrastructure, expected-quorum-votes, last-lrm-refresh
    ("PCMK118", None): 1,  # order score 1000: instead of a kind
    # corosync 1.x: secauth off, one ring; replication shares the totem subnet
    ("CORO101", "san-1"): 1, ("CORO101", "san-2"): 1,
    ("CORO102", "san-1"): 1, ("CORO102", "san-2"): 1,
    ("NET101", "san-1"): 1, ("NET101", "san-2"): 1,
})


def _run(*args: str):
    runner = CliRunner()
    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        return runner.invoke(main, list(args), catch_exceptions=False)
    finally:
        os.chdir(cwd)


def test_seed_findings_are_exactly_the_chapters_real_problems():
    doc = json.loads(_run("check", "--format", "json", SEED).output)
    got = Counter()
    for f in doc["findings"]:
        got[(f["code"], f["host"])] += 1
    # PCMK113/PCMK114 may report one finding per deprecated item: count them once per kind
    for code in ("PCMK113", "PCMK114"):
        if got[(code, None)]:
            got[(code, None)] = 1
    assert got == EXPECTED, {"missing": EXPECTED - got, "unexpected": got - EXPECTED}


def test_seed_check_json_snapshot(snapshot):
    r = _run("check", "--format", "json", SEED)
    assert r.exit_code == 1
    assert json.loads(r.output) == snapshot


def test_seed_model_snapshot(snapshot):
    r = _run("parse", "--format", "json", SEED)
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    assert set(doc["hosts"]) == {"san-1", "san-2"}
    assert doc["versions"]["drbd"]["version"] == "8.3"
    assert doc["versions"]["pacemaker"]["version"] == "1.1"
    assert doc == snapshot
