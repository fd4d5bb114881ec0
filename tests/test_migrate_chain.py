"""Migrations chain through `--output` with relative paths, `--diff` checks
the files a migration creates, and no secret reaches a migration's report
or diff."""

from __future__ import annotations

import os
import shutil

from click.testing import CliRunner

from conftest import FIXTURES
from sanlint.cli import main


def _migrate(cwd, *args):
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, ["migrate", *args], catch_exceptions=False)
    finally:
        os.chdir(old)


def test_seed_chain_with_relative_paths(tmp_path):
    shutil.copytree(FIXTURES / "sites" / "seed", tmp_path / "s0")
    for name, src, dst in (("drbd-9", "s0", "s1"), ("iscsi-lio", "s1", "s2"), ("pacemaker-2", "s2", "s3")):
        r = _migrate(tmp_path, name, "--output", dst, src)
        assert r.exit_code in (0, 1), r.output
        assert "refused" not in r.output, r.output
    assert (tmp_path / "s3/san-1/etc/target/saveconfig.json").is_file()
    assert "clone sandisk_ms drbd_sandisk0" in (tmp_path / "s3/cluster-santnet-san.conf").read_text()
    assert "promotable=\"true\"" in (tmp_path / "s3/cluster-santnet-san.conf").read_text()
    again = _migrate(tmp_path, "pacemaker-2", "s3")
    assert "Nothing to change: already migrated." in again.output


def test_diff_checks_created_files_too(tmp_path):
    shutil.copytree(FIXTURES / "sites" / "seed", tmp_path / "s0")
    r = _migrate(tmp_path, "iscsi-lio", "s0")
    assert "saveconfig.json" in r.output
    tail = r.output.split("left on the result:", 1)[1]
    assert "ISCSI111" not in tail.split("\n---", 1)[0], tail[:2000]
    assert not (tmp_path / "s0/san-1/etc/target/saveconfig.json").exists()  # --diff wrote nothing


def test_secrets_never_printed_by_migrations(tmp_path):
    site = tmp_path / "s0"
    shutil.copytree(FIXTURES / "sites" / "seed", site)
    for h in ("san-1", "san-2"):
        conf = site / h / "etc/ietd.conf"
        conf.write_text(conf.read_text().replace("target1\n", "target1\n        IncomingUser sanuser Sup3rS3cretPw\n", 1))
    for args in (("iscsi-lio", "s0"), ("iscsi-tgt", "s0"), ("iscsi-lio", "--format", "json", "s0")):
        r = _migrate(tmp_path, *args)
        assert "Sup3rS3cretPw" not in r.output, args
    r = _migrate(tmp_path, "iscsi-lio", "--output", "s1", "s0")
    assert "Sup3rS3cretPw" not in r.output
    # the cluster manages this target: the password moves into its iSCSITarget resource
    assert "incoming_password=Sup3rS3cretPw" in (tmp_path / "s1/cluster-santnet-san.conf").read_text()
