"""The README works literally (issue 13 §3): its first two commands are the
ones `.ci/run` runs (read from the README, so they cannot drift), the
install command needs no sudo as root and runs itself through sudo as a
user, and the pre-commit example works when copied, with the real
pre-commit."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from conftest import REPO, need
from report_sites import write_site

README = (REPO / "README.md").read_text()
GOOD_RES = """resource r0 {
  net { cram-hmac-alg sha256; shared-secret "pre-commit-test"; }
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
"""
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.invalid", "GIT_CONFIG_NOSYSTEM": "1"}


def first_commands() -> list[str]:
    block = re.search(r"^```sh\n(.*?)^```", README, re.S | re.M).group(1)
    return [re.sub(r"\s+#.*$", "", line) for line in block.splitlines() if line.strip()]


def test_the_first_two_commands_need_no_sudo():
    assert first_commands() == ["bash .ci/install && sanlint check fixtures/sites/seed", "pytest"]
    assert "sudo" not in README.split("```sh", 2)[1].split("```")[0]


def test_ci_run_runs_the_readmes_two_commands():
    out = subprocess.run(["bash", str(REPO / ".ci/run"), "--list"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == first_commands()


@pytest.fixture
def open_dir():
    """A scratch directory a dropped-privilege user can use (pytest's tmp_path is 0700 root's)."""
    d = Path(tempfile.mkdtemp(prefix="sanlint-readme-"))
    d.chmod(0o777)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def as_user(cmd: list[str]) -> list[str]:
    """CMD as an unprivileged user, as a user would run it (the suite itself may run as root)."""
    if os.geteuid() == 0:
        return [need("setpriv"), "--reuid=65534", "--regid=65534", "--clear-groups", *cmd]
    return cmd


def test_install_runs_itself_through_sudo_when_not_root(open_dir):
    """As a user, `.ci/install` hands itself to sudo before touching anything;
    a fake sudo records how it was called."""
    record = open_dir / "sudo-args"
    (open_dir / "sudo").write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > {record}\n')
    (open_dir / "sudo").chmod(0o755)
    env = {"PATH": f"{open_dir}:/usr/bin:/bin", "HOME": str(open_dir)}
    r = subprocess.run(as_user(["bash", ".ci/install"]), cwd=REPO, env=env, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    assert record.read_text().splitlines() == ["--", "bash", ".ci/install"]


def test_install_as_a_user_without_sudo_says_what_to_do(open_dir):
    for tool in ("id", "bash"):
        (open_dir / tool).symlink_to(shutil.which(tool))
    r = subprocess.run(as_user(["bash", ".ci/install"]), cwd=REPO, env={"PATH": str(open_dir)},
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and "run it as root (or install sudo)" in r.stderr, r.stderr


def test_the_precommit_example_works_when_copied(tmp_path):
    pre_commit = need("pre-commit")
    block = re.search(r"```yaml\n(# \.pre-commit-config\.yaml\n.*?)```", README, re.S).group(1)
    args = re.search(r"args: \[([^\]]*)\]", block).group(1)
    site = args.split(",")[-1].strip()
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "NO_COLOR": "1",
           "PRE_COMMIT_COLOR": "never",
           # `sanlint` as installed by the README's first command (here: the test's own environment)
           "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")}
    cfg = tmp_path / "config-repo"
    write_site(cfg, {f"{site}/alpha/etc/drbd.d/r0.res": GOOD_RES, f"{site}/bravo/etc/drbd.d/r0.res": GOOD_RES,
                     ".pre-commit-config.yaml": block})

    def git(*a):
        return subprocess.run(["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *a], cwd=cfg,
                              env=env, capture_output=True, text=True, timeout=300)

    git("init", "-q")
    subprocess.run([pre_commit, "install"], cwd=cfg, env=env, check=True, capture_output=True, timeout=120)
    git("add", "-A")
    good = git("commit", "-m", "a good site")
    assert good.returncode == 0 and "Passed" in good.stdout + good.stderr, good.stdout + good.stderr
    (cfg / site / "bravo/etc/drbd.d/r0.res").write_text(GOOD_RES.replace("internal; address 10.0.0.1",
                                                                         "internal address 10.0.0.1"))
    git("add", "-A")
    bad = git("commit", "-m", "break it")
    out = bad.stdout + bad.stderr
    assert bad.returncode != 0 and "Failed" in out and f"{site}/bravo/etc/drbd.d/r0.res:3:" in out, out
    assert "pre-commit-test" not in out  # the shared secret stays redacted


@pytest.mark.parametrize("install, test, passes, says", [
    ("echo 'No problems found in 1 file on 1 host.'", "true", True, "passed"),
    ("echo 'Found 3 problems (1 error, 2 warnings, 0 info) in 2 files on 1 host.'; exit 1", "true", True, "passed"),
    ("echo 'No problems found in 1 file on 1 host.'", "pytest", False, "exit 5"),  # no tests collected
    ("echo 'No problems found in 1 file on 1 host.'", "exit 1", False, "exit 1"),
    ("exit 1", "true", False, "install command failed"),  # a failed install prints no summary
    ("echo 'Found 1 problem (1 error, 0 warnings, 0 info) in 1 file on 1 host.'; exit 2", "true", False,
     "install command failed"),
])
def test_ci_run_fails_unless_both_commands_did_their_job(tmp_path, install, test, passes, says):
    (tmp_path / ".ci").mkdir()
    shutil.copy(REPO / ".ci/run", tmp_path / ".ci/run")
    (tmp_path / "README.md").write_text(f"# x\n\n```sh\n{install}   # one\n{test}   # two\n```\n")
    r = subprocess.run(["bash", ".ci/run"], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                       env={**os.environ, "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"]})
    assert (r.returncode == 0) is passes and says in r.stdout + r.stderr, r.stdout + r.stderr
