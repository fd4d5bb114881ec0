"""The `sanlint` command line (spec/cli.md).

Imports are kept inside the commands: `sanlint check` in a pre-commit hook
should pay only for what it uses.
"""

from __future__ import annotations

import gc
import os
import sys

import click

from sanlint import __version__

def _formats() -> list[str]:
    from sanlint.output import FORMATS

    return list(FORMATS)


def _host_option(values: tuple[str, ...]) -> list[tuple[str, str]]:
    out = []
    for v in values:
        name, sep, path = v.partition("=")
        if not sep or not name or not path:
            raise click.BadParameter(f"{v!r}: expected NAME=PATH", param_hint="--host")
        out.append((name, path))
    return out


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sanlint")
def main() -> None:
    """Lint and migrate DRBD + LVM + iSCSI + Pacemaker/corosync SAN clusters."""
    # One short-lived run allocates the whole site model (hundreds of thousands
    # of objects for a large CIB) and frees it at exit: the cyclic garbage
    # collector would only rescan it over and over (a third of the run time).
    gc.disable()
    # Configuration files may hold bytes that are not UTF-8 (kept as lone
    # surrogates so spans stay exact); print them escaped instead of failing.
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="backslashreplace")
        except (AttributeError, ValueError, OSError):
            pass


def _settings(config: str | None, select: tuple[str, ...], ignore: tuple[str, ...], fail_on: str | None):
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


def _build(paths: tuple[str, ...], hosts: tuple[str, ...], settings, overrides=None):
    from sanlint.discovery import UsageError
    from sanlint.site import build

    host_list = _host_option(hosts) + list(settings.hosts.items())
    if not paths and not host_list:
        paths = ("/etc",)
    try:
        return build(list(paths), host_list, settings.as_dict(), overrides)
    except UsageError as e:
        click.echo(f"sanlint: {e}", err=True)
        sys.exit(2)


def _summary(result) -> dict:
    counts = {"error": 0, "warning": 0, "info": 0}
    for f in result.findings:
        counts[f.severity] = counts.get(f.severity, 0) + 1
    site = result.site
    return {"files": len(site.files), "hosts": len([h for h in site.hosts if h]), **counts}


def common_options(fn):
    for opt in reversed([
        click.argument("paths", nargs=-1, type=click.Path()),
        click.option("--host", "hosts", multiple=True, metavar="NAME=PATH", help="Name a host root explicitly (repeatable)."),
        click.option("--config", type=click.Path(), help="Settings file (.sanlint.toml or pyproject.toml)."),
    ]):
        fn = opt(fn)
    return fn


@main.command()
@common_options
@click.option("--format", "fmt", type=click.Choice(_formats()), default="text", show_default=True)
@click.option("--fail-on", type=click.Choice(["error", "warning", "info", "never"]), help="Lowest severity that fails (default: warning).")
@click.option("--select", multiple=True, metavar="CODES", help="Only these rule codes or prefixes (comma-separated).")
@click.option("--ignore", multiple=True, metavar="CODES", help="Skip these rule codes or prefixes.")
@click.option("--fix", is_flag=True, help="Apply the safe fixes (verified first; backups NAME.sanlint-bak).")
@click.option("--unsafe-fixes", is_flag=True, help="Also apply fixes that change behaviour.")
@click.option("--diff", is_flag=True, help="Show the fixes as a unified diff; write nothing.")
@click.option("--no-backup", is_flag=True, help="With --fix: do not keep NAME.sanlint-bak copies.")
@click.option("-v", "--verbose", is_flag=True, help="Also say which DRBD/Pacemaker versions were assumed and why.")
@click.option("--color/--no-color", default=None, help="Colour the text output (default: on a terminal, unless NO_COLOR).")
@click.option("-o", "--output", type=click.Path(), help="Write the report to this file instead of standard output.")
@click.option("--baseline", type=click.Path(), help="Report only findings not recorded in this baseline file.")
@click.option("--write-baseline", type=click.Path(), help="Record the current findings as the baseline and exit 0.")
def check(paths, hosts, config, fmt, fail_on, select, ignore, fix, unsafe_fixes, diff, no_backup, verbose, color, output,
          baseline, write_baseline):
    """Check PATHs (files, host roots, sites; default /etc)."""
    from sanlint.output import render
    from sanlint.runner import fails, run

    settings = _settings(config, select, ignore, fail_on)
    site, problems = _build(paths, hosts, settings)
    result = run(site, problems, settings)
    if fix or diff or unsafe_fixes:
        result = _apply_fixes(paths, hosts, settings, result, write=(fix or unsafe_fixes) and not diff,
                              unsafe=unsafe_fixes, backup=not no_backup, fmt=fmt)
        if result is None:
            return
    if write_baseline:
        from sanlint.baseline import BaselineError, write as write_bl

        try:
            n = write_bl(write_baseline, result.findings)
        except BaselineError as e:
            raise click.UsageError(str(e)) from None
        click.echo(f"sanlint: recorded {n} finding(s) in {write_baseline}", err=True)
        sys.exit(0)
    if baseline:
        from sanlint.baseline import BaselineError, filter_new

        try:
            result.findings = filter_new(baseline, result.findings)
        except BaselineError as e:
            raise click.UsageError(str(e)) from None
    if color is None:
        color = output is None and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    text = render(fmt, result, _summary(result), color=color, verbose=verbose)
    _emit(text, output)
    sys.exit(1 if fails(result.findings, settings.fail_on) else 0)


def _emit(text: str, output: str | None) -> None:
    if output:
        from sanlint.fixes import write_atomically

        write_atomically({os.path.abspath(output): text.encode()}, backup=False)
    else:
        click.echo(text, nl=False)


def _apply_fixes(paths, hosts, settings, result, write: bool, unsafe: bool, backup: bool, fmt: str):
    from sanlint.fixes import WriteError, offered_diff, plan, unified_diff, write_atomically
    from sanlint.runner import fails, run

    def checker(overrides):
        site, problems = _build(paths, hosts, settings, overrides)
        return run(site, problems, settings).findings

    outcome = plan(checker, unsafe=unsafe)
    if not write:  # --diff
        for real, new in sorted(outcome.new_data.items(), key=lambda kv: outcome.display[kv[0]]):
            click.echo(unified_diff(outcome.old_data[real], new, outcome.display[real]), nl=False)
        for f in outcome.offered:
            click.echo(offered_diff(f), nl=False)
        for f, why in outcome.rejected:
            click.echo(f"# {f.code} at {f.path}:{f.line} not fixed: {why}", err=True)
        final = run(*_build(paths, hosts, settings, outcome.new_data), settings)
        sys.exit(1 if fails(final.findings, settings.fail_on) else 0)
    if outcome.new_data:
        try:
            write_atomically(outcome.new_data, backup=backup)
        except WriteError as e:
            click.echo(f"sanlint: could not write fixes: {e}", err=True)
            sys.exit(2)
    for f in outcome.applied:
        click.echo(f"fixed {f.path}:{f.line}: {f.code} {f.fix.description}", err=True)
    for f, why in outcome.rejected:
        click.echo(f"not fixed {f.path}:{f.line}: {f.code}: {why}", err=True)
    site, problems = _build(paths, hosts, settings)
    return run(site, problems, settings)


@main.command()
@common_options
@click.option("--format", "fmt", type=click.Choice(["json"]), default="json", show_default=True)
def parse(paths, hosts, config, fmt):
    """Print the site model (hosts, DRBD resources, VGs, targets, cluster objects) as JSON."""
    import json

    from sanlint.site import InputProblem

    settings = _settings(config, (), (), None)
    site, problems = _build(paths, hosts, settings)
    doc = site.to_json()
    doc["problems"] = [_problem_json(p) for p in problems if isinstance(p, InputProblem)]
    click.echo(json.dumps(doc, indent=2, ensure_ascii=False))
    sys.exit(1 if any(p.code == "SAN001" for p in problems) else 0)


def _problem_json(p) -> dict:
    if p.span is not None:
        return {"code": p.code, "message": p.message, "path": p.span.path, "line": p.span.line, "column": p.span.column}
    return {"code": p.code, "message": p.message, "path": p.path, "line": 1, "column": 1}


@main.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules(fmt):
    """List every rule of the installed packs."""
    import json

    from sanlint.runner import load_rules

    rows = [{"code": c, "name": r.name, "severity": r.severity, "fix": r.fix, "pack": r.pack, "summary": r.summary()}
            for c, r in load_rules().items()]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    for r in rows:
        fix = {"no": "", "safe": " [fix]", "unsafe": " [unsafe fix]", "choice": " [fix needs choice]"}[r["fix"]]
        click.echo(f"{r['code']:<9} {r['severity']:<8} {r['name']}{fix}\n          {r['summary']}")


@main.command()
@click.argument("code")
def explain(code):
    """Print one rule's documentation."""
    from sanlint.runner import load_rules

    rules_ = load_rules()
    rule = rules_.get(code.upper())
    if rule is None:
        click.echo(f"sanlint: unknown rule code {code!r} (see `sanlint rules`)", err=True)
        sys.exit(2)
    click.echo(f"{rule.code} {rule.name} ({rule.severity}, pack {rule.pack}, fix: {rule.fix})\n")
    click.echo(rule.doc())


def entry() -> None:
    """The `sanlint` console script: `main`, then a fast exit.

    Freeing a large site model object by object at interpreter exit takes
    longer than checking a 10,000-resource CIB's rules, and nothing is left
    to clean up by then (every file sanlint writes is fsync'd and closed):
    so flush the output and leave with `os._exit`.
    """
    try:
        main()
        code = 0
    except SystemExit as e:
        code = e.code
    if isinstance(code, str):
        sys.stderr.write(code + "\n")
        code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe (`sanlint check | head`)
        code = code or 1
    os._exit(code or 0)


def _register_optional_commands() -> None:
    """Commands that live in their own modules (kept light: heavy imports
    happen inside the commands)."""
    import importlib

    for module, names in (("sanlint.report_cli", ("report",)), ("sanlint.migrate.commands", ("migrate", "convert"))):
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as e:
            if e.name != module:
                raise
            continue
        for name in names:
            if hasattr(mod, name):
                main.add_command(getattr(mod, name))


_register_optional_commands()


if __name__ == "__main__":  # pragma: no cover
    main()
