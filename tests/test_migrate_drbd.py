"""`drbd-9` and `drbd-84` against the real drbdadm parsers.

For every 8.3/8.4 fixture: drbdadm-84 accepts the input, drbdadm 9.22
accepts the drbd-9 output and drbdadm-84 the drbd-84 output, and their
`dump-xml` agree on every resource, host, address, port, device, disk,
meta-disk, protocol, resync rate and handler, apart from the documented
renames (handler scripts .sh -> .9.sh, after-resync-target -> unfence-peer,
fencing disk -> net).  Plus: comments and untouched lines survive byte for
byte, the migrations are idempotent, unmappable options are reported at
their file:line, and the seed site migrates to a site drbdadm 9 accepts.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from sanlint.cli import main
from conftest import FIXTURES, need

V83 = sorted((FIXTURES / "drbd" / "valid" / "v83").glob("*.*"))
V84 = sorted((FIXTURES / "drbd" / "valid" / "v84").glob("*.res"))
OWN = sorted((FIXTURES / "migrate" / "drbd").glob("*.res"))
SINGLE = V83 + V84 + OWN
INCLUDE_TREE = FIXTURES / "drbd" / "valid" / "v84" / "include"
SEED = FIXTURES / "sites" / "seed"


def migrate(*args: str) -> tuple[int, str]:
    r = CliRunner().invoke(main, ["migrate", *args], catch_exceptions=False)
    return r.exit_code, r.output


def drbdadm(version: str, conf: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "__DRBD_NODE__"}
    if version == "9":
        exe = need("/usr/sbin/drbdadm")
        env["DRBD_DRIVER_VERSION_OVERRIDE"] = "9.2.0"
        cmd = [exe]
    else:
        cmd = [need("/lib/drbd/drbdadm-84")]
    return subprocess.run([*cmd, "-c", str(conf), *args], env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=30)


def migrated(tmp_path: Path, name: str, src: Path, *extra: str) -> Path:
    """Migrate one fixture (file or tree) with --output; return the output's main file."""
    out = tmp_path / f"out-{name}"
    code, text = migrate(name, "--output", str(out), str(src), *extra)
    assert code in (0, 1), text
    return out / ("drbd.conf" if src.is_dir() else src.name)


# -- comparing dumps ----------------------------------------------------------------

def model(xml: str) -> dict:
    """What must survive: per resource, hosts with address and volumes,
    protocol, resync rate, fencing and handlers (resource over common)."""
    root = ET.fromstring(xml)

    def sections(node) -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = {}
        for s in node.findall("section"):
            out.setdefault(s.get("name"), {}).update({o.get("name"): o.get("value") for o in s.findall("option")})
        return out

    common = sections(root.find("common")) if root.find("common") is not None else {}
    out = {}
    for res in root.findall("resource"):
        secs = sections(res)

        def opt(section: str, name: str, *alt: str):
            for sec in (section, *alt):
                for level in (secs, common):
                    if name in level.get(sec, {}):
                        return level[sec][name]
            return None

        hosts = {}
        for h in res.findall("host"):
            addr = h.find("address")
            vols = {}
            for v in h.findall("volume"):
                dev = v.find("device")
                md = v.find("meta-disk")
                vols[v.get("vnr")] = (dev.text if dev is not None else None, dev.get("minor") if dev is not None else None,
                                      v.findtext("disk"), md.text if md is not None else None,
                                      md.get("index") if md is not None else None)
            hosts[h.get("name")] = {
                "address": (addr.get("family"), addr.text, addr.get("port")) if addr is not None else None,
                "volumes": vols}
        handlers = dict(common.get("handlers", {}))
        handlers.update(secs.get("handlers", {}))
        out[res.get("name")] = {"hosts": hosts, "protocol": opt("net", "protocol"),
                                "resync-rate": opt("disk", "resync-rate"), "fencing": opt("net", "fencing", "disk"),
                                "handlers": handlers}
    return out


def renamed_for_9(m: dict) -> dict:
    """The documented renames of drbd-9 applied to an 8.4 dump model."""
    for res in m.values():
        h = res["handlers"]
        new = {}
        for name, value in h.items():
            value = value.replace("crm-fence-peer.sh", "crm-fence-peer.9.sh")
            if name == "after-resync-target" and re.fullmatch(r"\S*crm-unfence-peer\.sh", h[name]):
                name, value = "unfence-peer", value.replace("crm-unfence-peer.sh", "crm-unfence-peer.9.sh")
            new[name] = value
        res["handlers"] = new
    return m


def test_model_sees_a_difference():
    a = '<config><resource name="r"><host name="a"><address family="ipv4" port="1">10.0.0.1</address></host></resource></config>'
    b = a.replace('port="1"', 'port="2"')
    assert model(a) != model(b)


@pytest.mark.oracle
@pytest.mark.parametrize("fixture", SINGLE + [INCLUDE_TREE], ids=lambda p: p.name)
def test_drbd9_output_accepted_and_equivalent(fixture, tmp_path):
    conf_in = fixture / "drbd.conf" if fixture.is_dir() else fixture
    before = drbdadm("8.4", conf_in, "dump-xml", "all")
    assert before.returncode == 0, before.stderr
    out = migrated(tmp_path, "drbd-9", fixture)
    dump = drbdadm("9", out, "dump", "all")
    assert dump.returncode == 0, dump.stderr + out.read_text()
    after = drbdadm("9", out, "dump-xml", "all")
    assert after.returncode == 0, after.stderr
    assert model(after.stdout) == renamed_for_9(model(before.stdout))


@pytest.mark.oracle
@pytest.mark.parametrize("fixture", SINGLE + [INCLUDE_TREE], ids=lambda p: p.name)
def test_drbd84_output_accepted_and_equivalent(fixture, tmp_path):
    conf_in = fixture / "drbd.conf" if fixture.is_dir() else fixture
    before = drbdadm("8.4", conf_in, "dump-xml", "all")
    assert before.returncode == 0, before.stderr
    out = migrated(tmp_path, "drbd-84", fixture)
    after = drbdadm("8.4", out, "dump-xml", "all")
    assert after.returncode == 0, after.stderr + out.read_text()
    assert model(after.stdout) == model(before.stdout)


@pytest.mark.parametrize("name", ["drbd-9", "drbd-84"])
@pytest.mark.parametrize("fixture", SINGLE + [INCLUDE_TREE], ids=lambda p: p.name)
def test_idempotent(fixture, name, tmp_path):
    out = migrated(tmp_path, name, fixture)
    code, text = migrate(name, "--format", "json", str(out.parent if fixture.is_dir() else out))
    doc = json.loads(text)
    assert doc["files"] == [] and doc["created"] == [], text
    assert all(c["edits"] == 0 for c in doc["changes"]), doc["changes"]


def test_comments_and_untouched_lines_survive(tmp_path):
    src = FIXTURES / "migrate" / "drbd" / "comments.res"
    out = migrated(tmp_path, "drbd-9", src)
    old, new = src.read_text(), out.read_text()
    # every comment of a statement that still exists is there, byte for byte
    for line in old.splitlines():
        if "#" in line and "become-primary-on" not in line:
            comment = line[line.index("#"):] if '"' not in line else line[line.rindex("#"):]
            assert comment in new, comment
    # lines that the migration does not touch are identical and in the same order
    touched = re.compile(r"protocol|syncer|rate|verify-alg|al-extents|fencing|no-|flushes|allow-two|become-primary|"
                         r"peer|^\s*}\s*$|^\s*# resync tuning|on alpha")
    kept_old = [l for l in old.splitlines() if not touched.search(l)]
    kept_new = [l for l in new.splitlines() if not touched.search(l) and "node-id" not in l]
    assert kept_old == kept_new
    assert "\ton alpha {\t# first node\n\t\tnode-id 0;\n" in new
    assert "\t\tprotocol C;\t# synchronous\n" in new
    assert "\t\tresync-rate 40M;   # bytes, not bits\n" in new


def test_exact_seed_resource(tmp_path):
    out = migrated(tmp_path, "drbd-9", FIXTURES / "migrate" / "drbd" / "seed-sandisk0.res")
    assert out.read_text() == """resource sandisk0 {
        net {
                protocol        C;
                fencing resource-only;
        }
        disk {
                on-io-error        pass_on;
                resync-rate 70M;
        }
        handlers {
                fence-peer "/usr/lib/drbd/crm-fence-peer.9.sh";
                unfence-peer "/usr/lib/drbd/crm-unfence-peer.9.sh";
        }
        on san-2.example.com {
                node-id 0;
                disk        /dev/sdb;
                device        /dev/drbd0;
                address        172.17.50.22:7676;
                meta-disk internal;
        }
        on san-1.example.com {
                node-id 1;
                disk         /dev/sdb;
                device  /dev/drbd0;
                address 172.17.50.21:7676;
                meta-disk internal;
        }
}
"""


def test_unmappable_reported_at_file_line():
    src = FIXTURES / "migrate" / "drbd" / "obsolete.res"
    code, text = migrate("drbd-9", "--format", "json", str(src))
    assert code == 1
    items = {(i["line"], i["severity"]): i["message"] for i in json.loads(text)["items"]}
    lines = src.read_text().splitlines()

    def line_of(word: str) -> int:
        return next(n for n, l in enumerate(lines, 1) if word in l)

    assert "unplug-watermark" in items[(line_of("unplug-watermark"), "info")]
    assert "discard-node-alpha" in items[(line_of("discard-node-alpha"), "error")]
    assert "max-bio-bvecs" in items[(line_of("max-bio-bvecs"), "info")]
    assert "use-bmbv" in items[(line_of("use-bmbv"), "info")]
    assert "delay-probe-volume" in items[(line_of("delay-probe-volume"), "info")]
    # the text report prints them as path:line:col: severity: message
    code, text = migrate("drbd-9", str(src))
    assert f"{src}:{line_of('discard-node-alpha')}:5: error: resource old: `after-sb-0pri discard-node-alpha`" in text


def test_node_id_is_a_decision_and_the_same_on_every_node(tmp_path):
    code, text = migrate("drbd-9", "--format", "json", str(SEED))
    doc = json.loads(text)
    decisions = [i for i in doc["items"] if i["kind"] == "decision" and "node-id" in i["message"]]
    assert {i["host"] for i in decisions} == {"san-1", "san-2"}
    assert all("address hash" in i["message"] for i in decisions)
    diffs = {f["path"].split("/")[-4]: f["diff"] for f in doc["files"]}
    assert diffs["san-1"].split("\n", 2)[2] == diffs["san-2"].split("\n", 2)[2]  # same edits on both nodes


def test_fixed_resync_rate_choice(tmp_path):
    src = FIXTURES / "migrate" / "drbd" / "seed-sandisk0.res"
    code, text = migrate("drbd-9", str(src))
    assert "--set fixed-resync-rate=yes" in text
    out = migrated(tmp_path, "drbd-9", src, "--set", "fixed-resync-rate=yes")
    assert "c-plan-ahead 0;" in out.read_text()
    dump = drbdadm("9", out, "dump", "all")
    assert re.search(r"c-plan-ahead\s+0;", dump.stdout), dump.stdout + dump.stderr
    code, text = migrate("drbd-9", "--set", "bogus=1", str(src))
    assert code == 2


def test_drbd84_does_not_touch_9_syntax():
    code, text = migrate("drbd-84", "--format", "json", str(FIXTURES / "drbd" / "valid" / "v9" / "r0.res"))
    doc = json.loads(text)
    assert doc["files"] == []
    assert any("does not migrate down" in i["message"] for i in doc["items"])


@pytest.mark.oracle
def test_seed_site_migrates_to_drbd9_for_both_hosts(tmp_path):
    out = tmp_path / "seed9"
    code, text = migrate("drbd-9", "--output", str(out), str(SEED))
    assert code == 1  # node-ids and the resync rate are the admin's to confirm
    assert "Findings of DRBD113, DRBD114, DRBD120 left on the result: none" in text
    for host in ("san-1", "san-2"):
        r = drbdadm("9", out / host / "etc" / "drbd.conf", "dump", "all")
        assert r.returncode == 0, r.stderr
        assert "crm-fence-peer.9.sh" in r.stdout and "node-id 0;" in r.stdout
    # the rules the migration is about are clean on the result
    from sanlint.config import Settings
    from sanlint.runner import load_rules, run
    from sanlint.site import build

    codes = {"DRBD113", "DRBD114", "DRBD120"} & set(load_rules())
    site, problems = build([str(out)])
    found = [f for f in run(site, problems, Settings(), only=codes).findings]
    assert found == [], found
    # untouched files are copied unchanged
    for rel in ("cluster-santnet-san.conf", "san-1/etc/corosync/corosync.conf", "san-2/etc/ietd.conf"):
        assert (out / rel).read_bytes() == (SEED / rel).read_bytes()


def test_chain_84_then_9_equals_direct_9(tmp_path):
    s1, s2, direct = tmp_path / "s1", tmp_path / "s2", tmp_path / "direct"
    assert migrate("drbd-84", "--output", str(s1), str(SEED))[0] in (0, 1)
    assert migrate("drbd-9", "--output", str(s2), str(s1))[0] in (0, 1)
    assert migrate("drbd-9", "--output", str(direct), str(SEED))[0] in (0, 1)
    files = sorted(p.relative_to(s2) for p in s2.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(direct) for p in direct.rglob("*") if p.is_file())
    for rel in files:
        assert (s2 / rel).read_bytes() == (direct / rel).read_bytes(), rel


def test_500_resources_migrate_quickly(tmp_path):
    d = tmp_path / "big" / "etc" / "drbd.d"
    d.mkdir(parents=True)
    (d.parent / "drbd.conf").write_text('include "drbd.d/*.res";\n')
    for i in range(500):
        (d / f"r{i}.res").write_text(
            f"resource r{i} {{\n  protocol C;\n  disk {{ fencing resource-only; no-disk-flushes; }}\n"
            f"  syncer {{ rate 30M; al-extents 257; }}\n"
            f"  on alpha {{ device /dev/drbd{i}; disk /dev/vg0/r{i}; meta-disk internal; address 10.0.0.1:{7000 + i}; }}\n"
            f"  on bravo {{ device /dev/drbd{i}; disk /dev/vg0/r{i}; meta-disk internal; address 10.0.0.2:{7000 + i}; }}\n"
            "}\n")
    t = time.perf_counter()
    code, text = migrate("drbd-9", "--write", "--no-backup", str(tmp_path / "big"))
    took = time.perf_counter() - t
    assert code == 1, text[-2000:]
    assert "node-id 1;" in (d / "r499.res").read_text()
    assert took < 60, took
    if shutil.which("drbdadm") or os.path.exists("/usr/sbin/drbdadm"):
        r = drbdadm("9", d.parent / "drbd.conf", "dump", "all")
        assert r.returncode == 0, r.stderr[:2000]
