"""The migration framework: registry, --diff/--write/--output, refusals,
new files, exit codes, JSON, and the layout-preserving edit helpers."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from sanlint.cli import main
from sanlint.migrate import base
from sanlint.migrate.base import MigrationPlan, Migrator, NewFile
from sanlint.rule import Edit
from conftest import FIXTURES

SEED = FIXTURES / "sites" / "seed"


def migrate(*args: str) -> tuple[int, str]:
    r = CliRunner().invoke(main, ["migrate", *args], catch_exceptions=False)
    return r.exit_code, r.output


def snapshot(d: Path) -> dict[str, bytes]:
    return {str(p.relative_to(d)): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


@pytest.fixture
def site(tmp_path) -> Path:
    d = tmp_path / "site"
    shutil.copytree(SEED, d)
    return d


# -- dummy migrators registered for these tests only ------------------------------

class Breaker(Migrator):
    name = "test-breaker"
    description = "replaces every DRBD file's first byte by `{` (unparsable)"
    formats = ("drbd",)

    def plan(self, site):
        plan = MigrationPlan(self.name)
        for h in site.hosts.values():
            for cfg in h.drbd:
                plan.change("break it", cfg.span, [Edit(cfg.span.file, 0, 0, "{")])
        return plan


class Creator(Migrator):
    name = "test-creator"
    description = "creates etc/drbd.d/new.res on every host"
    formats = ("drbd",)

    def plan(self, site):
        plan = MigrationPlan(self.name)
        for name, h in site.hosts.items():
            if name and h.root is not None:
                c = plan.change("new resource file", None)
                c.new_files.append(NewFile.text("etc/drbd.d/zz-new.res", "# created\n", host=name))
        plan.item("info", "just so you know", None, kind="note").path = "x"
        return plan


@pytest.fixture
def dummies(monkeypatch):
    reg = dict(base.registry())
    reg.update({Breaker.name: Breaker, Creator.name: Creator})
    monkeypatch.setitem(base._cache, "m", reg)


# -- registry -----------------------------------------------------------------------

def test_registry_finds_the_drbd_migrators():
    reg = base.registry()
    assert {"drbd-9", "drbd-84"} <= set(reg)
    assert all(issubclass(c, Migrator) and c.description for c in reg.values())


def test_list_and_usage_errors():
    code, text = migrate("--list")
    assert code == 0 and "drbd-9" in text and "fixed-resync-rate" in text
    assert migrate("no-such-migrator", str(SEED))[0] == 2
    assert migrate("drbd-9")[0] == 2  # no PATH
    assert migrate("drbd-9", "/nonexistent/path")[0] == 2


# -- modes ----------------------------------------------------------------------------

def test_diff_is_the_default_and_writes_nothing(site):
    before = snapshot(site)
    code, text = migrate("drbd-9", str(site))
    assert code == 1
    assert snapshot(site) == before
    assert not list(site.rglob("*.sanlint-bak"))
    assert '+                fence-peer "/usr/lib/drbd/crm-fence-peer.9.sh";\n' in text  # indentation as written
    assert "--- a/" in text and "nothing written" in text
    # the report comes before the diff: changes, items, steps
    assert text.index("Changes:") < text.index("Items for the admin:") < text.index("Runbook (") < text.index("--- a/")


def test_write_makes_backups_and_is_idempotent(site):
    res = site / "san-1" / "etc" / "drbd.d" / "sandisk0.res"
    original = res.read_bytes()
    code, text = migrate("drbd-9", "--write", str(site))
    assert code == 1, text
    assert res.read_bytes() != original
    runs = list((site / ".sanlint" / "backups").iterdir())
    assert len(runs) == 1 and original in [p.read_bytes() for p in runs[0].glob("*.orig")]
    assert "written:" in text
    after = snapshot(site)
    code, text = migrate("drbd-9", "--write", str(site))
    assert "Nothing to change" in text
    assert snapshot(site) == after


def test_no_backup(site):
    migrate("drbd-9", "--write", "--no-backup", str(site))
    assert not list(site.rglob("*.sanlint-bak")) and not list(site.rglob("*.orig"))


def test_output_copies_everything_in_the_same_layout(site, tmp_path):
    out = tmp_path / "out"
    before = snapshot(site)
    code, text = migrate("drbd-84", "--output", str(out), str(site))
    assert code in (0, 1), text
    assert snapshot(site) == before  # the input is untouched
    copied = snapshot(out)
    assert set(copied) == set(before)
    changed = {k for k in copied if copied[k] != before[k]}
    assert changed == {"san-1/etc/drbd.d/sandisk0.res", "san-2/etc/drbd.d/sandisk0.res"}


def test_output_refuses_a_non_empty_directory(site, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "x").write_text("x")
    code, text = migrate("drbd-9", "--output", str(out), str(site))
    assert code == 2 and "not an empty directory" in text
    assert (out / "x").read_text() == "x" and len(list(out.iterdir())) == 1


def test_output_of_single_files_and_hosts(tmp_path):
    out = tmp_path / "out"
    a = FIXTURES / "drbd" / "valid" / "v83" / "sandisk0.res"
    code, text = migrate("drbd-9", "--output", str(out), str(a), "--host", f"san-1={SEED / 'san-1'}")
    assert code == 1, text
    assert (out / "sandisk0.res").is_file()
    assert (out / "san-1" / "etc" / "drbd.d" / "sandisk0.res").is_file()
    assert "node-id 0;" in (out / "sandisk0.res").read_text()


def test_refused_migration_writes_nothing(site, dummies, tmp_path):
    before = snapshot(site)
    code, text = migrate("test-breaker", "--write", str(site))
    assert code == 2
    assert "would not parse" in text and "nothing written" in text
    assert snapshot(site) == before
    code, text = migrate("test-breaker", "--output", str(tmp_path / "o"), str(site))
    assert code == 2 and not (tmp_path / "o").exists()


def test_new_files(site, dummies, tmp_path):
    code, text = migrate("test-creator", "--output", str(tmp_path / "o"), str(site))
    assert code == 0, text
    assert (tmp_path / "o" / "san-1" / "etc" / "drbd.d" / "zz-new.res").read_text() == "# created\n"
    assert not (site / "san-1" / "etc" / "drbd.d" / "zz-new.res").exists()
    code, text = migrate("test-creator", "--write", str(site))
    assert (site / "san-2" / "etc" / "drbd.d" / "zz-new.res").read_text() == "# created\n"
    code, text = migrate("test-creator", "--format", "json", str(site))  # already there, same content
    assert json.loads(text)["created"] == []


def test_json_report(site):
    code, text = migrate("drbd-9", "--format", "json", str(site))
    doc = json.loads(text)
    assert doc["migrator"] == "drbd-9" and doc["mode"] == "diff"
    assert {"reason", "path", "line", "column", "edits"} <= set(doc["changes"][0])
    assert {"severity", "kind", "message", "path", "line", "column", "host", "choice"} <= set(doc["items"][0])
    steps = doc["runbook"]["steps"]
    assert steps and {"number", "kind", "title", "node", "argv", "applies_to", "rollback", "files"} <= set(steps[0])
    assert len(doc["files"]) == 2 and doc["files"][0]["diff"].startswith("--- a/")
    assert doc["remaining"] == [] and doc["refused"] == []


def test_fail_on(site):
    assert migrate("drbd-9", "--fail-on", "never", str(site))[0] == 0
    assert migrate("drbd-9", "--fail-on", "error", str(site))[0] == 0
    assert migrate("drbd-9", str(site))[0] == 1  # node-ids are the admin's decision (warning)


def test_unparsable_input_is_an_item(tmp_path):
    f = tmp_path / "bad.res"
    f.write_text("resource r0 {\n  on alpha { address 10.0.0.1:7788 }\n}\n")
    code, text = migrate("drbd-9", str(f))
    assert code == 1
    assert f"{f}:2:" in text and "not migrated" in text


def test_convert_without_converters(tmp_path):
    f = tmp_path / "x.crm"
    f.write_text("primitive a ocf:heartbeat:Dummy\n")
    r = CliRunner().invoke(main, ["convert", "no-such", str(f)])
    assert r.exit_code == 2
