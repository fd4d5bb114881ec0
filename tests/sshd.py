"""A real OpenSSH server on 127.0.0.1 for the ssh:// tests (tests/test_remote*.py).

Debian's /usr/sbin/sshd on a free port, with a host key and an authorized
key made here; nodes are directory roots (the ROOT part of the URL).  It
logs in as root, so the fixture skips when the tests do not run as root
(CI runs as root).  The `server` fixture (tests/conftest.py) starts one
per test module.
"""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

from conftest import need


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, top: Path):
        self.top = top
        self.port = free_port()
        self.log = top / "sshd.log"
        for k in ("host", "client", "other"):
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(top / k)], check=True)
        (top / "authorized_keys").write_text((top / "client.pub").read_text())
        (top / "sshd_config").write_text(
            f"Port {self.port}\nListenAddress 127.0.0.1\nHostKey {top}/host\nAuthorizedKeysFile {top}/authorized_keys\n"
            "PermitRootLogin yes\nUsePAM no\nStrictModes no\nPasswordAuthentication no\n"
            f"PidFile {top}/sshd.pid\nMaxSessions 50\nMaxStartups 50\n")
        # a known_hosts that is right, and one that names another key for the same server
        (top / "known_hosts").write_text(f"[127.0.0.1]:{self.port} {(top / 'host.pub').read_text()}")
        (top / "wrong_hosts").write_text(f"[127.0.0.1]:{self.port} {(top / 'other.pub').read_text()}")
        self.config = self.client_config("known_hosts")
        self.proc = None

    def client_config(self, known: str) -> str:
        path = self.top / f"ssh_config.{known}"
        path.write_text(f"Host *\n  User root\n  IdentityFile {self.top}/client\n  IdentitiesOnly yes\n"
                        f"  UserKnownHostsFile {self.top}/{known}\n  GlobalKnownHostsFile /dev/null\n"
                        "  LogLevel ERROR\n")
        return str(path)

    def start(self):
        # Debian's sshd insists on its privilege-separation directory (compiled in as /run/sshd),
        # which the package's service unit creates at boot; there is no service manager here.
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
        self.proc = subprocess.Popen([need("/usr/sbin/sshd"), "-D", "-f", str(self.top / "sshd_config"),
                                      "-E", str(self.log)])
        for _ in range(200):  # wait until it accepts connections (readiness, not a timing assertion)
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            if self.proc.poll() is not None:
                break
            subprocess.run(["sleep", "0.05"], check=False)
        raise RuntimeError(f"sshd did not start: {self.log.read_text() if self.log.exists() else ''}")

    def url(self, root: Path | str) -> str:
        return f"ssh://127.0.0.1:{self.port}{root}"

    def logins(self) -> int:
        return self.log.read_text().count("Accepted publickey")
