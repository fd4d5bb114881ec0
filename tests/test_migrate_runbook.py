"""Migrations as runbooks (issue 12 item 6).

The seed site's chain (drbd-9, iscsi-lio, pacemaker-2) and the other
migrators give one ordered runbook per node with the seed's real node
names, a rollback (or the reason there is none) for every step and no
placeholder; the text runbook is a syrupy snapshot.  A generated large site
prints each distinct step once with the resources it applies to.
`--run-steps` refuses local paths, runs steps one node at a time through an
injectable runner and stops at the first failed check; one test runs steps
over the real sshd of test_remote.
"""

from __future__ import annotations

import json
import os
import shutil

import pytest
from conftest import FIXTURES
from test_migrate_chain import _migrate

from sanlint.migrate.runbook import Runbook, Step, execute, placeholders, render_text

SEED = FIXTURES / "sites" / "seed"
CHAIN = (("drbd-9", "s0", "s1"), ("iscsi-lio", "s1", "s2"), ("pacemaker-2", "s2", "s3"))
NODES = {"san-1": "san-1.example.com", "san-2": "san-2.example.com"}


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    """{migrator: (text output, json document)} along the seed chain (relative paths)."""
    top = tmp_path_factory.mktemp("chain")
    shutil.copytree(SEED, top / "s0")
    out = {}
    for name, src, dst in CHAIN:
        text = _migrate(top, name, src)
        doc = json.loads(_migrate(top, name, "--format", "json", src).output)
        out[name] = (text.output, doc)
        assert _migrate(top, name, "--output", dst, src).exit_code in (0, 1)
    for name in ("drbd-84", "iscsi-tgt"):
        out[name] = (_migrate(top, name, "s0").output, json.loads(_migrate(top, name, "--format", "json", "s0").output))
    out["top"] = top
    return out


def _runbook_text(output: str) -> str:
    start = output.index("Runbook (")
    end = output.index("\nFindings of", start)
    return output[start:end]


ALL = ("drbd-9", "iscsi-lio", "pacemaker-2", "drbd-84", "iscsi-tgt")


@pytest.mark.parametrize("name", ALL)
def test_runbook_per_node_with_real_names_and_rollbacks(chain, name):
    text, doc = chain[name]
    rb = doc["runbook"]
    assert [(n["host"], n["cluster_name"]) for n in rb["nodes"]] == list(NODES.items())
    steps = rb["steps"]
    assert steps and [s["number"] for s in steps] == list(range(1, len(steps) + 1))
    for s in steps:
        assert s["node"] in NODES, s
        assert s["rollback"]["argv"] or s["rollback"]["note"], s
        for c in s["commands"]:
            assert isinstance(c["argv"], list) and all(isinstance(a, str) for a in c["argv"])
            assert not any("{" in a for a in c["argv"]), c  # every token filled in
        if s["kind"] in ("maintenance", "service"):
            assert s["rollback"]["commands"] or s["rollback"]["note"].startswith("none: one-way"), \
                f"{name} step {s['number']} has no rollback command"
    # one node at a time: a node's commands are not interleaved with another node's (cluster steps
    # aside; pacemaker-2 stops every node's stack before the first starts, by design)
    per_node = [s["node"] for s in steps if s["scope"] == "node" and s["kind"] in ("maintenance", "backup", "service")]
    blocks = [n for i, n in enumerate(per_node) if i == 0 or per_node[i - 1] != n]
    assert len(blocks) == len(set(blocks)) or name == "pacemaker-2", blocks
    assert placeholders(_runbook_text(text)) == [], name
    assert placeholders(json.dumps(rb)) == [], name
    for bad in ("<node>", "<site>", "CHOOSE-", "<cluster config>"):
        assert bad not in _runbook_text(text)
    crm_names = {a for s in steps for c in s["commands"] for a in c["argv"][3:4] if c["argv"][:2] == ["crm", "node"]}
    assert crm_names <= set(NODES.values())


def test_drbd9_runbook_order_on_each_node(chain):
    steps = chain["drbd-9"][1]["runbook"]["steps"]
    for host, cname in NODES.items():
        mine = [s for s in steps if s["node"] == host]
        cmds = [" ".join(c["argv"]) for s in mine for c in s["commands"]]
        order = [f"crm node standby {cname}", "drbdadm down sandisk0", "drbdadm dump-md sandisk0",
                 "drbdadm -- --force create-md sandisk0", "drbdadm up sandisk0", "drbdadm status sandisk0",
                 f"crm node online {cname}"]
        assert [c for c in cmds if c in order] == order, cmds
        kinds = [s["kind"] for s in mine]
        assert kinds.index("backup") < kinds.index("manual") < kinds.index("file-change")
        backup = next(s for s in mine if s["kind"] == "backup")
        assert backup["commands"][0]["stdout"] == "/var/lib/sanlint/runbook/drbd-9/sandisk0.md"
        convert = next(s for s in mine if "create-md" in s["argv"])
        assert convert["rollback"]["commands"] == [["drbdmeta", "--force", "0", "v08", "/dev/sdb", "internal",
                                                    "restore-md", "/var/lib/sanlint/runbook/drbd-9/sandisk0.md"]]


def test_cluster_wide_configuration_is_loaded_once_not_installed(chain):
    for name in ("iscsi-lio", "pacemaker-2"):
        steps = chain[name][1]["runbook"]["steps"]
        loads = [s for s in steps if s["argv"][:3] == ["crm", "configure", "load"]]
        assert len(loads) == 1 and loads[0]["scope"] == "cluster"
        assert loads[0]["argv"][:4] == ["crm", "configure", "load", "update"]
        saved = [s for s in steps if s["kind"] == "backup" and s["argv"] == ["cibadmin", "--query"]]
        assert len(saved) == 2 and steps.index(saved[1]) == steps.index(loads[0]) - 1
        assert loads[0]["rollback"]["argv"] == ["crm", "configure", "load", "xml", "replace", saved[1]["stdout"]]
        assert not any("var/lib/pacemaker" in f for s in steps for f in s["files"])
    pcmk = chain["pacemaker-2"][1]["runbook"]["steps"]
    on = [s["number"] for s in pcmk if s["argv"][-1:] == ["maintenance-mode=true"]]
    off = [s["number"] for s in pcmk if s["argv"][-1:] == ["maintenance-mode=false"]]
    assert len(on) == len(off) == 1 and on[0] < off[0]


def test_pacemaker2_cluster_steps_run_with_the_real_tools_on_a_cib_file(chain, tmp_path):
    """Oracle: the pacemaker-2 runbook's cluster commands, run for real with
    crmsh, cibadmin, crm_verify and crm_mon on a CIB_file copy of the seed's
    cluster (Pacemaker 1.1 configuration, schema pacemaker-1.2): every one
    succeeds, the result is the promotable clone with maintenance mode off,
    and the load step's rollback brings the saved configuration back.  Only
    the node stack steps (`crm cluster stop/start`) and manual ones are
    skipped: there is no running cluster here."""
    import subprocess

    from conftest import need

    for tool in ("crm", "cibadmin", "crm_verify", "crm_mon"):
        need(tool)
    top, doc = chain["top"], chain["pacemaker-2"][1]["runbook"]
    cib = tmp_path / "cib.xml"
    cib.write_text('<cib crm_feature_set="3.0.14" validate-with="pacemaker-1.2" epoch="1" num_updates="0" '
                   'admin_epoch="0"><configuration><crm_config/><nodes/><resources/><constraints/>'
                   "</configuration><status/></cib>")
    env = {**os.environ, "CIB_file": str(cib)}
    stage = doc["stage"]

    def local(path: str) -> str:
        return path.replace(stage, str(tmp_path / "stage"))

    def sh(argv, stdout=None):
        p = subprocess.run([local(a) for a in argv], env=env, capture_output=True, text=True, timeout=300)
        if stdout:
            os.makedirs(os.path.dirname(local(stdout)), exist_ok=True)
            with open(local(stdout), "w") as fh:
                fh.write(p.stdout)
        return p

    assert sh(["crm", "configure", "load", "replace", str(top / "s2" / "cluster-santnet-san.conf")]).returncode == 0
    assert "<master" in cib.read_text()
    skipped = []
    for s in doc["steps"]:
        if s["kind"] == "file-change":
            for f in s["files"]:  # the migrated version of s2's file is in s3 (--output)
                src, dest = f.split(" -> ")
                os.makedirs(os.path.dirname(local(dest.split(":", 1)[1])), exist_ok=True)
                shutil.copyfile(top / "s3" / src.split("/", 1)[1], local(dest.split(":", 1)[1]))
            continue
        if s["kind"] == "manual" or s["argv"][:2] == ["crm", "cluster"]:
            skipped.append(s["number"])
            continue
        for c in s["commands"]:
            p = sh(c["argv"], c["stdout"])
            assert p.returncode == 0, (s["number"], c["argv"], p.stderr[-2000:])
    assert skipped and all(doc["steps"][n - 1]["scope"] == "node" for n in skipped)
    text = cib.read_text()
    assert '<clone id="sandisk_ms"' in text and "<master" not in text and 'name="promotable" value="true"' in text
    assert 'name="maintenance-mode" value="false"' in text
    load = next(s for s in doc["steps"] if s["argv"][:3] == ["crm", "configure", "load"])
    assert sh(load["rollback"]["commands"][0]).returncode == 0
    assert "<master" in cib.read_text() and '<clone id="sandisk_ms"' not in cib.read_text()
    # (cibadmin --replace of that older copy is what Pacemaker refuses: the reason for crmsh here)
    assert sh(["cibadmin", "--replace", "--xml-file", str(tmp_path / "stage" / "cib-before.xml")]).returncode != 0


@pytest.mark.parametrize("name", ("drbd-9", "iscsi-lio", "pacemaker-2"))
def test_runbook_text_snapshot(chain, name, snapshot):
    assert _runbook_text(chain[name][0]) == snapshot


def _generated_site(n: int, clustered: bool):
    """A two-node site with n DRBD resources, built as the site builder would
    (model objects; parsing 6,000 resources is bench/'s business, not the suite's)."""
    from sanlint.model import Host, Site
    from sanlint.model.cluster import ClusterConfig, ClusterNode
    from sanlint.model.drbd import DrbdConfig, DrbdHost, DrbdResource, DrbdVolume
    from sanlint.source import SourceFile, Span

    f = SourceFile.from_text("gen.res", "#\n", format="drbd")
    sp = Span(f, 0, 1)
    res = []
    for i in range(n):
        hosts = [DrbdHost(names=[h], volumes=[DrbdVolume(None, device=f"/dev/drbd{i}", disk=f"/dev/vg/r{i}",
                                                         meta_disk="internal", span=sp)], span=sp)
                 for h in ("node-a", "node-b")]
        res.append(DrbdResource(f"r{i}", hosts=hosts, span=sp))
    site = Site()
    for h in ("node-b", "node-a"):
        site.hosts[h] = Host(h, drbd=[DrbdConfig(resources=res, span=sp)])
    if clustered:
        site.clusters.append(ClusterConfig("crm", nodes=[ClusterNode("node-a.example.com", span=sp),
                                                  ClusterNode("node-b.example.com", span=sp)], span=sp))
    return site


def test_large_site_prints_each_distinct_step_once():
    from sanlint.migrate import runbook
    from sanlint.migrate.base import MigrationPlan
    from sanlint.migrate.drbd import Drbd9
    from sanlint.transform.drbd_rewrite import SiteState

    n = 3000
    site = _generated_site(n, clustered=True)
    plan = MigrationPlan("drbd-9", facts={"drbd": SiteState()})
    rb = runbook.build(Drbd9(), site, plan)
    assert [(x.host, x.cluster_name) for x in rb.nodes] == [("node-a", "node-a.example.com"),
                                                          ("node-b", "node-b.example.com")]
    text = render_text(rb)
    assert len(text.splitlines()) < 150, "a step per resource was printed"
    for cmd in ("drbdadm down", "drbdadm up", "drbdadm status", "drbdadm -- --force create-md"):
        assert text.count(f"\n         $ {cmd} RESOURCE...") == 2, cmd  # once per node
    assert text.count("applies to (3000): r{0..2999}") == 10  # 5 resource steps per node
    assert text.count("$ drbdadm dump-md {res} > /var/lib/sanlint/runbook/drbd-9/{file}.md") == 2
    assert text.count("rollback: $ drbdmeta --force {minor} v08 {disk} {index} restore-md") == 2
    down = next(s for s in rb.steps if s.argv == ["drbdadm", "down"])
    assert down.commands() == [(["drbdadm", "down"] + [f"r{i}" for i in range(n)], None)]
    dump = next(s for s in rb.steps if s.kind == "backup")
    assert len(dump.commands()) == n and dump.commands()[7] == (["drbdadm", "dump-md", "r7"],
                                                                "/var/lib/sanlint/runbook/drbd-9/r7.md")
    convert = next(s for s in rb.steps if "create-md" in s.argv)
    assert convert.rollback_commands()[2999][0] == ["drbdmeta", "--force", "2999", "v08", "/dev/vg/r2999",
                                                     "internal", "restore-md",
                                                     "/var/lib/sanlint/runbook/drbd-9/r2999.md"]
    assert placeholders(text) == []
    doc = rb.to_json()
    assert len(doc["steps"]) == len(rb.steps) and doc["steps"][2]["applies_to"][:2] == ["r0", "r1"]


def test_parsed_site_with_more_resources_than_printed_in_full(tmp_path):
    """The same through the parser and the CLI, on a site just above the
    print-in-full limit (with volumes: one unit per volume)."""
    body = "".join(
        f"resource r{i} {{\n  protocol C;\n  on node-a {{ device /dev/drbd{i}; disk /dev/vg/r{i}; "
        f"address 10.0.0.1:{7000 + i}; meta-disk internal; }}\n  on node-b {{ device /dev/drbd{i}; "
        f"disk /dev/vg/r{i}; address 10.0.0.2:{7000 + i}; meta-disk internal; }}\n  syncer {{ rate 40M; }}\n}}\n"
        for i in range(6))
    for h in ("node-a", "node-b"):
        d = tmp_path / "site" / h / "etc" / "drbd.d"
        d.mkdir(parents=True)
        (d / "all.res").write_text(body)
        (tmp_path / "site" / h / "etc" / "drbd.conf").write_text('include "drbd.d/*.res";\n')
    r = _migrate(tmp_path, "drbd-9", "site")
    text = _runbook_text(r.output)
    assert text.count("\n         $ drbdadm up RESOURCE...  (the 6 resources below)") == 2
    assert text.count("applies to (6): r{0..5}") >= 8
    assert "file site/node-a/etc/drbd.d/all.res -> node-a:/etc/drbd.d/all.res" in text
    assert placeholders(text) == []


# -- running the steps ---------------------------------------------------------------------

def _book() -> Runbook:
    rb = Runbook("test", [])
    for node in ("a", "b"):
        rb.steps += [
            Step("maintenance", "standby", node, ["crm", "node", "standby", node], rollback=["crm", "node", "online", node]),
            Step("backup", "save", node, ["drbdadm", "dump-md", "{res}"], ["r0", "r1"], mode="each",
                 stdout="/x/{res}.md", rollback_note="read-only"),
            Step("file-change", "files", node, rollback_note="sanlint rollback"),
            Step("service", "adjust", node, ["drbdadm", "adjust"], ["r0", "r1"], mode="all",
                 rollback=["drbdadm", "adjust"]),
            Step("check", "status", node, ["drbdadm", "status"], rollback_note="read-only"),
        ]
    return rb.number()


class Recorder:
    def __init__(self, fail=None):
        self.calls, self.fail = [], fail

    def __call__(self, node, argv, stdout):
        self.calls.append((node, argv, stdout))
        return (3, "not connected") if self.fail and self.fail(node, argv) else (0, "")


def test_execute_stops_before_file_changes_and_resumes():
    rb, rec = _book(), Recorder()
    ex = execute(rb, rec)
    assert rec.calls == [("a", ["crm", "node", "standby", "a"], None), ("a", ["drbdadm", "dump-md", "r0"], "/x/r0.md"),
                         ("a", ["drbdadm", "dump-md", "r1"], "/x/r1.md")]
    assert not ex.failed and ex.stopped.number == 3 and "--from 4" in ex.message
    rec = Recorder()
    ex = execute(rb, rec, start=4)
    assert [c[0] for c in rec.calls] == ["a", "a", "b", "b", "b"]  # node a finished before node b starts
    assert rec.calls[0][1] == ["drbdadm", "adjust", "r0", "r1"] and ex.stopped.number == 8


def test_execute_stops_at_the_first_failed_check():
    rb = _book()
    rec = Recorder(fail=lambda node, argv: argv == ["drbdadm", "status"])
    ex = execute(rb, rec, start=4)
    assert ex.failed and ex.stopped.number == 5 and "check failed" in ex.message
    assert all(node == "a" for node, _, _ in rec.calls)  # node b untouched
    assert [s.number for s in ex.done] == [4]


def test_run_steps_refuses_local_paths(tmp_path):
    shutil.copytree(SEED, tmp_path / "s0")
    r = _migrate(tmp_path, "drbd-9", "--run-steps", "s0")
    assert r.exit_code == 2 and "steps run on live nodes only" in r.output
    r = _migrate(tmp_path, "drbd-9", "--run-steps", "--write", "s0")
    assert r.exit_code == 2
    r = _migrate(tmp_path, "drbd-9", "--from", "3", "s0")
    assert r.exit_code == 2


def test_run_steps_over_the_real_sshd(tmp_path, monkeypatch):
    """The drbd-9 runbook of two ssh:// nodes, run through the CLI: the first
    step runs on san-1 over ssh (recorded), a failed check stops it before
    san-2; one harmless real command runs on the node through sshd, its
    output saved on the node as a backup step does."""
    from test_remote import Server, need

    if os.geteuid() != 0:
        pytest.skip("the test sshd logs in as root (CI runs as root)")
    need("ssh")
    (tmp_path / "sshd").mkdir()
    srv = Server(tmp_path / "sshd")
    srv.start()
    try:
        site = tmp_path / "site"
        shutil.copytree(SEED, site)
        from sanlint.migrate import steps as step_runner

        real = step_runner.ssh_runner
        seen = []

        def harmless(opened):
            run = real(opened)

            def go(node, argv, stdout):
                seen.append((node, argv, stdout))
                # the node runs `true` for maintenance steps, `false` for the first check
                cmd = ["false"] if argv == ["crm_mon", "-1"] else ["echo", *argv]
                return run(node, cmd, str(tmp_path / "saved" / f"{node}-{len(seen)}"))
            return go

        monkeypatch.setattr(step_runner, "ssh_runner", harmless)
        r = _migrate(tmp_path, "drbd-9", "--run-steps", "--format", "json", "--ssh-config", srv.config,
                     "--host", f"san-1={srv.url(site / 'san-1')}", "--host", f"san-2={srv.url(site / 'san-2')}",
                     str(site / "cluster-santnet-san.conf"))
        assert r.exit_code == 1, r.output
        assert seen == [("san-1", ["crm", "node", "standby", "san-1.example.com"], None),
                        ("san-1", ["crm_mon", "-1"], None)]
        assert (tmp_path / "saved" / "san-1-1").read_text() == "crm node standby san-1.example.com\n"
        run = json.loads(r.output)["run"]
        assert run["failed"] and run["stopped_at"] == 2 and run["done"] == [1] and "check failed" in run["message"]
        assert [x["exit_status"] for x in run["ran"]] == [0, 1]
        assert run["rollback"] == [{"step": 1, "node": "san-1", "argv": ["crm", "node", "online", "san-1.example.com"]}]
    finally:
        srv.proc.terminate()
        srv.proc.wait()


def test_a_migrator_without_a_runbook_of_its_own_installs_its_files_node_by_node():
    from sanlint.config import Settings
    from sanlint.migrate import engine, runbook
    from sanlint.migrate.base import Migrator
    from sanlint.site import build

    class Touch(Migrator):
        name = "touch-test"

        def plan(self, site):
            from sanlint.migrate.base import MigrationPlan
            from sanlint.rule import Edit

            plan = MigrationPlan(self.name)
            for h in site.hosts.values():
                cfg = h.drbd[0]
                plan.change("comment", cfg.span, [Edit(cfg.span.file, 0, 0, "# touched\n")])
            return plan

    site, _ = build([str(SEED / "san-1"), str(SEED / "san-2")], [], Settings().as_dict())
    m = Touch()
    plan = m.plan(site)
    rb = runbook.build(m, site, plan, engine.realise(plan, site))
    assert [(s.kind, s.node) for s in rb.steps] == [("file-change", "san-1"), ("file-change", "san-2")]
    assert rb.steps[0].files == [f"{SEED}/san-1/etc/drbd.conf -> san-1:/etc/drbd.conf"]


def test_drbd9_steps_are_what_drbdadm_itself_would_run(chain):
    """Oracle: every drbdadm command of each node's drbd-9 runbook, dry-run
    (`drbdadm -d`, the node named by __DRBD_NODE__) by the drbdadm of the
    version installed at that step: drbdadm-83 on the seed's files before
    the package step, drbd-utils 9 on the migrated files after it.  The
    metadata rollback (`drbdmeta ... restore-md`) names the minor, format,
    disk and index that drbdadm's own dry run of `dump-md` shows."""
    import subprocess

    from conftest import need

    old_adm, new_adm = need("/lib/drbd/drbdadm-83"), need("drbdadm")
    top, steps = chain["top"], chain["drbd-9"][1]["runbook"]["steps"]
    for host, cname in NODES.items():
        env = {**os.environ, "__DRBD_NODE__": cname}
        upgraded, ran = False, []
        dump_line = None
        for s in (x for x in steps if x["node"] == host):
            if s["kind"] == "manual" and "drbd-utils 9" in s["title"]:
                upgraded = True
            for c in s["commands"]:
                argv = c["argv"]
                if argv[0] == "ls":  # the handler scripts: this machine has drbd-utils 9 installed
                    assert subprocess.run(argv, capture_output=True).returncode == 0, argv
                    continue
                if argv[0] != "drbdadm":
                    continue
                adm, conf = (new_adm, top / "s1" / host / "etc" / "drbd.conf") if upgraded else \
                    (old_adm, top / "s0" / host / "etc" / "drbd.conf")
                p = subprocess.run([adm, "-d", "-c", str(conf), *argv[1:]], env=env, capture_output=True,
                                   text=True, timeout=60)
                assert p.returncode == 0, (host, s["number"], argv, p.stderr[-1000:])
                ran.append((upgraded, argv[1:]))
                if "dump-md" in argv:
                    dump_line = next(x for x in p.stdout.splitlines() if "drbdmeta" in x).split()
        assert (False, ["dump-md", "sandisk0"]) in ran and (True, ["--", "--force", "create-md", "sandisk0"]) in ran
        assert (True, ["up", "sandisk0"]) in ran and (True, ["status", "sandisk0"]) in ran
        convert = next(s for s in steps if s["node"] == host and "create-md" in s["argv"])
        restore = convert["rollback"]["commands"][0]
        assert dump_line[1:5] == restore[2:6] == ["0", "v08", "/dev/sdb", "internal"], (dump_line, restore)
