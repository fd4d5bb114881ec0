"""Shared test helpers.

Real tools are the oracles.  A test that needs one calls `need("drbdadm")`:
in CI (`CI` set) a missing tool is a failure, since `.ci/run` installs them
all; on a developer machine without the Debian packages it is a skip.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
SHARED = REPO.parent / "shared"
if not SHARED.is_dir():  # CI clones the repo beside shared/ as well
    SHARED = Path(os.environ.get("SANLINT_SHARED", "/work/shared"))


def need(tool: str) -> str:
    """Path of a real tool (a name on PATH or an absolute path)."""
    path = tool if os.path.isabs(tool) and os.access(tool, os.X_OK) else shutil.which(tool)
    if path:
        return path
    if os.environ.get("CI"):
        pytest.fail(f"{tool} is not installed: .ci/run installs it, so CI must have it")
    pytest.skip(f"{tool} not installed (install the Debian packages from .ci/run; CI never skips this)")


def need_shared(rel: str) -> Path:
    p = SHARED / rel
    if p.exists():
        return p
    if os.environ.get("CI"):
        pytest.fail(f"{p} missing: CI runs beside shared/")
    pytest.skip(f"{p} not available")


def on_a_terminal(argv: list[str], env: dict | None = None, stderr: bool = True, **kw) -> tuple[int, str]:
    """Run argv with standard output (and error, unless stderr=False) on a
    pseudo-terminal: (exit status, what the terminal showed)."""
    import pty
    import subprocess

    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=slave,
                                stderr=slave if stderr else subprocess.DEVNULL, **kw)
        os.close(slave)
        chunks = []
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        rc = proc.wait(timeout=300)
    finally:
        os.close(master)
    return rc, b"".join(chunks).decode(errors="replace")


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    # one grammar cache for the whole session, never the user's
    monkeypatch.setenv("SANLINT_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "grammar-cache"))


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if os.geteuid() != 0:
        pytest.skip("the test sshd logs in as root (CI runs as root)")
    need("ssh")
    need("ssh-keygen")
    from sshd import Server

    srv = Server(tmp_path_factory.mktemp("sshd"))
    srv.start()
    yield srv
    srv.proc.terminate()
    srv.proc.wait()
