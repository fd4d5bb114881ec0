"""What the commands share: option decorators and the steps every command
takes the same way (settings, site, summary, writing the output).

A command module declares its options with these decorators, so an option
is spelt, typed and documented once:

    @click.command()
    @site_options            # PATHS, --host, --config
    @select_options          # --select, --ignore
    @fail_on_option()
    def mycommand(paths, hosts, config, select, ignore, fail_on): ...

and registers itself in `sanlint.cli.COMMANDS`.  Only click is imported at
module level; the engine is imported inside the helpers, so `sanlint
--help` and `sanlint check` in a pre-commit hook pay only for what they use.
The engine never imports this package.
"""

from __future__ import annotations

import os
import sys
from typing import Callable

import click

FAIL_ON = ["error", "warning", "info", "never"]


def _apply(fn: Callable, decorators: list[Callable]) -> Callable:
    for d in reversed(decorators):
        fn = d(fn)
    return fn


def site_options(fn: Callable) -> Callable:
    """PATHS..., --host NAME=PATH (repeatable), --config FILE."""
    return _apply(fn, [
        click.argument("paths", nargs=-1, type=click.Path()),
        click.option("--host", "hosts", multiple=True, metavar="NAME=PATH",
                     help="Name a host root explicitly (repeatable)."),
        click.option("--config", type=click.Path(), help="Settings file (.sanlint.toml or pyproject.toml)."),
    ])


def select_options(fn: Callable) -> Callable:
    """--select CODES, --ignore CODES (repeatable, comma-separated)."""
    return _apply(fn, [
        click.option("--select", multiple=True, metavar="CODES",
                     help="Only these rule codes or prefixes (comma-separated)."),
        click.option("--ignore", multiple=True, metavar="CODES", help="Skip these rule codes or prefixes."),
    ])


def engine_options(fn: Callable) -> Callable:
    """--jobs N, --no-cache, --cache-dir DIR: how files are parsed (sanlint.cache)."""

    def jobs(ctx, param, value):
        if value is not None and value < 1:
            raise click.BadParameter("must be at least 1", param_hint="--jobs")
        _engine(jobs=value)

    return _apply(fn, [
        click.option("-j", "--jobs", type=int, expose_value=False, callback=jobs, metavar="N",
                     help="Parse files in N processes (default: the number of cores; small inputs parse in one)."),
        click.option("--no-cache", is_flag=True, expose_value=False,
                     callback=lambda ctx, param, value: _engine(cache=False if value else None),
                     help="Do not read or write the parse cache (also SANLINT_NO_CACHE=1)."),
        click.option("--cache-dir", type=click.Path(file_okay=False), expose_value=False,
                     callback=lambda ctx, param, value: _engine(cache_dir=value or None),
                     help="Parse cache directory (default $SANLINT_CACHE_DIR, else $XDG_CACHE_HOME/sanlint)."),
    ])


def _engine(**options) -> None:
    from sanlint.cache import configure

    configure(**options)


def progress_on_terminal(fmt: str, output: str | None) -> None:
    """Show files parsed on stderr, for work over a second, only for a person
    at a terminal: never in pipes, files or the machine formats."""
    if fmt != "text" or output is not None or not (sys.stderr.isatty() and sys.stdout.isatty()):
        return
    from sanlint.progress import Progress

    _engine(progress=Progress(sys.stderr))


def fail_on_option(default: str | None = None, help: str = "Lowest severity that fails (default: warning).") -> Callable:
    return click.option("--fail-on", type=click.Choice(FAIL_ON), default=default, show_default=default is not None,
                        help=help)


def host_pairs(values: tuple[str, ...]) -> list[tuple[str, str]]:
    """`--host NAME=PATH` values as (name, path) pairs."""
    out = []
    for v in values:
        name, sep, path = v.partition("=")
        if not sep or not name or not path:
            raise click.BadParameter(f"{v!r}: expected NAME=PATH", param_hint="--host")
        out.append((name, path))
    return out


def load_settings(config: str | None, select: tuple[str, ...] = (), ignore: tuple[str, ...] = (),
                  fail_on: str | None = None):
    """The configuration file's settings with the command line's on top."""
    from sanlint.config import ConfigError, load

    try:
        s = load(config)
    except ConfigError as e:
        raise click.UsageError(str(e)) from None
    if select:
        s.select = [x.upper() for part in select for x in part.split(",") if x]
        s.extend_select = []
    if ignore:
        s.ignore += [x.upper() for part in ignore for x in part.split(",") if x]
    if fail_on:
        s.fail_on = fail_on
    return s


def build_site(paths: tuple[str, ...], hosts: tuple[str, ...], settings, overrides=None):
    """(site, problems) for PATHs and --host values (default /etc); exit 2 on a usage error."""
    from sanlint.discovery import UsageError
    from sanlint.site import build

    host_list = host_pairs(hosts) + list(settings.hosts.items())
    if not paths and not host_list:
        paths = ("/etc",)
    try:
        return build(list(paths), host_list, settings.as_dict(), overrides)
    except UsageError as e:
        click.echo(f"sanlint: {e}", err=True)
        sys.exit(2)


def summary(result) -> dict:
    """The `summary` object of the JSON output: files, hosts, count per severity."""
    counts = {"error": 0, "warning": 0, "info": 0}
    for f in result.findings:
        counts[f.severity] = counts.get(f.severity, 0) + 1
    site = result.site
    return {"files": len(site.files), "hosts": len([h for h in site.hosts if h]), **counts}


def emit(text: str, output: str | None) -> None:
    """Print TEXT, or write it atomically to OUTPUT (`-` is standard output)."""
    if output and output != "-":
        from sanlint.fixes import WriteError, write_atomically

        directory = os.path.dirname(os.path.abspath(output))
        why = ("no such directory" if not os.path.isdir(directory) else
               "is a directory" if os.path.isdir(output) else
               "permission denied" if not os.access(directory, os.W_OK) else None)
        if why:
            click.echo(f"sanlint: could not write {output}: {why}", err=True)
            sys.exit(2)
        try:
            write_atomically({os.path.abspath(output): text.encode("utf-8", "backslashreplace")}, backup=False)
        except (WriteError, OSError) as e:
            click.echo(f"sanlint: could not write {output}: {e}", err=True)
            sys.exit(2)
    else:
        click.echo(text, nl=False)


def ssh_config_option(fn: Callable) -> Callable:
    """--ssh-config FILE (for ssh:// targets)."""
    return click.option("--ssh-config", type=click.Path(), metavar="FILE",
                        help="ssh_config for ssh:// targets (ssh -F FILE; default ~/.ssh/config).")(fn)


def open_nodes(paths: tuple[str, ...], hosts: tuple[str, ...], ssh_config: str | None, writing: bool = False):
    """Read the ssh:// targets among PATHs and --host values into private host
    roots (removed when the command ends): (local paths, local --host values,
    the opened nodes).  Nodes that cannot be read are in `nodes.errors`
    (report with `nodes_exit`); when nothing readable is left, exit 2 now."""
    from sanlint.remote import RemoteError, open_targets

    ctx = click.get_current_context()
    try:
        cm = open_targets(paths, hosts, ssh_config)
        nodes = cm.__enter__()
    except RemoteError as e:
        click.echo(f"sanlint: {e}", err=True)
        sys.exit(2)
    ctx.call_on_close(lambda: cm.__exit__(None, None, None))
    if not (nodes.fetched or nodes.errors):
        return paths, hosts, nodes
    if writing:
        click.echo("sanlint: --fix on ssh:// nodes and archives is not supported: `sanlint collect` the nodes "
                   "(or unpack the archive), check --fix the copy, and install it yourself", err=True)
        sys.exit(2)
    if not nodes.paths and not nodes.hosts:
        nodes_exit(nodes)
    return tuple(nodes.paths), tuple(nodes.hosts), nodes


def nodes_exit(nodes) -> None:
    """Exit 2, naming them, when some nodes could not be read."""
    if nodes is not None and nodes.errors:
        for e in nodes.errors:
            click.echo(f"sanlint: {e}", err=True)
        sys.exit(2)


def inventory_options(fn: Callable) -> Callable:
    """--inventory FILE (Ansible INI or YAML), --group NAME."""
    return _apply(fn, [
        click.option("--inventory", type=click.Path(), metavar="FILE",
                     help="An Ansible inventory (INI or YAML): its hosts become ssh:// nodes."),
        click.option("--group", "groups", multiple=True, metavar="NAME",
                     help="With --inventory: the group (cluster) to read; needed when it holds several."),
    ])


def inventory_hosts(inventory: str | None, groups: tuple[str, ...]) -> tuple[str, ...]:
    """--host NAME=ssh://... values for the chosen inventory group; exit 2 with
    the list of groups when the inventory holds several clusters and none is chosen."""
    if not inventory:
        if groups:
            raise click.UsageError("--group needs --inventory")
        return ()
    from sanlint.remote import RemoteError
    from sanlint.remote.inventory import load

    try:
        clusters = load(inventory)
    except RemoteError as e:
        click.echo(f"sanlint: {e}", err=True)
        sys.exit(2)
    if not clusters:
        click.echo(f"sanlint: {inventory}: no hosts", err=True)
        sys.exit(2)
    unknown = [g for g in groups if g not in clusters]
    if unknown:
        click.echo(f"sanlint: {inventory}: no group {', '.join(unknown)} (groups: {', '.join(clusters)})", err=True)
        sys.exit(2)
    chosen = list(groups) or list(clusters)
    if len(chosen) > 1:
        click.echo(f"sanlint: {inventory} holds {len(chosen)} clusters ({', '.join(chosen)}): check one at a time "
                   "with --group NAME (hosts of two clusters are never merged into one site)", err=True)
        sys.exit(2)
    return tuple(f"{t.name}={t.url}" for t in clusters[chosen[0]])
