"""`sanlint check PATH...`: parse, build the site model, run the rules, report."""

from __future__ import annotations

import os
import sys

import click

from sanlint.cli.options import (build_site, dry_run_option, emit, engine_options, fail_on_option, inventory_hosts,
                                 inventory_options, load_settings, local_targets, nodes_exit, open_nodes,
                                 progress_on_terminal, select_options, site_options, ssh_config_option, summary)


def _formats() -> list[str]:
    from sanlint.output import FORMATS

    return list(FORMATS)


EPILOG = """\b
Output formats (--output-format, alias --format):
  text    path:line:col: CODE [severity] message (host), the line and a
          caret; [*] = fixable with --fix, [!] = fixable with --fix
          --unsafe-fixes (changes behaviour), [?] = a fix that needs your
          choice (listed by --diff, never written)
  json    {"sanlint", "findings": [...], "summary"}; each finding has
          "cluster" (its site directory), "fixable" and "fix":
          {"applicability": safe|unsafe|display-only, "message"} or null
  sarif   SARIF 2.1.0 (code-scanning upload)
  junit   JUnit XML (CI test reports)
  github  GitHub Actions workflow annotations

\b
Exit status:
  0  no finding at or above --fail-on (default: warning), or --exit-zero
  1  at least one such finding (a file that does not parse is one: SAN001)
  2  usage error, unknown rule code, unreadable input, unreachable host,
     or PATHs that hold no configuration file at all
"""


@click.command(epilog=EPILOG)
@site_options
@engine_options
@click.option("--output-format", "--format", "fmt", type=click.Choice(_formats()), default="text", show_default=True,
              help="Output format (see below).")
@fail_on_option()
@select_options
@click.option("--fix", is_flag=True, help="Apply the safe fixes (verified first; one run: originals kept, see `sanlint rollback`).")
@click.option("--unsafe-fixes", is_flag=True,
              help="With --fix or --diff: also the fixes that change behaviour (alone it writes nothing).")
@click.option("--diff", is_flag=True,
              help="Show the fixes as a patch (`patch -p1`); fixes needing your choice are listed on stderr. Writes nothing.")
@click.option("--show-fixes", is_flag=True,
              help="List the fixes: with --fix what was fixed, per file and code; else each finding's fix.")
@click.option("--no-backup", is_flag=True, help="With --fix: drop the run's originals once it has completed.")
@dry_run_option
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings fail (usage errors still exit 2).")
@click.option("--statistics", is_flag=True, help="Print the number of findings per rule instead of the findings.")
@click.option("--stdin-filename", metavar="NAME",
              help="Check standard input (PATH `-`) as if it were the file NAME (its name classifies it).")
@click.option("-v", "--verbose", is_flag=True,
              help="Also say which DRBD/Pacemaker versions and which layout (clusters, hosts) were assumed and why.")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True,
              help="Colour the text output (auto: on a terminal, unless NO_COLOR is set).")
@click.option("--no-color", "no_color", is_flag=True, hidden=True, help="Same as --color never.")
@click.option("-o", "--output", type=click.Path(allow_dash=True),
              help="Write the report to this file instead of standard output (`-`).")
@click.option("--baseline", type=click.Path(), help="Report only findings not recorded in this baseline file.")
@click.option("--write-baseline", type=click.Path(), help="Record the current findings as the baseline and exit 0.")
@ssh_config_option
@inventory_options
def check(paths, hosts, config, fmt, fail_on, select, extend_select, ignore, fix, unsafe_fixes, diff, show_fixes,
          no_backup, dry_run, exit_zero, statistics, stdin_filename, verbose, color, no_color, output, baseline, write_baseline,
          ssh_config, inventory, groups):
    """Check PATHs (files, host roots, sites, ssh://[user@]host[:port][/ROOT] nodes; default /etc; `-` reads
    standard input)."""
    from sanlint.output import render
    from sanlint.runner import fails, run

    if statistics and fmt not in ("text", "json"):
        raise click.UsageError("--statistics prints text or json, not " + fmt)
    if dry_run and not fix:
        raise click.UsageError("--dry-run goes with --fix (the plan of a run that changes nothing; "
                               "--unsafe-fixes only widens --fix)")
    writing = fix and not diff  # like ruff: --unsafe-fixes only widens --fix/--diff, alone it writes nothing
    stdin = _Stdin.take(paths, hosts, stdin_filename, write=writing)
    settings = load_settings(config, select, ignore, fail_on, extend_select,
                             paths=(stdin.name,) if stdin else paths)
    progress_on_terminal(fmt, None if output == "-" else output)
    hosts = tuple(hosts) + inventory_hosts(inventory, groups)
    paths, hosts, nodes = open_nodes(paths, hosts, ssh_config, writing=writing)
    if writing and nodes.errors and not dry_run:
        click.echo(f"sanlint: fixes not applied: {len(nodes.errors)} node(s) could not be read; nothing was changed "
                   "on any node (the others are checked below)", err=True)
        writing = False

    def build(overrides=None):
        site, problems = build_site(stdin.paths if stdin else paths, hosts, settings, overrides)
        if stdin:
            stdin.rename(site, problems)
        return site, problems

    try:
        site, problems = build()
        site.notes.extend(n for f in nodes.fetched for n in f.notes)
        if fmt == "text" and not verbose:  # a layout read as something else than asked for: said, never silent
            for note in site.assumed:
                click.echo(f"sanlint: note: {note}", err=True)
        result = run(site, problems, settings)
        applied = []
        if writing or diff or (dry_run and fix):
            result, applied = _apply_fixes(build, settings, result, write=writing, unsafe=unsafe_fixes,
                                           backup=not no_backup, exit_zero=exit_zero,
                                           targets=local_targets(paths, hosts, nodes), nodes=nodes,
                                           dry_run=dry_run and writing)
    finally:
        if stdin:
            stdin.cleanup()
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
    to_terminal = output in (None, "-") and sys.stdout.isatty()
    colour = {"always": True, "never": False}.get("never" if no_color else color,
                                                  to_terminal and not os.environ.get("NO_COLOR"))
    if statistics:
        text = _statistics(result.findings, fmt)
    else:
        text = render(fmt, result, summary(result), color=colour, verbose=verbose, show_fixes=show_fixes)
    if show_fixes and applied and fmt == "text":
        text = _fixed_list(applied) + text
    emit(text, output)
    nodes_exit(nodes)
    sys.exit(1 if fails(result.findings, settings.fail_on) and not exit_zero else 0)


class _Stdin:
    """`check -`: standard input saved under its --stdin-filename in a scratch
    directory (so it is classified by that name, directories included, e.g.
    `etc/drbd.d/r0.res`), and every path shown as that name."""

    def __init__(self, name: str, real: str, scratch: str) -> None:
        self.name, self.real, self.scratch = name, real, scratch
        self.paths = (real,)

    @classmethod
    def take(cls, paths, hosts, stdin_filename: str | None, write: bool) -> "_Stdin | None":
        if "-" not in paths:
            if stdin_filename and paths:
                raise click.UsageError("--stdin-filename goes with PATH `-` (standard input) only")
            if not stdin_filename:
                return None
        if len(paths) > 1 or hosts:
            raise click.UsageError("`-` (standard input) must be the only PATH, without --host")
        if write:
            raise click.UsageError("--fix cannot write to standard input; use --diff to see the fixes")
        import tempfile

        data = sys.stdin.buffer.read()
        shown = stdin_filename or "-"
        parts = [p for p in (stdin_filename or "stdin").replace("\\", "/").split("/") if p not in ("", ".", "..")]
        scratch = tempfile.mkdtemp(prefix="sanlint-stdin-")
        real = os.path.join(scratch, *(parts or ["stdin"]))
        os.makedirs(os.path.dirname(real), exist_ok=True)
        with open(real, "wb") as fh:
            fh.write(data)
        return cls(shown, real, scratch)

    def rename(self, site, problems) -> None:
        for src in site.files:
            if src.display == self.real:
                src.display = self.name
        for p in problems:
            for attr in ("path", "message", "identity"):
                value = getattr(p, attr, None)
                if isinstance(value, str) and self.real in value:
                    setattr(p, attr, value.replace(self.real, self.name))

    def cleanup(self) -> None:
        import shutil

        shutil.rmtree(self.scratch, ignore_errors=True)


def _statistics(findings, fmt: str) -> str:
    """ruff's --statistics: one row per code, most frequent first."""
    import json

    from sanlint.output.text import MARKS

    rows: dict[str, dict] = {}
    fixes: dict[str, set] = {}
    for f in findings:
        row = rows.setdefault(f.code, {"code": f.code, "name": f.rule_name or _rule_name(f.code), "count": 0,
                                       "fixable": False})
        row["count"] += 1
        row["fixable"] = row["fixable"] or f.fixable
        if f.fix is not None:
            fixes.setdefault(f.code, set()).add(f.fix.applicability)
    ordered = sorted(rows.values(), key=lambda r: (-r["count"], r["code"]))
    if fmt == "json":
        return json.dumps(ordered, indent=2) + "\n"
    width = max([len(str(r["count"])) for r in ordered] + [1])

    def mark(code: str) -> str:  # the most applicable fix of the code's findings
        return next((MARKS[a] + " " for a in MARKS if a in fixes.get(code, ())), "    ")

    return "".join(f"{r['count']:>{width}}  {r['code']:<9} {mark(r['code'])}{r['name']}\n" for r in ordered)


def _rule_name(code: str) -> str:
    from sanlint.runner import load_rules

    rule = load_rules().get(code)
    return rule.name if rule else ""


def _fixed_list(applied) -> str:
    """ruff's --fix --show-fixes: what was fixed, per file and code."""
    from collections import Counter

    per_file: dict[str, Counter] = {}
    for f in applied:
        per_file.setdefault(f.path or "-", Counter())[(f.code, f.rule_name or _rule_name(f.code))] += 1
    n = len(applied)
    out = [f"Fixed {n} problem{'s' if n != 1 else ''}:"]
    for path in sorted(per_file):
        out.append(f"- {path}:")
        for (code, name), count in sorted(per_file[path].items()):
            out.append(f"    {count} × {code} ({name})")
    return "\n".join(out) + "\n\n"


def _apply_fixes(build, settings, result, write: bool, unsafe: bool, backup: bool, exit_zero: bool, targets: list[str],
                 nodes=None, dry_run: bool = False):
    from sanlint.fixes import choice_line, plan, unified_diff
    from sanlint.output.secrets import Scrubber
    from sanlint.runner import fails, run

    scrub = Scrubber.for_site(result.site)  # diffs quote the site's lines: secrets never leave

    def checker(overrides):
        return run(*build(overrides), settings).findings

    outcome = plan(checker, unsafe=unsafe)
    if dry_run:
        _dry_run(outcome, result.site, nodes, targets, scrub)
    if not write or dry_run:  # --diff, --dry-run
        for real, new in sorted(outcome.new_data.items(), key=lambda kv: outcome.display[kv[0]]):
            click.echo(scrub.diff(unified_diff(outcome.old_data[real], new, outcome.display[real])), nl=False)
        for f in outcome.offered:  # a placeholder is no patch: listed for the admin, never a hunk
            click.echo(scrub(choice_line(f)), err=True)
        for f, why in outcome.rejected:
            click.echo(scrub(f"# {f.code} at {f.path}:{f.line} not fixed: {why}"), err=True)
        final = run(*build(outcome.new_data), settings)
        sys.exit(1 if fails(final.findings, settings.fail_on) and not exit_zero else 0)
    if outcome.new_data:
        from sanlint.apply import ApplyError
        from sanlint.apply.remote import carry_out, progress_printer, refresh_copies

        changes, run_plan = _run_plan(outcome, result.site, nodes, targets)
        try:
            done = carry_out(run_plan, keep_backups=backup, command=sys.argv, drbd=result.site.drbd_version,
                             progress=progress_printer())
        except ApplyError as e:
            click.echo(scrub(f"sanlint: could not write fixes: {e}"), err=True)
            sys.exit(2)
        refresh_copies(run_plan, changes, nodes)
        for note in done.notes:
            click.echo(scrub(f"sanlint: {note}"), err=True)
        _report_run(done, backup)
    for f in outcome.applied:
        click.echo(scrub(f"fixed {f.path}:{f.line}: {f.code} {f.fix.description}"), err=True)
    for f, why in outcome.rejected:
        click.echo(scrub(f"not fixed {f.path}:{f.line}: {f.code}: {why}"), err=True)
    for f in outcome.offered:
        click.echo(scrub(choice_line(f)), err=True)
    return run(*build(), settings), list(outcome.applied)


def _run_plan(outcome, site, nodes, targets):
    """The changes of a fix outcome, sorted by place (this machine, each node)."""
    from sanlint.apply import Change, state_dir_for
    from sanlint.apply.remote import make_plan

    changes = [Change(real, outcome.old_data[real], new, outcome.display[real])
               for real, new in sorted(outcome.new_data.items())]
    formats = {os.path.realpath(f.path): f.format for f in site.files if f.path is not None and f.format}
    return changes, make_plan(changes, nodes, state_dir_for(targets), formats)


def _dry_run(outcome, site, nodes, targets, scrub) -> None:
    """--fix --dry-run: the plan per place, the node-side checks, nothing changed."""
    from sanlint.apply.remote import check_all

    _, run_plan = _run_plan(outcome, site, nodes, targets)
    click.echo("# plan (--dry-run: nothing is changed)", err=True)
    for line in run_plan.describe().splitlines():
        click.echo(scrub(f"#   {line}"), err=True)
    for why in run_plan.refused:
        click.echo(scrub(f"# refused: {why}"), err=True)
    if run_plan.remote:
        from sanlint.apply.remote import progress_printer

        problems, notes = check_all(run_plan, site.drbd_version, progress_printer())
        for n in notes:
            click.echo(scrub(f"# checked {n}"), err=True)
        for p in problems:
            click.echo(scrub(f"# would be refused: {p}"), err=True)


def _report_run(done, kept: bool) -> None:
    if not done.run_id or not kept:
        return
    if len(done.places) == 1 and done.places[0][0].label == "this machine":
        click.echo(f"sanlint: run {done.run_id}: originals kept in {done.places[0][1]['run_dir']} "
                   f"(`sanlint rollback {done.run_id} PATH...` restores them)", err=True)
        return
    for place, answer in done.places:
        if answer.get("kept", True):
            where = answer.get("run_dir") or place.where
            click.echo(f"sanlint: run {done.run_id}: originals kept in {where}" + (
                f" on {place.label}" if place.label != "this machine" else ""), err=True)
    click.echo(f"sanlint: `sanlint rollback {done.run_id} TARGET...` restores them", err=True)
