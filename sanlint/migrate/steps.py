"""`sanlint migrate NAME --run-steps`: run a runbook's commands on live nodes.

Only ssh:// nodes run steps (a repository or a directory of host roots is
not a running cluster: refused with exit 2).  Each command is an argument
list sent through `sanlint.remote.ssh.Session.run` (every argument quoted on
its own); a step that saves its output (`stdout`) runs through one constant
script that takes the file name and the command as positional arguments:
nothing from the configuration is ever parsed by a shell.

The runner is injectable (`execute(runbook, runner)` in
`sanlint.migrate.runbook`): tests record the argv of each call.
"""

from __future__ import annotations

from sanlint.migrate.runbook import Runner

# $1 = the file that receives the output, the rest = the command (run without a shell)
SAVE_SCRIPT = 'f=$1; shift; umask 077; mkdir -p -- "$(dirname -- "$f")" && exec "$@" > "$f"'


def remote_argv(argv: list[str], stdout: str | None) -> list[str]:
    """The argument list sent to the node for one step command."""
    if stdout is None:
        return list(argv)
    return ["sh", "-c", SAVE_SCRIPT, "sanlint-step", stdout, *argv]


def ssh_runner(opened) -> Runner:
    """A runner for the nodes `open_targets` read: host name -> its ssh target."""
    from sanlint.remote import RemoteError

    targets = {f.name: f.target for f in opened.fetched if f.target is not None}

    def run(node: str, argv: list[str], stdout: str | None) -> tuple[int, str]:
        t = targets.get(node)
        if t is None:
            return 255, f"{node} is not an ssh:// node of this run"
        try:
            p = opened.session.run(t, remote_argv(argv, stdout), limit=16 * 1024 * 1024)
        except RemoteError as e:
            return 255, str(e)
        out = (p.stdout or b"").decode("utf-8", "replace") + (p.stderr or b"").decode("utf-8", "replace")
        return p.returncode, out

    return run


def local_nodes(site, opened) -> list[str]:
    """Hosts of the site that are not ssh:// nodes (steps cannot run there)."""
    remote = {f.name for f in (opened.fetched if opened is not None else []) if f.target is not None}
    return [h for h in site.hosts if h and h not in remote]
