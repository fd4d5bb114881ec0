"""The shipped pre-commit hook, run by the real `pre-commit` in a throwaway
configuration repository: a commit that breaks the site is refused, the
commit that repairs it goes through.

The hook repository is this repository at its HEAD commit, as a user's
`.pre-commit-config.yaml` would name it (`repo:` + `rev:`).  pre-commit
clones that commit, so when the working tree has changes that are not
committed yet (a developer running the suite before committing) the test
commits a snapshot of the working tree into a temporary repository and
uses that instead: the hook under test is always the code under test.
pre-commit builds the hook's virtualenv with pip (PyPI must be reachable,
or the dependencies in pip's cache); PRE_COMMIT_HOME is a temporary
directory, so the user's pre-commit cache is never touched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from conftest import REPO, need
from report_sites import write_site

GOOD_RES = """resource r0 {
  on alpha { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.1:7789; }
  on bravo { device /dev/drbd0; disk /dev/sdb; meta-disk internal; address 10.0.0.2:7789; }
}
"""
BAD_RES = GOOD_RES.replace("meta-disk internal; address 10.0.0.1", "meta-disk internal address 10.0.0.1")

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.invalid", "GIT_CONFIG_NOSYSTEM": "1"}


def _git(cwd: Path, *args: str, env: dict, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args], cwd=cwd,
                          env=env, capture_output=True, text=True, check=check, timeout=300)


def _hook_repo(tmp: Path, env: dict) -> tuple[str, str]:
    """(repo, rev) for the config: this repository at HEAD when HEAD is what
    is on disk, else a one-commit snapshot of the working tree."""
    def out(*args):
        return _git(REPO, *args, env=env, check=False)

    head = out("rev-parse", "HEAD")
    clean = (head.returncode == 0 and out("cat-file", "-e", "HEAD:.pre-commit-hooks.yaml").returncode == 0
             and out("status", "--porcelain", "--untracked-files=normal").stdout.strip() == "")
    if clean:
        return str(REPO), head.stdout.strip()
    snap = tmp / "hook-repo"
    snap.mkdir()
    listed = out("ls-files", "-z", "--cached", "--others", "--exclude-standard").stdout.split("\0")
    for rel in filter(None, listed):
        src = REPO / rel
        if src.is_file():
            dst = snap / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
    _git(snap, "init", "-q", env=env)
    _git(snap, "add", "-A", env=env)
    _git(snap, "commit", "-q", "-m", "snapshot of the working tree", env=env)
    return str(snap), _git(snap, "rev-parse", "HEAD", env=env).stdout.strip()


def test_precommit_hook_refuses_a_broken_site_and_accepts_the_fix(tmp_path):
    pre_commit = need("pre-commit")
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
           "HOME": os.environ.get("HOME", str(tmp_path)), "NO_COLOR": "1", "PRE_COMMIT_COLOR": "never"}
    env.pop("SANLINT_CACHE_DIR", None)
    repo, rev = _hook_repo(tmp_path, env)

    cfg = tmp_path / "site-config"
    write_site(cfg, {
        "alpha/etc/drbd.d/r0.res": GOOD_RES,
        "bravo/etc/drbd.d/r0.res": GOOD_RES,
        ".pre-commit-config.yaml": (
            "repos:\n"
            f"  - repo: {repo}\n"
            f"    rev: {rev}\n"
            "    hooks:\n"
            "      - id: sanlint\n"
            "        args: [--fail-on, error, .]\n"),
    })
    _git(cfg, "init", "-q", env=env)
    subprocess.run([pre_commit, "install"], cwd=cfg, env=env, check=True, capture_output=True, timeout=120)
    _git(cfg, "add", "-A", env=env)
    first = _git(cfg, "commit", "-m", "a good site", env=env, check=False)  # installs the hook environment
    assert first.returncode == 0, first.stdout + first.stderr
    assert "sanlint" in first.stdout + first.stderr and "Passed" in first.stdout + first.stderr

    # a bad commit: a missing ';' in bravo's resource file
    (cfg / "bravo/etc/drbd.d/r0.res").write_text(BAD_RES)
    _git(cfg, "add", "-A", env=env)
    bad = _git(cfg, "commit", "-m", "break it", env=env, check=False)
    output = bad.stdout + bad.stderr
    assert bad.returncode != 0, output
    assert "Failed" in output
    assert "SAN001" in output and "bravo/etc/drbd.d/r0.res:2:" in output
    assert _git(cfg, "log", "--oneline", env=env).stdout.count("\n") == 1  # not committed

    # the fix goes through
    (cfg / "bravo/etc/drbd.d/r0.res").write_text(GOOD_RES.replace("10.0.0.1:7789", "10.0.0.1:7789 "))
    _git(cfg, "add", "-A", env=env)
    fixed = _git(cfg, "commit", "-m", "fix it", env=env, check=False)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "Passed" in fixed.stdout + fixed.stderr
    assert _git(cfg, "log", "--oneline", env=env).stdout.count("\n") == 2
