"""Reading nodes with the system OpenSSH client.

* `ssh` is run with `BatchMode=yes` (never a password prompt: keys or an
  agent), host-key checking as configured (never turned off: an unknown or
  changed host key refuses the node), and one master connection per node for
  the whole run (`ControlMaster=auto`, a private `ControlPath`, closed at the
  end).  `--ssh-config FILE` is passed as `ssh -F FILE`; otherwise
  `~/.ssh/config` applies (ProxyJump, agents, known_hosts).
* Every remote command is an argument list; each argument is quoted with
  `shlex.quote` before ssh joins them for the remote shell.  The only script
  sent is a constant; ROOT travels as a quoted positional argument.
* A node's files come back as one tar stream (the paths discovery reads in a
  host root, plus sosreport-style command outputs when present), unpacked
  into a private directory with a filter that refuses absolute names, `..`,
  devices and anything that would land outside it.
* Nodes are read in parallel (at most `MAX_PARALLEL` at once).  A node that
  cannot be read is an error naming it; the others are still read.
"""

from __future__ import annotations

import os
import posixpath
import re
import shlex
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from io import BytesIO
from urllib.parse import unquote, urlsplit

MAX_PARALLEL = 8
MAX_STREAM = 256 * 1024 * 1024  # a node's configuration never comes near this
CONNECT_TIMEOUT = 15

# What is fetched from ROOT: the places discovery reads in a host root, the
# host's name, boot links, and collected command outputs (sosreport layout).
EXTRA_PATHS = ["etc/hostname", "etc/default", "etc/systemd/system", "etc/rc0.d", "etc/rc1.d", "etc/rc2.d",
               "etc/rc3.d", "etc/rc4.d", "etc/rc5.d", "etc/rc6.d", "etc/rcS.d", "sos_commands", "installed-rpms"]

# The one script sent to a node: $1 is ROOT.  Paths that do not exist are left out.
FETCH_SCRIPT = """cd -- "$1" || exit 3
set --
for p in {paths} etc/*.crm *.crm; do
  if [ -e "$p" ] || [ -h "$p" ]; then set -- "$@" "$p"; fi
done
[ "$#" -gt 0 ] || exit 0
exec tar -cf - -- "$@"
"""


class RemoteError(Exception):
    """A node that could not be read or changed (the message names it)."""


@dataclass
class Target:
    url: str  # as given
    host: str
    user: str | None = None
    port: int | None = None
    root: str = "/"
    name: str | None = None  # NAME of --host NAME=ssh://...

    @property
    def label(self) -> str:
        return f"{self.name} ({self.url})" if self.name else self.url

    def display(self) -> str:
        """How paths on this node are shown, scp-style: [user@]host[:port]:/ROOT/
        (`san-1:/etc/drbd.d/r0.res`)."""
        who = f"{self.user}@" if self.user else ""
        port = f":{self.port}" if self.port else ""
        return f"{who}{self.host}{port}:{self.root.rstrip('/')}/"


def is_url(value: str) -> bool:
    return value.startswith("ssh://")


_SAFE = re.compile(r"^[A-Za-z0-9_.:%\[\]-]+$")


def parse_target(value: str, name: str | None = None) -> Target:
    """`ssh://[user@]host[:port][/ROOT]` -> Target; a clear error otherwise."""
    parts = urlsplit(value)
    if parts.scheme != "ssh" or not parts.hostname:
        raise RemoteError(f"{value}: expected ssh://[user@]host[:port][/ROOT]")
    if parts.query or parts.fragment or parts.password:
        raise RemoteError(f"{value}: no password, query or fragment in an ssh:// target")
    host, user = parts.hostname, unquote(parts.username) if parts.username else None
    for what, v in (("host", host), ("user", user)):
        if v is not None and (v.startswith("-") or not _SAFE.match(v)):
            raise RemoteError(f"{value}: {what} {v!r} is not a plain name")
    try:
        port = parts.port
    except ValueError:
        raise RemoteError(f"{value}: bad port") from None
    root = posixpath.normpath(unquote(parts.path) or "/")
    if not root.startswith("/") or "\0" in root or "\n" in root:
        raise RemoteError(f"{value}: ROOT must be an absolute path")
    if root.startswith("//"):
        root = "/" + root.lstrip("/")
    return Target(value, host, user, port, root, name)


@dataclass
class Fetched:
    target: Target | None  # None: from an archive
    local: str  # the host root holding the node's files (private for a node or a tarball)
    name: str  # the host's name in the site
    notes: list[str] = field(default_factory=list)
    display: str = ""  # how the root is shown (ssh nodes: [user@]host[:port]:/ROOT/)
    label: str = ""  # how the source is named in messages


class Session:
    """One ssh master connection per node for the whole run."""

    def __init__(self, ssh_config: str | None = None):
        self.ssh_config = ssh_config
        self.control = tempfile.mkdtemp(prefix="sl-", dir="/tmp")  # short: socket paths are limited
        self.used: dict[tuple, Target] = {}

    def argv(self, t: Target, remote: list[str]) -> list[str]:
        cmd = ["ssh", "-o", "BatchMode=yes", "-o", "ControlMaster=auto", "-o",
               f"ControlPath={self.control}/%C", "-o", "ControlPersist=300", "-o",
               f"ConnectTimeout={CONNECT_TIMEOUT}"]
        if self.ssh_config:
            cmd += ["-F", self.ssh_config]
        if t.port:
            cmd += ["-p", str(t.port)]
        if t.user:
            cmd += ["-l", t.user]
        cmd += ["--", t.host]
        if remote:
            cmd.append(" ".join(shlex.quote(a) for a in remote))
        return cmd

    def run(self, t: Target, remote: list[str], data: bytes | None = None, limit: int = MAX_STREAM,
            timeout: float = 600) -> subprocess.CompletedProcess:
        self.used[(t.user, t.host, t.port)] = t
        try:
            p = subprocess.run(self.argv(t, remote), input=data, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise RemoteError(f"{t.label}: no answer within {timeout:.0f} s") from None
        except OSError as e:
            raise RemoteError(f"cannot run ssh: {e.strerror}") from None
        if len(p.stdout) > limit:
            raise RemoteError(f"{t.label}: more than {limit} bytes of output; refused")
        if p.returncode == 255:
            if not p.stderr.strip():  # ssh says why it cannot connect; silence: the remote command was killed
                raise RemoteError(f"{t.label}: the command on the node died without a word (killed?)")
            raise RemoteError(f"{t.label}: cannot connect: {_last_line(p.stderr)}")
        return p

    def close(self) -> None:
        for t in self.used.values():
            subprocess.run(self.argv(t, [])[:-2] + ["-O", "exit", "--", t.host], capture_output=True, timeout=30,
                           check=False)
        shutil.rmtree(self.control, ignore_errors=True)


def _last_line(err: bytes) -> str:
    lines = [x for x in err.decode("utf-8", "replace").splitlines() if x.strip()]
    return lines[-1].strip() if lines else "ssh failed"


def fetch(session: Session, t: Target, dest: str) -> Fetched:
    """Read a node's files into `dest` (a new host root)."""
    from sanlint import formats

    wanted = dict.fromkeys(formats.host_files() + formats.host_dirs() + EXTRA_PATHS)
    paths = " ".join(shlex.quote(p) for p in wanted)
    p = session.run(t, ["sh", "-c", FETCH_SCRIPT.format(paths=paths), "sanlint-fetch", t.root])
    if p.returncode == 3:
        raise RemoteError(f"{t.label}: ROOT {t.root} is not a readable directory on the node")
    os.makedirs(dest, exist_ok=True)
    notes = []
    if p.stdout:
        try:
            _unpack(p.stdout, dest)
        except tarfile.TarError as e:
            raise RemoteError(f"{t.label}: unreadable archive from the node ({e})") from None
    if p.returncode not in (0,) and p.stderr:
        notes.append(f"{t.label}: some files could not be read: {_last_line(p.stderr)}")
    if t.root == "/":
        _run_commands(session, t, dest)
    cib = os.path.join(dest, "var", "lib", "pacemaker", "cib", "cib.xml")
    if t.root == "/" and not os.path.exists(cib):
        q = session.run(t, ["cibadmin", "--query"])
        if q.returncode == 0 and q.stdout.strip():
            os.makedirs(os.path.dirname(cib), exist_ok=True)
            with open(cib, "wb") as fh:
                fh.write(q.stdout)
            notes.append(f"{t.label}: no CIB file readable; the running CIB was read with `cibadmin --query`")
        else:
            notes.append(f"{t.label}: no CIB file readable and `cibadmin --query` failed: {_last_line(q.stderr)}")
    name = t.name or _host_name(dest, t)
    return Fetched(t, dest, name, notes, t.display(), t.label)


# Read-only commands run on a live node (ROOT /), their output kept where a
# sosreport keeps it (sos names the file after the command line: `sos_name`);
# `sbd -d DEV dump` runs as well for each device the node's SBD configuration names.
LIVE_COMMANDS = [
    ("drbd", ["drbdsetup", "show", "all"]),
    ("drbd", ["drbdadm", "--version"]),
    ("corosync", ["corosync-cmapctl"]),
    ("pacemaker", ["crm_mon", "-1"]),
    ("dpkg", ["dpkg", "-l"]),
]


def sos_name(argv: list[str]) -> str:
    """The file name sos gives a command's output (sos `_mangle_command`): the
    command line with runs of other characters than word, `-`, `.`, `/` as `_`
    and `/` as `.` (`sbd -d /dev/sdb dump` -> `sbd_-d_.dev.sdb_dump`)."""
    name = re.sub(r"^/(usr/|)(bin|sbin)/", "", " ".join(argv))
    name = re.sub(r"[^\w\-\./]+", "_", name)
    return re.sub(r"/", ".", name).strip(" ._-")[:255]


def sbd_devices(dest: str) -> list[str]:
    """The SBD devices the fetched `etc/sysconfig/sbd` / `etc/default/sbd` name."""
    from sanlint.parsers.sbd import parse
    from sanlint.source import ParseError, SourceFile

    out: list[str] = []
    for rel in ("etc/sysconfig/sbd", "etc/default/sbd"):
        path = os.path.join(dest, rel)
        if not os.path.isfile(path) or os.path.islink(path):
            continue
        try:
            with open(path, "rb") as fh:
                cfg = parse(SourceFile(display=path, data=fh.read(1024 * 1024), format="sbd"))
        except (OSError, ParseError, ValueError):
            continue
        out += [d.path for d in cfg.devices if d.path.startswith("/dev/") and d.path not in out]
    return out[:3]  # sbd uses at most three


def _run_commands(session: Session, t: Target, dest: str) -> None:
    commands = LIVE_COMMANDS + [("sbd", ["sbd", "-d", dev, "dump"]) for dev in sbd_devices(dest)]
    for plugin, argv in commands:
        p = session.run(t, argv, limit=16 * 1024 * 1024, timeout=60)
        if p.returncode == 0 and p.stdout:
            d = os.path.join(dest, "sos_commands", plugin)
            os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, sos_name(argv)), "wb") as fh:
                fh.write(p.stdout)


def _host_name(dest: str, t: Target) -> str:
    try:
        with open(os.path.join(dest, "etc", "hostname"), encoding="utf-8", errors="replace") as fh:
            first = fh.read(256).split()
        if first and re.match(r"^[A-Za-z0-9_.-]+$", first[0]):
            return first[0]
    except OSError:
        pass
    return t.host if t.root == "/" else posixpath.basename(t.root)


def _unpack(stream: bytes, dest: str) -> None:
    with tarfile.open(fileobj=BytesIO(stream), mode="r:") as tf:
        unpack_members(tf, dest, MAX_STREAM)


def unpack_members(tf: tarfile.TarFile, dest: str, limit: int) -> None:
    """Unpack regular files, directories and symbolic links (kept as written:
    discovery reports links leading out of the tree) into `dest`; absolute
    names, `..`, devices, fifos, hard links and anything that would land
    outside `dest` through a link unpacked before it are dropped.  More than
    `limit` bytes in all: tarfile.TarError."""
    real_dest = os.path.realpath(dest)
    total = 0

    def inside(path: str) -> bool:
        return path == real_dest or path.startswith(real_dest + os.sep)

    for m in tf:
        name = m.name
        if name.startswith("/") or ".." in posixpath.normpath(name).split("/") or "\0" in name:
            continue
        if not (m.isreg() or m.isdir() or m.issym()):
            continue
        target = os.path.join(real_dest, name)
        if not inside(os.path.realpath(os.path.dirname(target))):
            continue
        if m.isdir():
            os.makedirs(target, exist_ok=True)
            continue
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if os.path.lexists(target):
            continue
        if m.issym():
            os.symlink(m.linkname, target)
            continue
        total += m.size
        if total > limit:
            raise tarfile.TarError(f"unpacks to more than {limit} bytes")
        src = tf.extractfile(m)
        with open(target, "xb") as out:
            shutil.copyfileobj(src, out)
        os.chmod(target, m.mode & 0o644 | 0o600)
        os.utime(target, (m.mtime, m.mtime))


def fetch_all(session: Session, targets: list[Target], base: str, progress: bool = False):
    """Read every node (bounded parallelism): (fetched, errors)."""
    fetched: list[Fetched] = []
    errors: list[str] = []

    def one(i_t):
        i, t = i_t
        return fetch(session, t, os.path.join(base, f"node{i}"))

    if progress:
        sys.stderr.write(f"sanlint: reading {len(targets)} node(s)...\n")
    with ThreadPoolExecutor(max_workers=max(1, min(MAX_PARALLEL, len(targets)))) as pool:
        futures = [(t, pool.submit(one, (i, t))) for i, t in enumerate(targets)]
        for t, fut in futures:
            try:
                fetched.append(fut.result())
                if progress:
                    sys.stderr.write(f"sanlint: read {t.label}\n")
            except RemoteError as e:
                errors.append(str(e))
    return fetched, errors


@dataclass
class Opened:
    paths: list[str]  # local PATH arguments (ssh:// ones replaced by nothing)
    hosts: list[str]  # NAME=PATH values (ssh:// ones replaced by their private host roots)
    fetched: list[Fetched]
    errors: list[str]
    session: Session | None = None
    when: str = ""


def split_targets(paths, hosts) -> tuple[list[str], list[str], list[Target], list[str]]:
    """Separate ssh:// targets (PATHs and --host NAME=ssh://...) and archives
    (sosreports, crm reports) from local PATHs."""
    from sanlint.remote.archive import is_archive_dir, is_tarball

    local_paths, local_hosts, targets, archives = [], [], [], []
    for p in paths:
        if is_url(p):
            targets.append(parse_target(p))
        elif is_tarball(p) or is_archive_dir(p):
            archives.append(p)
        else:
            local_paths.append(p)
    for h in hosts:
        name, sep, value = h.partition("=")
        if sep and is_url(value):
            targets.append(parse_target(value, name))
        else:
            local_hosts.append(h)
    return local_paths, local_hosts, targets, archives


@contextmanager
def open_targets(paths, hosts, ssh_config: str | None = None, progress: bool | None = None):
    """Read the ssh:// targets and archives among PATHs and --host values into
    host roots (private copies, removed at the end of the block)."""
    from sanlint import discovery
    from sanlint.remote.archive import ArchiveError, open_archive

    local_paths, local_hosts, targets, archives = split_targets(paths, hosts)
    if not targets and not archives:
        yield Opened(list(paths), list(hosts), [], [])
        return
    base = tempfile.mkdtemp(prefix="sanlint-nodes-")
    session = Session(ssh_config)
    aliased: list[str] = []
    try:
        when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        if progress is None:
            progress = sys.stderr.isatty()
        fetched, errors = fetch_all(session, targets, base, progress) if targets else ([], [])
        for i, a in enumerate(archives):
            try:
                fetched += open_archive(a, os.path.join(base, f"archive{i}"))
            except ArchiveError as e:
                errors.append(str(e))
        names: dict[str, int] = {}
        for f in fetched:
            names[f.name] = names.get(f.name, 0) + 1
        for f in fetched:
            if names[f.name] > 1:
                errors.append(f"{f.label}: a second node named {f.name!r}: name them with --host NAME=ssh://... "
                              "or check them one by one")
                continue
            local_hosts.append(f"{f.name}={f.local}")
            aliased.append(os.path.realpath(f.local))
            discovery.ALIASES[aliased[-1]] = f.display
        yield Opened(local_paths, local_hosts, [f for f in fetched if names[f.name] == 1], errors, session, when)
    finally:
        for real in aliased:
            discovery.ALIASES.pop(real, None)
        session.close()
        shutil.rmtree(base, ignore_errors=True)
