"""Repositories of clusters (spec/cli.md "Inputs"; issue 9 items 5 and 6).

A configuration repository holding several clusters whose hosts share names
is checked as separate clusters: as one directory, as several PATHs and
cluster by cluster, each cluster gives the same findings (codes, hosts,
files, lines, messages); nothing of one cluster reaches another; every
output format names the cluster.  PATHs that hold no configuration exit 2
and say what was looked for; a layout read as something else than a site
or host root is said."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURES
from sanlint import cache
from sanlint.cache import ParseEngine
from sanlint.cli import main
from sanlint.config import load
from sanlint.runner import run as run_rules
from sanlint.site import build

SITES = FIXTURES / "sites"


def cli(*args, cwd: Path):
    old = os.getcwd()
    try:
        os.chdir(cwd)
        r = CliRunner().invoke(main, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)
    assert "Traceback" not in r.output
    return r


def copy_site(src: Path, dst: Path, names: tuple[str, ...] = ("san-1", "san-2")) -> Path:
    """A copy of an example site whose host directories are renamed to `names`."""
    shutil.copytree(src, dst)
    hosts = sorted(d for d in dst.iterdir() if d.is_dir())
    for d, name in zip(hosts, names):
        if d.name != name:
            d.rename(dst / name)
    return dst


# clusters/prod and clusters/dr/east: the seed site twice (same hosts, same targets);
# clusters/lab: the modern site with its hosts renamed to the same names, one level deeper than prod
CLUSTERS = ("clusters/dr/east", "clusters/lab", "clusters/prod")


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("repo")
    copy_site(SITES / "seed", root / "clusters/prod")
    copy_site(SITES / "seed", root / "clusters/dr/east")
    copy_site(SITES / "modern", root / "clusters/lab")
    (root / "README.md").write_text("# our SAN clusters\n")
    return root


def findings(r) -> list[tuple]:
    doc = json.loads(r.output)
    return [(f["cluster"], f["code"], f["path"], f["line"], f["column"], f["host"], f["message"])
            for f in doc["findings"]]


@pytest.fixture(scope="module")
def alone(repo) -> dict[str, list[tuple]]:
    """Each cluster checked on its own."""
    out = {}
    for c in CLUSTERS:
        r = cli("check", "--format", "json", "--exit-zero", c, cwd=repo)
        assert r.exit_code == 0
        out[c] = findings(r)
        assert {f[0] for f in out[c]} <= {c}
    assert out["clusters/prod"] == [(f[0].replace("dr/east", "prod"), *(x.replace("clusters/dr/east", "clusters/prod")
                                                                    if isinstance(x, str) else x for x in f[1:]))
                                    for f in out["clusters/dr/east"]] != []  # the seed twice: the same findings
    return out


def per_cluster(found: list[tuple]) -> dict[str, list[tuple]]:
    out: dict[str, list[tuple]] = {}
    for f in found:
        out.setdefault(f[0], []).append(f)
    return out


@pytest.mark.parametrize("args", [["clusters"], ["."], list(CLUSTERS), ["clusters/prod", "clusters/dr", "clusters/lab"]],
                         ids=["one-directory", "repository-root", "three-sites", "site-and-repository"])
def test_each_cluster_gives_the_findings_it_gives_alone(repo, alone, args):
    r = cli("check", "--format", "json", "--exit-zero", *args, cwd=repo)
    assert r.exit_code == 0
    got = per_cluster(findings(r))
    assert set(got) <= set(CLUSTERS)
    for c in CLUSTERS:  # clusters/lab (the clean modern site) has none, alone or not
        assert got.get(c, []) == alone[c], c
    # the two copies of the seed are not one site: no target, resource or node is "defined twice"
    messages = [m for *_, m in findings(r)]
    assert not [m for m in messages if "clusters/prod" in m and "clusters/dr" in m]
    assert "ISCSI103" not in {f[1] for f in findings(r)}  # what one merged site reported: target1 twice
    doc = json.loads(r.output)
    s = doc["summary"]
    assert sorted(c["name"] for c in s["clusters"]) == list(CLUSTERS)
    assert s["hosts"] == 6 and s["files"] == sum(c["files"] for c in s["clusters"])
    for c in s["clusters"]:
        assert c["hosts"] == 2 and c["error"] + c["warning"] + c["info"] == len(alone[c["name"]])


def test_text_output_heads_each_cluster(repo):
    r = cli("check", "--exit-zero", "clusters", cwd=repo)
    heads = [ln for ln in r.output.splitlines() if ln.startswith("== cluster ")]
    assert [h.split()[2].rstrip(":") for h in heads] == list(CLUSTERS)
    assert all(", 2 hosts: " in h for h in heads)
    assert r.output.rstrip().splitlines()[-2 if "[*]" in r.output else -1].count("in 3 clusters") == 1


def test_every_format_names_the_cluster(repo):
    sarif = json.loads(cli("check", "--format", "sarif", "--exit-zero", "clusters", cwd=repo).output)
    results = sarif["runs"][0]["results"]
    assert {r["properties"]["cluster"] for r in results} == {"clusters/dr/east", "clusters/prod"}  # lab: clean
    assert all(r["message"]["text"].endswith(f"[cluster {r['properties']['cluster']}]") for r in results)
    github = cli("check", "--format", "github", "--exit-zero", "clusters", cwd=repo).output.splitlines()
    assert github and all("[cluster clusters/" in ln for ln in github)
    junit = cli("check", "--format", "junit", "--exit-zero", "clusters", cwd=repo).output
    assert "[cluster clusters/dr/east]" in junit and "[cluster clusters/prod]" in junit


def test_parallel_parse_gives_the_serial_result(repo, monkeypatch):
    """--jobs: all clusters' files are parsed as one batch in the pool; the
    result is the serial one, cluster by cluster."""
    monkeypatch.setattr(cache, "PARALLEL_MIN_FILES", 4)

    def outcome(engine):
        settings = load(None)
        site, problems = build([str(repo / "clusters")], [], settings.as_dict(), engine=engine)
        result = run_rules(site, problems, settings)
        return ([(f.cluster, f.code, f.path, f.line, f.column, f.host, f.message) for f in result.findings],
                json.dumps(site.to_json(), sort_keys=True, default=str))

    serial = outcome(ParseEngine(cache=False, jobs=1))
    assert len({f[0] for f in serial[0]}) == 2 and serial[1].count('"name": ') >= 3
    assert outcome(ParseEngine(cache=False, jobs=2)) == serial


def test_verbose_says_which_layout_was_assumed(repo):
    notes = json.loads(cli("check", "--format", "json", "--verbose", "--exit-zero", "clusters", cwd=repo).output)["notes"]
    assert ("clusters/prod: layout: clusters/prod is a site; its host roots are hosts san-1, san-2; "
            "files at its top level are cluster-wide") in notes
    assert [n for n in notes if n.startswith("clusters/lab: ")]  # each cluster's own notes (versions...)


def test_host_roots_given_together_are_one_site(repo):
    r = cli("check", "--format", "json", "--exit-zero", "--verbose", "clusters/prod/san-1", "clusters/prod/san-2",
            cwd=repo)
    doc = json.loads(r.output)
    assert [n for n in doc["notes"] if n.startswith("layout: host roots given one by one, checked as one site: san-1 (")]
    assert doc["summary"]["hosts"] == 2 and [c["name"] for c in doc["summary"]["clusters"]] == [None]
    assert {f["cluster"] for f in doc["findings"]} == {None}


def test_two_host_roots_of_one_name_are_never_merged(repo):
    r = cli("check", "clusters/prod/san-1", "clusters/dr/east/san-1", cwd=repo)
    assert r.exit_code == 2
    assert "a second host named 'san-1'" in r.output and "never merged" in r.output


def test_a_repository_of_loose_files_is_one_cluster_per_directory(tmp_path):
    """clusters/x/ietd.conf and clusters/y/ietd.conf define the same target:
    two clusters of one anonymous host each, not one target defined twice;
    the assumption is said on stderr."""
    target = "Target iqn.2024-01.com.example:t1\n    Lun 0 Path=/dev/vg/lv0,Type=blockio\n"
    for c in ("x", "y"):
        (tmp_path / "clusters" / c / "drbd.d").mkdir(parents=True)
        (tmp_path / "clusters" / c / "ietd.conf").write_text(target)
        (tmp_path / "clusters" / c / "drbd.d" / "r0.res").write_text(
            "resource r0 {\n  on a { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }\n"
            "  on b { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }\n}\n")
    r = cli("check", "--format", "json", "--exit-zero", "clusters", cwd=tmp_path)
    doc = json.loads(r.output)
    assert [c["name"] for c in doc["summary"]["clusters"]] == ["clusters/x", "clusters/y"]
    assert [c["files"] for c in doc["summary"]["clusters"]] == [2, 2]  # drbd.d/ belongs to its directory
    assert "ISCSI103" not in {f["code"] for f in doc["findings"]}
    alone = cli("check", "--format", "json", "--exit-zero", "clusters/x", cwd=tmp_path)
    assert [f for f in json.loads(r.output)["findings"] if f["cluster"] == "clusters/x"] == json.loads(alone.output)["findings"]
    text = CliRunner().invoke(main, ["check", "--exit-zero", str(tmp_path / "clusters")])
    notes = [ln for ln in text.stderr.splitlines() if ln.startswith("sanlint: note: ")]
    assert len(notes) == 2 and all("one anonymous host" in n and "compare hosts cannot run" in n for n in notes)
    verbose = cli("check", "--verbose", "--exit-zero", "clusters/x", cwd=tmp_path)
    assert "note: clusters/x: no host root" in verbose.output


@pytest.mark.parametrize("layout", ["empty", "junk", "nested-junk"])
def test_paths_holding_no_configuration_exit_2_and_say_what_was_looked_for(tmp_path, layout):
    d = tmp_path / "input"
    d.mkdir()
    if layout != "empty":
        (d / "README.md").write_text("nothing to see\n")
        (d / "docs" / "old").mkdir(parents=True)
        (d / "docs" / "old" / "notes.txt").write_text("hello\n")
    if layout == "nested-junk":
        (d / "node1" / "etc").mkdir(parents=True)  # a host root with nothing of the SAN stack in it
    r = cli("check", str(d), cwd=tmp_path)
    assert r.exit_code == 2
    assert "no configuration file found" in r.output
    for looked_for in ("etc/", "drbd.conf", "drbd.d/", "corosync/", "var/lib/pacemaker/cib/", "*.crm", "ietd.conf"):
        assert looked_for in r.output
    # one empty PATH among good ones still fails: a gate must not silently check less than asked
    r = cli("check", str(SITES / "seed"), str(d), cwd=tmp_path)
    assert r.exit_code == 2 and f"{d}: no configuration file found" in r.output


@pytest.mark.parametrize("where", ["--select", "--ignore", "config"])
def test_an_unknown_rule_code_exits_2_with_did_you_mean(tmp_path, where):
    args = ["check", str(SITES / "seed")]
    if where == "config":
        (tmp_path / ".sanlint.toml").write_text('ignore = ["DRBD1O1"]\n')
        args += ["--config", str(tmp_path / ".sanlint.toml")]
    else:
        args += [where, "DRBD1O1"]
    r = cli(*args, cwd=tmp_path)
    assert r.exit_code == 2
    assert "unknown rule code 'DRBD1O1'" in r.output and "did you mean DRBD101" in r.output


def test_report_and_migrate_take_one_cluster(repo):
    for args in (["report", "--output", str(repo / "r.md"), "clusters"], ["migrate", "drbd-9", "clusters"]):
        r = cli(*args, cwd=repo)
        assert r.exit_code == 2 and "one cluster at a time" in r.output and "clusters/prod" in r.output


def test_no_secret_of_any_cluster_leaks(tmp_path):
    """Each cluster's model secrets are scrubbed from every output, not only
    the first cluster's (tests/secret_site.py: every written form)."""
    import secret_site

    secret_site.build(tmp_path / "repo" / "a")
    secret_site.build(tmp_path / "repo" / "dc2" / "b")
    outputs = [cli("check", "--format", fmt, "--verbose", "repo", cwd=tmp_path).output
               for fmt in ("text", "json", "sarif", "junit", "github")]
    outputs.append(cli("check", "--diff", "--unsafe-fixes", "repo", cwd=tmp_path).output)
    parsed = cli("parse", "repo", cwd=tmp_path)
    outputs.append(parsed.output)
    assert "== cluster repo/a:" in outputs[0] and "== cluster repo/dc2/b:" in outputs[0]
    assert [s for s in secret_site.SECRETS if any(s in out for out in outputs)] == []
    doc = json.loads(parsed.output)
    assert [s["name"] for s in doc["sites"]] == ["repo/a", "repo/dc2/b"]
    assert parsed.exit_code == 1 and {p["path"].split("/")[1] for p in doc["problems"]} == {"a", "dc2"}


# -- property: any arrangement of the example sites ------------------------------------

EXAMPLES = sorted(d.name for d in SITES.iterdir() if d.is_dir())
_ALONE: dict[str, list[tuple]] = {}


def _check(paths: list[str], cwd: Path) -> list[tuple]:
    old = os.getcwd()
    try:
        os.chdir(cwd)
        settings = load(None)
        site, problems = build(paths, [], settings.as_dict(), engine=ParseEngine(cache=False, jobs=1))
        return [(f.cluster, f.code, f.path, f.line, f.column, f.host, f.message)
                for f in run_rules(site, problems, settings).findings]
    finally:
        os.chdir(old)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(EXAMPLES), st.lists(st.sampled_from(["a", "b", "dc1"]), min_size=1,
                                                                max_size=3)),
                min_size=2, max_size=3, unique_by=lambda t: "/".join(t[1])))
def test_any_arrangement_of_sites_checks_each_as_alone(tmp_path_factory, layout):
    """Example sites placed at random depths of a repository (no site inside
    another), all with the same host names: each cluster's findings are the
    ones it has on its own."""
    dirs = ["/".join(parts) for _, parts in layout]
    if any(a != b and b.startswith(a + "/") for a in dirs for b in dirs):
        return  # a site inside another site's directory: not this property
    root = tmp_path_factory.mktemp("arrangement")
    for (example, _), d in zip(layout, dirs):
        copy_site(SITES / example, root / "repo" / d)
    got = per_cluster(_check(["repo"], root))
    assert set(got) <= {f"repo/{d}" for d in dirs}
    for (example, _), d in zip(layout, dirs):
        key = f"{example}:{d}"
        if key not in _ALONE:
            _ALONE[key] = _check([f"repo/{d}"], root)
        assert got.get(f"repo/{d}", []) == _ALONE[key]
