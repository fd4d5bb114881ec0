"""What the commands share: option decorators and the steps every command
takes the same way (settings, site, summary, writing the output).

A command module declares its options with these decorators, so an option
is spelt, typed and documented once:

    @click.command()
    @site_options            # PATHS, --host, --config
    @select_options          # --select, --extend-select, --ignore
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
    """--select, --extend-select, --ignore CODES (repeatable, comma-separated)."""
    return _apply(fn, [
        click.option("--select", multiple=True, metavar="CODES",
                     help="Only these rule codes or prefixes (comma-separated); replaces the configuration's."),
        click.option("--extend-select", multiple=True, metavar="CODES",
                     help="Add these rule codes or prefixes to the selection."),
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
                  fail_on: str | None = None, extend_select: tuple[str, ...] = (), paths: tuple[str, ...] = ()):
    """The configuration file's settings with the command line's on top.

    Without --config the file is looked up from the first checked PATH
    upwards, then from the current directory upwards.  Every rule code or
    prefix (command line or file) must name an installed rule: an unknown
    one is a usage error (exit 2) with the nearest codes, never a selector
    that silently matches nothing.
    """
    from pathlib import Path

    from sanlint.config import ConfigError, load

    start = next((Path(p) for p in paths if p != "-" and "://" not in p), None)
    try:
        s = load(config, start=start)
    except ConfigError as e:
        raise click.UsageError(str(e)) from None
    given = {"--select": _codes(select), "--extend-select": _codes(extend_select), "--ignore": _codes(ignore)}
    check_codes(s, given)
    if select:
        s.select = given["--select"]
        s.extend_select = []
    s.extend_select += given["--extend-select"]
    s.ignore += given["--ignore"]
    if fail_on:
        s.fail_on = fail_on
    return s


def _codes(values: tuple[str, ...]) -> list[str]:
    return [x.strip().upper() for part in values for x in part.split(",") if x.strip()]


def check_codes(settings, given: dict[str, list[str]]) -> None:
    """Exit 2 on a rule code or prefix that matches no installed rule."""
    where = settings.source or "configuration"
    sources = dict(given)
    sources[f"{where}: select"] = [] if settings.select == ["ALL"] else list(settings.select)
    sources[f"{where}: extend-select"] = list(settings.extend_select)
    sources[f"{where}: ignore"] = list(settings.ignore)
    sources[f"{where}: per-file-ignores"] = [c for cs in settings.per_file_ignores.values() for c in cs]
    sources[f"{where}: severity"] = list(settings.severity)
    if not any(sources.values()):
        return
    from sanlint.runner import load_rules

    known = sorted(load_rules())
    for source, codes in sources.items():
        for code in codes:
            if code == "ALL" or any(k.startswith(code) for k in known):
                continue
            raise click.UsageError(f"{source}: unknown rule code {code!r}{did_you_mean(code, known)}")


def did_you_mean(word: str, known: list[str]) -> str:
    """` (did you mean X?)`, or ` (see `sanlint rules`)` when nothing is near:
    the code with a letter typed for a digit (DRBD1O1), codes that start with
    WORD, then the closest spellings."""
    import difflib
    import re

    up = word.strip().upper()
    m = re.fullmatch(r"([A-Z]+?)([0-9OIL]+)", up)
    fixed = m.group(1) + m.group(2).translate(str.maketrans("OIL", "011")) if m else None
    near = [k for k in known if k.upper() == fixed]
    near += [k for k in known if k.upper().startswith(up)]
    near += difflib.get_close_matches(word.strip(), known, n=3, cutoff=0.6)
    near = list(dict.fromkeys(near))[:3]
    if not near:
        return " (see `sanlint rules`)"
    return f" (did you mean {' or '.join(near)}?)"


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


def one_cluster(site, command: str) -> None:
    """Exit 2 when the input holds several clusters: COMMAND works on one site."""
    if site.parts:
        from sanlint.output import cluster_name

        names = ", ".join(cluster_name(part.name) for part, _problems in site.parts)
        click.echo(f"sanlint: {command} works on one cluster at a time; the input holds {len(site.parts)} "
                   f"({names}): give one site directory", err=True)
        sys.exit(2)


def summary(result) -> dict:
    """The `summary` object of the JSON output: files, hosts, count per
    severity, and the same per cluster (`clusters`: name, files, hosts, counts)."""
    site = result.site
    per = []
    for part, _problems in site.parts or [(site, [])]:
        counts = {"error": 0, "warning": 0, "info": 0}
        for f in result.findings:
            if f.cluster == part.name or not site.parts:
                counts[f.severity] = counts.get(f.severity, 0) + 1
        per.append({"name": part.name, "files": len(part.files), "hosts": len([h for h in part.hosts if h]), **counts})
    total = {k: sum(p[k] for p in per) for k in ("files", "hosts", "error", "warning", "info")}
    return {**total, "clusters": per}


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


class _NoNodes:
    """What open_nodes gives when every PATH and --host is local."""

    fetched: tuple = ()
    errors: tuple = ()


_NO_NODES = _NoNodes()


def open_nodes(paths: tuple[str, ...], hosts: tuple[str, ...], ssh_config: str | None, writing: bool = False):
    """Read the ssh:// targets among PATHs and --host values into private host
    roots (removed when the command ends): (local paths, local --host values,
    the opened nodes).  Nodes that cannot be read are in `nodes.errors`
    (report with `nodes_exit`); when nothing readable is left, exit 2 now."""
    from sanlint.remote.archive import is_archive_dir, is_tarball

    if not any(p.startswith("ssh://") or is_tarball(p) or is_archive_dir(p) for p in paths) \
            and not any(sep and value.startswith("ssh://") for _, sep, value in (h.partition("=") for h in hosts)):
        return paths, hosts, _NO_NODES  # all local: sanlint.remote.ssh is not even imported
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
    if writing and any(f.target is None for f in nodes.fetched):
        click.echo("sanlint: archives (sosreports, crm reports) are read, never changed: unpack the archive "
                   "and change the copy, or give the nodes as ssh://", err=True)
        sys.exit(2)
    if not nodes.paths and not nodes.hosts:
        nodes_exit(nodes)
    return tuple(nodes.paths), tuple(nodes.hosts), nodes


def local_targets(paths, hosts, nodes) -> list[str]:
    """The local PATHs and --host paths (not the ssh nodes' private copies):
    they say where this machine's runs are recorded (default /etc)."""
    private = {os.path.realpath(f.local) for f in (nodes.fetched if nodes is not None else [])}
    own = [p for _, p in host_pairs(hosts) if os.path.realpath(p) not in private]
    return list(paths or (() if own or private else ("/etc",))) + own


def dry_run_option(fn: Callable) -> Callable:
    """--dry-run (with --fix / --write)."""
    return click.option("--dry-run", is_flag=True,
                        help="With --fix/--write: print the plan (per node) and the diffs, check the files and "
                             "validate the new ones on the nodes; change nothing.")(fn)


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
