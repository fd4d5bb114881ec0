"""`sanlint check PATH...`: parse, build the site model, run the rules, report."""

from __future__ import annotations

import os
import sys

import click

from sanlint.cli.options import (build_site, emit, engine_options, fail_on_option, host_pairs, inventory_hosts,
                                 inventory_options, load_settings, nodes_exit, open_nodes, progress_on_terminal,
                                 select_options, site_options, ssh_config_option, summary)


def _formats() -> list[str]:
    from sanlint.output import FORMATS

    return list(FORMATS)


@click.command()
@site_options
@engine_options
@click.option("--format", "fmt", type=click.Choice(_formats()), default="text", show_default=True)
@fail_on_option()
@select_options
@click.option("--fix", is_flag=True, help="Apply the safe fixes (verified first; one run: originals kept, see `sanlint rollback`).")
@click.option("--unsafe-fixes", is_flag=True, help="Also apply fixes that change behaviour.")
@click.option("--diff", is_flag=True, help="Show the fixes as a unified diff; write nothing.")
@click.option("--no-backup", is_flag=True, help="With --fix: drop the run's originals once it has completed.")
@click.option("-v", "--verbose", is_flag=True, help="Also say which DRBD/Pacemaker versions were assumed and why.")
@click.option("--color/--no-color", default=None, help="Colour the text output (default: on a terminal, unless NO_COLOR).")
@click.option("-o", "--output", type=click.Path(), help="Write the report to this file instead of standard output.")
@click.option("--baseline", type=click.Path(), help="Report only findings not recorded in this baseline file.")
@click.option("--write-baseline", type=click.Path(), help="Record the current findings as the baseline and exit 0.")
@ssh_config_option
@inventory_options
def check(paths, hosts, config, fmt, fail_on, select, ignore, fix, unsafe_fixes, diff, no_backup, verbose, color, output,
          baseline, write_baseline, ssh_config, inventory, groups):
    """Check PATHs (files, host roots, sites, ssh://[user@]host[:port][/ROOT] nodes; default /etc)."""
    from sanlint.output import render
    from sanlint.runner import fails, run

    settings = load_settings(config, select, ignore, fail_on)
    progress_on_terminal(fmt, output)
    hosts = tuple(hosts) + inventory_hosts(inventory, groups)
    paths, hosts, nodes = open_nodes(paths, hosts, ssh_config, writing=fix or unsafe_fixes)
    site, problems = build_site(paths, hosts, settings)
    site.notes.extend(n for f in nodes.fetched for n in f.notes)
    result = run(site, problems, settings)
    if fix or diff or unsafe_fixes:
        result = _apply_fixes(paths, hosts, settings, result, write=(fix or unsafe_fixes) and not diff,
                              unsafe=unsafe_fixes, backup=not no_backup, fmt=fmt)
        if result is None:
            return
    if write_baseline:
        from sanlint.baseline import BaselineError
        from sanlint.baseline import write as write_bl

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
    text = render(fmt, result, summary(result), color=color, verbose=verbose)
    emit(text, output)
    nodes_exit(nodes)
    sys.exit(1 if fails(result.findings, settings.fail_on) else 0)


def _apply_fixes(paths, hosts, settings, result, write: bool, unsafe: bool, backup: bool, fmt: str):
    from sanlint.fixes import offered_diff, plan, unified_diff
    from sanlint.output.secrets import Scrubber
    from sanlint.runner import fails, run

    scrub = Scrubber.for_site(result.site)  # diffs quote the site's lines: secrets never leave

    def checker(overrides):
        site, problems = build_site(paths, hosts, settings, overrides)
        return run(site, problems, settings).findings

    outcome = plan(checker, unsafe=unsafe)
    if not write:  # --diff
        for real, new in sorted(outcome.new_data.items(), key=lambda kv: outcome.display[kv[0]]):
            click.echo(scrub.diff(unified_diff(outcome.old_data[real], new, outcome.display[real])), nl=False)
        for f in outcome.offered:
            click.echo(scrub.diff(offered_diff(f)), nl=False)
        for f, why in outcome.rejected:
            click.echo(scrub(f"# {f.code} at {f.path}:{f.line} not fixed: {why}"), err=True)
        final = run(*build_site(paths, hosts, settings, outcome.new_data), settings)
        sys.exit(1 if fails(final.findings, settings.fail_on) else 0)
    if outcome.new_data:
        from sanlint.apply import ApplyError, Change, apply, state_dir_for

        changes = [Change(real, outcome.old_data[real], new, outcome.display[real])
                   for real, new in sorted(outcome.new_data.items())]
        state = state_dir_for(list(paths or ("/etc",)) + [p for _, p in host_pairs(hosts)])
        try:
            done = apply(changes, state, keep_backups=backup, command=sys.argv)
        except ApplyError as e:
            click.echo(f"sanlint: could not write fixes: {e}", err=True)
            sys.exit(2)
        for note in done.notes:
            click.echo(f"sanlint: {note}", err=True)
        if done.kept:
            click.echo(f"sanlint: run {done.run_id}: originals kept in {done.run_dir} "
                       f"(`sanlint rollback {done.run_id} PATH...` restores them)", err=True)
    for f in outcome.applied:
        click.echo(scrub(f"fixed {f.path}:{f.line}: {f.code} {f.fix.description}"), err=True)
    for f, why in outcome.rejected:
        click.echo(scrub(f"not fixed {f.path}:{f.line}: {f.code}: {why}"), err=True)
    site, problems = build_site(paths, hosts, settings)
    return run(site, problems, settings)
