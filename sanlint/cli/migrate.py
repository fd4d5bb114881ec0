"""`sanlint migrate NAME PATH...`: run a migrator (spec/migrations.md)."""

from __future__ import annotations

import copy
import json
import shutil
import tempfile
import os
import sys

import click

from sanlint.cli.options import (build_site, dry_run_option, fail_on_option, host_pairs, load_settings, local_targets,
                                 nodes_exit, one_cluster, open_nodes, site_options, ssh_config_option)


def _choices(values: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for v in values:
        k, sep, val = v.partition("=")
        if not sep or not k:
            raise click.BadParameter(f"{v!r}: expected NAME=VALUE", param_hint="--set")
        out[k] = val
    return out


def _list_migrators() -> str:
    import textwrap

    from sanlint.migrate.base import option_name, registry

    lines = []
    for name, cls in registry().items():
        lines += textwrap.wrap(f"{name:<14} {cls.description}", 79, subsequent_indent=" " * 15,
                               break_on_hyphens=False)
        for opt, (default, allowed, help_) in cls.options.items():
            text = f"--set {option_name(opt)}={'|'.join(allowed) or 'VALUE'} (default {default or 'none'}): {help_}"
            lines += textwrap.wrap(text, 79, initial_indent=" " * 17, subsequent_indent=" " * 19,
                                   break_on_hyphens=False)
    return "\n".join(lines) + "\n"


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("name", required=False)
@site_options
@click.option("--diff", "mode", flag_value="diff", default=True, help="Show the migration as a unified diff; write nothing (default).")
@click.option("--write", "mode", flag_value="write", help="Edit the files in place (one run: atomic, originals kept, see `sanlint rollback`).")
@click.option("--output", "output", type=click.Path(), metavar="DIR",
              help="Write the whole input, changed or not, under DIR in the same layout (DIR must not exist or be empty).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--set", "choices", multiple=True, metavar="NAME=VALUE", help="A migrator's choice (see --list).")
@fail_on_option("warning", help="Lowest item severity that makes the exit status 1.")
@click.option("--no-backup", is_flag=True, help="With --write: drop the run's originals once it has completed.")
@click.option("--list", "list_", is_flag=True, help="List the migrators and their choices.")
@click.option("--run-steps", is_flag=True,
              help="Run the runbook's commands on the ssh:// nodes, one node at a time, stopping at the first "
                   "failed check and before each step done by hand or by --write.")
@click.option("--from", "from_step", type=click.IntRange(min=1), default=1, metavar="N",
              help="With --run-steps: start at step N of the runbook (resume after a pause).")
@dry_run_option
@ssh_config_option
def migrate(name, paths, mode, output, hosts, config, fmt, choices, fail_on, no_backup, list_, ssh_config,
            run_steps, from_step, dry_run):
    """Migrate PATHs (files, host roots, sites) with migrator NAME.

    Prints every change with its reason, the items the admin must handle
    (path:line:col), the host-side steps, the findings left on the result
    by the rules the migration is about, and (--diff) the unified diff.

    Exit status: 0 = migrated (or nothing to do) with no item at or above
    --fail-on; 1 = items or remaining findings at or above --fail-on;
    2 = usage error, unreadable input, or the migration was refused
    (it would leave a file that does not parse): nothing written.
    """
    from sanlint.migrate import engine
    from sanlint.migrate.base import registry

    if list_:
        click.echo(_list_migrators(), nl=False)
        sys.exit(0)
    if not name:
        click.echo("sanlint: migrate needs a migrator NAME (sanlint migrate NAME PATH...); the migrators:\n"
                   + _list_migrators(), err=True, nl=False)
        sys.exit(2)
    if mode == "write" and output:
        raise click.UsageError("--write edits in place and --output DIR writes a copy: give one of them")
    migrators = registry()
    if name not in migrators:
        click.echo(f"sanlint: unknown migrator {name!r}; available: {', '.join(migrators) or 'none'}", err=True)
        sys.exit(2)
    if output:
        mode = "output"
    if run_steps and mode != "diff":
        raise click.UsageError("--run-steps writes no file: install the migrated files with --write (or from "
                               "--output) at the runbook's file-change steps, and run the steps without them")
    if dry_run and mode != "write":
        raise click.UsageError("--dry-run goes with --write (the plan of a write that changes nothing)")
    if from_step != 1 and not run_steps:
        raise click.UsageError("--from N needs --run-steps")
    if not paths and not hosts:
        click.echo("sanlint: migrate needs a PATH (or --host NAME=PATH)", err=True)
        sys.exit(2)
    paths, hosts, nodes = open_nodes(paths, hosts, ssh_config, writing=mode == "write")
    if mode == "write" and nodes.errors:
        click.echo(f"sanlint: not written: {len(nodes.errors)} node(s) could not be read; nothing was changed on any "
                   "node", err=True)
        nodes_exit(nodes)
    try:
        migrator = migrators[name](_choices(choices))
    except ValueError as e:
        raise click.UsageError(str(e)) from None
    settings = load_settings(config, paths=paths)
    host_list = host_pairs(hosts)
    site, problems = build_site(paths, hosts, settings)
    one_cluster(site, "migrate")
    plan = migrator.plan(site)
    plan.items.extend(engine.input_problems(migrator, problems))
    plan.items.sort(key=lambda i: i.sort_key)
    site_root = paths[0] if len(paths) == 1 and os.path.isdir(paths[0]) and not hosts else None
    out = engine.realise(plan, site, site_root)
    from sanlint.migrate import runbook as runbooks

    out.runbook = runbooks.build(migrator, site, plan, out) if (out.new or out.created or run_steps) else None
    report = {"mode": mode, "written": [], "warnings": [], "remaining": None, "refused": list(out.refused),
              "run": None}
    if run_steps and not out.refused:
        from sanlint.migrate import steps as step_runner

        local = step_runner.local_nodes(site, nodes)
        if local or nodes is None or not nodes.fetched:
            click.echo("sanlint: --run-steps: steps run on live nodes only (give the nodes as ssh://...); "
                       + (f"not live: {', '.join(local)}" if local else "no ssh:// node given"), err=True)
            sys.exit(2)
        if not out.runbook.steps:
            click.echo(f"sanlint: --run-steps: the {migrator.name} runbook has no step for these nodes", err=True)
            sys.exit(2)
        if from_step > len(out.runbook.steps):
            click.echo(f"sanlint: --from {from_step}: the runbook has {len(out.runbook.steps)} steps", err=True)
            sys.exit(2)
    if out.refused:
        _print(fmt, migrator, out, report)
        sys.exit(2)
    from sanlint.apply import ApplyError

    check_args = (paths, hosts, out.new)
    scratch = None
    try:
        if mode == "diff" and out.created:
            # new files exist nowhere yet: check a scratch copy of the migrated input
            scratch = tempfile.mkdtemp(prefix="sanlint-migrate-check-")
            roots = engine.output_roots(list(paths), host_list)
            engine.write_output_dir(out, os.path.join(scratch, "out"), roots)
            check_args = _output_args(os.path.join(scratch, "out"), roots, list(paths))
        if mode == "write" and dry_run and (out.new or out.created):
            _dry_run(out, site, nodes, local_targets(paths, hosts, nodes), migrator, report)
            mode = report["mode"] = "diff"
        elif mode == "write" and nodes.fetched and (out.new or out.created):
            report["written"] = sorted(out.display[r] for r in list(out.new) + list(out.created))
            _write_on_nodes(out, site, nodes, local_targets(paths, hosts, nodes), migrator, not no_backup, report)
            check_args = (paths, hosts, None)
        elif mode == "write" and (out.new or out.created):
            report["written"] = sorted(out.display[r] for r in list(out.new) + list(out.created))
            done = engine.write_in_place(out, backup=not no_backup,
                                         paths=list(paths) + [p for _, p in host_list])
            if done.kept:
                report["warnings"].append(f"run {done.run_id}: originals kept in {done.run_dir} "
                                          f"(`sanlint rollback {done.run_id} PATH...` restores them)")
            report["warnings"].extend(done.notes)
            check_args = (paths, hosts, None)
        elif mode == "output":
            roots = engine.output_roots(list(paths), host_list)
            report["warnings"] = engine.write_output_dir(out, output, roots)
            report["written"] = [output]
            check_args = _output_args(output, roots, list(paths))
    except engine.MigrationRefused as e:
        report["refused"].append(str(e))
        _print(fmt, migrator, out, report)
        sys.exit(2)
    except ApplyError as e:  # says itself what was and was not changed
        if e.changed:
            report["warnings"].append(f"could not write the migration: {e}")
        else:
            report["refused"].append(f"could not write: {e}")
        _print(fmt, migrator, out, report)
        sys.exit(2)
    except Exception as e:  # WriteError, OSError
        report["refused"].append(f"could not write: {e}")
        _print(fmt, migrator, out, report)
        sys.exit(2)
    report["remaining"] = _post_check(migrator, settings, *check_args)
    if scratch is not None:
        prefix = os.path.join(scratch, "out")
        for f in report["remaining"]:
            if f.path and f.path.startswith(prefix):  # show the finding where the admin's file is
                f.path = (paths[0] if len(paths) == 1 else "") + f.path[len(prefix):]
        shutil.rmtree(scratch, ignore_errors=True)
    if run_steps:
        from sanlint.migrate import steps as step_runner
        from sanlint.migrate.runbook import execute

        report["run"] = execute(out.runbook, step_runner.ssh_runner(nodes), from_step)
    _print(fmt, migrator, out, report)
    from sanlint.runner import fails

    nodes_exit(nodes)
    if report["run"] is not None:
        sys.exit(1 if report["run"].failed else 0)
    sys.exit(1 if fails(list(plan.items) + list(report["remaining"] or []), fail_on) else 0)


def _node_plan(out, site, nodes, targets):
    from sanlint.apply import Change, state_dir_for
    from sanlint.apply.remote import make_plan

    changes = [Change(real, out.old[real], data, out.display.get(real, real)) for real, data in sorted(out.new.items())]
    changes += [Change(dest, None, data, out.display.get(dest, dest)) for dest, data in sorted(out.created.items())]
    formats = {os.path.realpath(f.path): f.format for f in site.files if f.path is not None and f.format}
    return changes, make_plan(changes, nodes, state_dir_for(targets), formats)


def _target_drbd(migrator, site) -> str | None:
    """The DRBD generation the migrated files are for (validated with its drbdadm)."""
    return migrator.settings.get("drbd-version") or site.drbd_version


def _dry_run(out, site, nodes, targets, migrator, report) -> None:
    """--write --dry-run: the plan per place and the node-side checks; nothing changed."""
    from sanlint.apply.remote import check_all, progress_printer

    _, plan = _node_plan(out, site, nodes, targets)
    report["warnings"].append("plan (--dry-run: nothing is changed):\n" + plan.describe().rstrip())
    report["refused"].extend(plan.refused)
    if plan.remote:
        problems, notes = check_all(plan, _target_drbd(migrator, site), progress_printer())
        report["warnings"] += [f"checked {n}" for n in notes] + [f"would be refused: {p}" for p in problems]


def _write_on_nodes(out, site, nodes, targets, migrator, backup: bool, report) -> None:
    """--write with ssh:// nodes: one run over every place (sanlint.apply.remote)."""
    from sanlint.apply.remote import carry_out, progress_printer, refresh_copies

    changes, plan = _node_plan(out, site, nodes, targets)
    done = carry_out(plan, keep_backups=backup, command=sys.argv, kind="migrate", drbd=_target_drbd(migrator, site),
                     progress=progress_printer())
    refresh_copies(plan, changes, nodes)
    report["warnings"].extend(done.notes)
    if backup and done.run_id:
        where = "; ".join(f"{p.label}: {a.get('run_dir') or p.where}" for p, a in done.places)
        report["warnings"].append(f"run {done.run_id}: originals kept ({where}); `sanlint rollback {done.run_id} "
                                  "TARGET...` restores them")


def _output_args(output: str, roots, paths: list[str]):
    out_paths, out_hosts = [], []
    for r in roots:
        dest = os.path.join(output, r.dest) if r.dest else output
        if r.source in paths:
            out_paths.append(dest)
        else:  # a --host NAME=PATH root
            out_hosts.append(f"{r.dest.split('/')[0]}={dest}")
    return tuple(out_paths), tuple(out_hosts), None


def _post_check(migrator, settings, paths, hosts, overrides):
    """The rules the migration is about, on the migrated result."""
    if not migrator.rules:
        return []
    from sanlint.runner import run

    s = copy.deepcopy(settings)
    for k, v in migrator.settings.items():
        setattr(s, k.replace("-", "_"), v)
    site, problems = build_site(paths, hosts, s, overrides)
    try:
        return run(site, problems, s, only=set(migrator.rules)).findings
    except Exception as e:  # noqa: BLE001 - the rule packs are optional here
        click.echo(f"sanlint: could not check the result: {type(e).__name__}: {e}", err=True)
        return []


def _print(fmt: str, migrator, out, report) -> None:
    from sanlint.output.secrets import Scrubber, site_secrets, written_values

    plan = out.plan
    found = set(getattr(plan, "secrets", ()) or ())
    if out.site is not None:
        found |= site_secrets(out.site)
        for f in out.site.files:
            found |= written_values(f.text)
    scrub = Scrubber(found)
    # every line is redacted in the forms secrets are written in, then the site's values
    _print_raw(fmt, migrator, out, report, lambda text, **kw: click.echo(scrub.diff(text), **kw))


def _print_raw(fmt: str, migrator, out, report, echo) -> None:
    plan = out.plan
    if fmt == "json":
        from sanlint import __version__

        doc = {
            "sanlint": __version__, "migrator": migrator.name, "mode": report["mode"],
            "changes": [{"reason": c.reason, "path": c.span.path if c.span else None,
                         "line": c.span.line if c.span else None, "column": c.span.column if c.span else None,
                         "edits": len(c.edits), "new_files": [n.path for n in c.new_files]} for c in plan.changes],
            "items": [i.to_json() for i in plan.items],
            "runbook": out.runbook.to_json() if out.runbook is not None else None,
            "files": [{"path": out.display[r], "diff": _diff1(out, r)} for r in sorted(out.new, key=out.display.get)],
            "created": sorted(out.display[d] for d in out.created),
            "remaining": [{"code": f.code, "severity": f.severity, "message": f.message, "path": f.path,
                           "line": f.line, "column": f.column, "host": f.host} for f in report["remaining"] or []],
            "written": report["written"], "warnings": report["warnings"], "refused": report["refused"],
            "run": _run_json(report.get("run")),
        }
        echo(json.dumps(doc, indent=2, ensure_ascii=False))
        return
    w = []
    nfiles = len(out.new) + len(out.created)
    w.append(f"sanlint migrate {migrator.name}: {len(plan.changes)} change(s) in {nfiles} file(s), "
             f"{len(plan.items)} item(s) for the admin\n")
    if plan.changes:
        w.append("\nChanges:\n")
        for c in plan.changes:
            w.append(f"  {c.location}: {c.reason}\n")
            for n in c.new_files:
                w.append(f"    new file {n.path}" + (f" on {n.host}" if n.host else "") + "\n")
    else:
        w.append("\nNothing to change: already migrated.\n")
    if plan.items:
        w.append("\nItems for the admin:\n")
        for i in plan.items:
            w.append(f"{i.location}: {i.severity}: {i.message}\n")
            if i.choice:
                w.append(f"    choice: {i.choice}\n")
    rb = getattr(out, "runbook", None)
    if rb is not None and rb.steps and not report["refused"]:
        from sanlint.migrate.runbook import render_text

        w.append("\n" + render_text(rb))
    if plan.steps and (plan.changes or plan.items):
        w.append("\nOperator steps (on the hosts):\n")
        for n, s in enumerate(plan.steps, 1):
            w.append(f"  {n}. {s.title}" + (f" [{', '.join(s.hosts)}]" if s.hosts else "") + "\n")
            for cmd in s.commands:
                w.append(f"       $ {cmd}\n")
            for cav in s.caveats:
                w.append(f"       ! {cav}\n")
    if report["remaining"] is not None and migrator.rules:
        w.append(f"\nFindings of {', '.join(migrator.rules)} left on the result: ")
        rem = report["remaining"]
        w.append("none\n" if not rem else "\n")
        for f in rem:
            w.append(f"{f.path}:{f.line}:{f.column}: {f.code} [{f.severity}] {f.message}\n")
    if report.get("run") is not None:
        w.append(_run_text(report["run"]))
    for r in report["refused"]:
        w.append(f"\nsanlint: migration refused, nothing written: {r}\n")
    for warn in report["warnings"]:
        w.append(f"sanlint: {warn}\n")
    if not report["refused"]:
        if report["mode"] == "diff":
            d = out.diff()
            if d:
                w.append("\n" + d)
            w.append("\n(--diff: nothing written; --write edits in place, --output DIR writes a migrated copy)\n"
                     if d else "")
        elif report["written"]:
            what = ", ".join(report["written"])
            w.append(f"\nwritten: {what}\n")
    echo("".join(w), nl=False)


def _run_json(ex) -> dict | None:
    if ex is None:
        return None
    return {"ran": [{"step": r.step.number, "node": r.step.node, "argv": r.argv, "exit_status": r.returncode,
                     "output": r.output} for r in ex.ran],
            "done": [s.number for s in ex.done], "stopped_at": ex.stopped.number if ex.stopped else None,
            "failed": ex.failed, "message": ex.message,
            "rollback": [{"step": s.number, "node": s.node, "argv": a} for s in reversed(ex.done)
                         for a, _ in s.rollback_commands()] if ex.failed else []}


def _run_text(ex) -> str:
    from sanlint.migrate.runbook import shell_words

    w = ["\nRunning the steps (--run-steps):\n"]
    for r in ex.ran:
        w.append(f"  {r.step.number:>3}. {r.step.node}: $ {shell_words(r.argv)}  -> "
                 f"{'ok' if r.returncode == 0 else f'exit status {r.returncode}'}\n")
        if r.returncode != 0 and r.output.strip():
            w.extend(f"         | {line}\n" for line in r.output.strip().splitlines()[-10:])
    w.append(f"sanlint: {ex.message}\n")
    if ex.failed and ex.done:
        w.append("To undo the steps done so far, in this order:\n")
        for s in reversed(ex.done):
            cmds = s.rollback_commands()
            for a, _ in cmds:
                w.append(f"  step {s.number} on {s.node}: $ {shell_words(a)}\n")
            if not cmds:
                w.append(f"  step {s.number} on {s.node}: {s.rollback_note}\n")
    return "".join(w)


def _diff1(out, real: str) -> str:
    return out.file_diff(real)
