"""ssh:// nodes against a real OpenSSH server started here on 127.0.0.1.

The server (Debian's /usr/sbin/sshd) gets a host key and an authorized key
made in the test and serves two nodes from directory roots (the ROOT part
of the URL).  Against it: a two-node check gives the same findings as the
local copy, over one connection per node; collect saves a site that checks
the same; a node whose host key does not match is refused; an unreachable
node is exit 2 with the others still checked; a ROOT full of shell
metacharacters is passed as one argument.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, need
from sshd import Server, free_port  # noqa: F401 (Server: tests/test_migrate_runbook.py imports it from here)

from sanlint.cli import main
from sanlint.remote import RemoteError, parse_target

SEED = FIXTURES / "sites" / "seed"


def run(*args):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert "Traceback" not in (result.output or "")
    return result


@pytest.fixture
def nodes(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(SEED, site)
    return site


def findings(output: str, prefixes: dict[str, str]) -> list[tuple]:
    doc = json.loads(output)
    out = []
    for f in doc["findings"]:
        path = f["path"] or ""
        for old, new in prefixes.items():
            path = path.replace(old, new)
        out.append((f["code"], path, f["line"], f["column"], f["host"], f["message"]))
    return sorted(out)


def test_two_nodes_give_the_local_findings_over_one_connection_each(server, nodes, tmp_path, monkeypatch):
    import tempfile

    private = tmp_path / "tmp"
    private.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private))  # this run's copies only, not other runs' in /tmp
    crm = str(nodes / "cluster-santnet-san.conf")
    local = run("check", "--format", "json", "--host", f"san-1={nodes}/san-1", "--host", f"san-2={nodes}/san-2", crm)
    before = server.logins()
    remote = run("check", "--format", "json", "--ssh-config", server.config,
                 "--host", f"san-1={server.url(nodes / 'san-1')}", "--host", f"san-2={server.url(nodes / 'san-2')}", crm)
    assert remote.exit_code == local.exit_code == 1, remote.output
    got = findings(remote.output, {f"127.0.0.1:{server.port}:{nodes}": "S", str(nodes): "S"})
    assert got == findings(local.output, {str(nodes): "S"})
    assert any(p.startswith("S/san-1/etc/drbd.d/") for _, p, *_ in got)  # shown as the node's own paths
    assert server.logins() - before == 2  # ControlMaster: one connection per node for the whole run
    assert not list(private.glob("sanlint-nodes-*")), "private copies left behind"


def test_unreachable_node_is_named_exit_2_and_the_others_are_checked(server, nodes):
    dead = f"ssh://127.0.0.1:{free_port()}/"
    r = run("check", "--format", "json", "--ssh-config", server.config, "--host", f"san-1={server.url(nodes / 'san-1')}",
            "--host", f"san-3={dead}")
    assert r.exit_code == 2
    assert f"sanlint: san-3 ({dead}): cannot connect:" in r.output
    doc = json.loads(r.output[: r.output.rindex("}") + 1])
    assert any(f["host"] == "san-1" for f in doc["findings"])


def test_node_whose_host_key_does_not_match_is_refused(server, nodes):
    r = run("check", "--ssh-config", server.client_config("wrong_hosts"), server.url(nodes / "san-1"))
    assert r.exit_code == 2
    assert re.search(r"san-1|127\.0\.0\.1", r.output) and "Host key verification failed" in r.output
    assert "No problems" not in r.output


def test_collect_saves_a_site_that_checks_the_same(server, nodes, tmp_path):
    out = tmp_path / "collected"
    r = run("collect", "--ssh-config", server.config, "--output", str(out), server.url(nodes / "san-1"),
            "--host", f"san-2={server.url(nodes / 'san-2')}")
    assert r.exit_code == 0, r.output
    record = json.loads((out / "sanlint-collect.json").read_text())
    assert set(record["nodes"]) == {"san-1", "san-2"} and re.match(r"\d{4}-\d\d-\d\dT", record["collected"])
    assert record["nodes"]["san-2"]["url"] == server.url(nodes / "san-2")
    for host in ("san-1", "san-2"):
        for p in (nodes / host).rglob("*"):
            if p.is_file() and "/etc/" in str(p):
                assert (out / p.relative_to(nodes)).read_bytes() == p.read_bytes()
    shutil.copy(nodes / "cluster-santnet-san.conf", out)
    local = run("check", "--format", "json", str(nodes))
    again = run("check", "--format", "json", str(out))
    assert findings(again.output, {str(out): "S"}) == findings(local.output, {str(nodes): "S"})
    # an output that exists is refused, an unreachable node is recorded, named, exit 2
    assert run("collect", "--ssh-config", server.config, "-o", str(out), server.url(nodes / "san-1")).exit_code == 2
    dead = f"ssh://127.0.0.1:{free_port()}/"
    r = run("collect", "--ssh-config", server.config, "-o", str(tmp_path / "c2"), server.url(nodes / "san-1"), dead)
    assert r.exit_code == 2 and f"{dead}: cannot connect" in r.output
    assert json.loads((tmp_path / "c2" / "sanlint-collect.json").read_text())["unreadable"]


def test_root_with_shell_metacharacters_is_one_argument(server, tmp_path):
    odd = tmp_path / "node 1;$(touch PWNED)`id`'\""
    shutil.copytree(SEED / "san-1", odd)
    from urllib.parse import quote

    url = f"ssh://127.0.0.1:{server.port}{quote(str(odd))}"
    r = run("check", "--format", "json", "--ssh-config", server.config, "--host", f"alpha={url}")
    assert r.exit_code == 1, r.output
    assert any(f["host"] == "alpha" for f in json.loads(r.output)["findings"])
    assert not list(Path("/root").glob("PWNED")) and not list(tmp_path.rglob("PWNED"))


def test_urls_are_checked_before_anything_runs():
    assert parse_target("ssh://admin@san-1.example.com:2222/srv/root").root == "/srv/root"
    assert parse_target("ssh://san-1").root == "/"
    for bad in ("ssh://-oProxyCommand=x/", "ssh://a b/", "ssh://u:pw@h/", "ssh://h/?x=1", "ssh://h:99999/",
                "ssh://", "http://h/"):
        with pytest.raises(RemoteError):
            parse_target(bad)
    r = run("check", "ssh://-oProxyCommand=touch%20x/")
    assert r.exit_code == 2


def test_live_node_gets_command_outputs_at_sosreport_places(server):
    """ROOT / is a live node: read-only commands run there and their output is
    kept where a sosreport keeps it, for the rules that read them; the CIB
    comes from `cibadmin --query` when no CIB file is readable (here no
    cluster runs, which the note says)."""
    need("drbdadm")
    from sanlint.remote.ssh import open_targets

    with open_targets([server.url("/")], [], server.config, progress=False) as nodes:
        assert not nodes.errors, nodes.errors
        (node,) = nodes.fetched
        root = Path(node.local)
        out = root / "sos_commands" / "drbd" / "drbdadm_--version"
        assert "DRBDADM_VERSION" in out.read_text()
        from sanlint.model import Host

        assert Host("x", root).command_outputs("drbd/drbdadm_*") == [out]
        if not Path("/var/lib/pacemaker/cib/cib.xml").exists():
            assert any("cibadmin --query" in n for n in node.notes), node.notes
    assert not root.exists()


def test_migrate_reads_nodes_and_writes_a_migrated_copy(server, nodes, tmp_path):
    out = tmp_path / "migrated"
    r = run("migrate", "drbd-9", "--ssh-config", server.config, "--output", str(out),
            "--host", f"san-1={server.url(nodes / 'san-1')}", "--host", f"san-2={server.url(nodes / 'san-2')}")
    assert r.exit_code in (0, 1), r.output
    local = tmp_path / "local"
    assert run("migrate", "drbd-9", "--output", str(local), "--host", f"san-1={nodes}/san-1",
               "--host", f"san-2={nodes}/san-2").exit_code in (0, 1)
    for p in (local / "san-1" / "etc" / "drbd.d").iterdir():
        assert (out / "san-1" / "etc" / "drbd.d" / p.name).read_bytes() == p.read_bytes()
    # --write on ssh:// nodes: tests/test_remote_apply.py


# -- Ansible inventories ---------------------------------------------------------------

INI = """# two clusters
[prod]
san-1 ansible_host=10.0.0.1 ansible_user=admin
san-2 ansible_host=10.0.0.2 ansible_port=2222

[staging]
st-[1:2].example.com

[staging:vars]
ansible_user=ops

[all:vars]
ansible_port=22
"""

YAML = """all:
  children:
    prod:
      hosts:
        san-1: {ansible_host: 10.0.0.1, ansible_user: admin}
        san-2:
          ansible_host: 10.0.0.2
          ansible_port: 2222
    staging:
      vars: {ansible_user: ops}
      hosts:
        st-[1:2].example.com:
"""


@pytest.mark.parametrize("name,text", [("hosts.ini", INI), ("hosts.yml", YAML)])
def test_inventory_groups_are_clusters_of_ssh_nodes(tmp_path, name, text):
    from sanlint.remote.inventory import load

    inv = tmp_path / name
    inv.write_text(text)
    clusters = load(str(inv))
    got = {g: [(t.name, t.user, t.host, t.port) for t in ts] for g, ts in clusters.items()}
    port = 22 if name.endswith(".ini") else None  # the INI's [all:vars] sets it
    assert got == {"prod": [("san-1", "admin", "10.0.0.1", port), ("san-2", None, "10.0.0.2", 2222)],
                   "staging": [("st-1.example.com", "ops", "st-1.example.com", port),
                               ("st-2.example.com", "ops", "st-2.example.com", port)]}
    r = run("check", "--inventory", str(inv))
    assert r.exit_code == 2 and "holds 2 clusters (prod, staging)" in r.output and "--group" in r.output
    assert run("check", "--inventory", str(inv), "--group", "nope").exit_code == 2


def test_inventory_group_checked_over_ssh(server, nodes, tmp_path):
    inv = tmp_path / "inventory.ini"
    inv.write_text(f"[alpha]\nsan-1 ansible_host=127.0.0.1 ansible_port={server.port} ansible_user=root\n")
    # ROOT is / for an inventory host: check a node whose / is this machine, through the test sshd
    r = run("check", "--format", "json", "--ssh-config", server.config, "--inventory", str(inv), "--group", "alpha")
    assert r.exit_code in (0, 1), r.output
    assert json.loads(r.output)["summary"]["hosts"] == 1
