"""`sanlint rollback`: undo (or finish) a run of `check --fix` / `migrate --write` (sanlint.apply)."""

from __future__ import annotations

import sys

import click

from sanlint.cli.options import ssh_config_option


@click.command()
@click.argument("args", nargs=-1, metavar="RUN-ID|--last PATH...")
@click.option("--last", is_flag=True, help="The last run on these PATHs that is not rolled back yet.")
@click.option("--complete", is_flag=True, help="Finish an interrupted run instead of undoing it.")
@click.option("--list", "list_", is_flag=True, help="List the runs recorded for these PATHs.")
@ssh_config_option
def rollback(args, last, complete, list_, ssh_config):
    """Restore the originals of a run byte for byte (owner, mode, attributes, mtime).

    PATH... are the PATHs the run was given (they name the site and so where
    its runs are recorded: ROOT/var/lib/sanlint for a host root, SITE/.sanlint
    otherwise), ssh://[user@]host[:port][/ROOT] nodes included: a run over
    several nodes has one RUN-ID, undone on every node that has it."""
    from sanlint.apply import ApplyError, list_runs, state_dir_for
    from sanlint.apply import complete as complete_run
    from sanlint.apply import rollback as rollback_run

    args = list(args)
    run_id = None
    if not (last or list_):
        if not args:
            raise click.UsageError("give a RUN-ID (or --last) and the PATHs of the run")
        run_id = args.pop(0)
    if not args:
        raise click.UsageError("give the PATHs the run was given (they say where its runs are recorded)")
    if any(a.partition("=")[2].startswith("ssh://") or a.startswith("ssh://") for a in args):
        _over_ssh(args, run_id, complete, list_, ssh_config)
        return
    state = state_dir_for(args)
    if list_:
        runs = list_runs(state)
        if not runs:
            click.echo(f"sanlint: no run recorded in {state}", err=True)
            sys.exit(2)
        for d in runs:
            click.echo(f"{d['run']}  {d.get('kind', 'fix'):<7} {d.get('state'):<11} {len(d['files'])} file(s)  "
                       f"{' '.join(d.get('command', [])[1:])}")
        return
    try:
        res = complete_run(state, run_id) if complete else rollback_run(state, run_id)
    except ApplyError as e:
        click.echo(f"sanlint: {e}", err=True)
        sys.exit(2)
    verb = "completed" if complete else "rolled back"
    for note in res.notes:
        click.echo(f"sanlint: {note}", err=True)
    for d in res.changed:
        click.echo(f"{'wrote' if complete else 'restored'} {d}")
    click.echo(f"sanlint: run {res.run_id} {verb} ({len(res.changed)} file(s))", err=True)


def _over_ssh(args: list[str], run_id: str | None, complete: bool, list_: bool, ssh_config: str | None) -> None:
    """Roll back (complete, list) a run on ssh:// nodes and local PATHs together."""
    from sanlint.apply import ApplyError, state_dir_for
    from sanlint.apply.remote import LocalPlace, NodePlace, roll_back
    from sanlint.remote.ssh import RemoteError, Session, is_url, parse_target

    targets, local_args = [], []
    try:
        for a in args:  # ssh://... or NAME=ssh://... (as given to --host)
            name, sep, url = a.partition("=")
            if is_url(a) or (sep and is_url(url)):
                targets.append(parse_target(a) if is_url(a) else parse_target(url, name))
            else:
                local_args.append(a)
    except RemoteError as e:
        click.echo(f"sanlint: {e}", err=True)
        sys.exit(2)
    session = Session(ssh_config)
    try:
        places = [NodePlace(session, t) for t in targets]
        if local_args:
            places.insert(0, LocalPlace(state_dir_for(local_args)))
        if list_:
            for p in places:
                for d in p.runs():
                    click.echo(f"{p.label}: {d['run']}  {d.get('kind', 'fix'):<7} {d.get('state'):<11} "
                               f"{len(d['files'])} file(s)")
            return
        try:
            answers, rid = roll_back(places, run_id, complete)
        except ApplyError as e:
            click.echo(f"sanlint: {e}", err=True)
            sys.exit(2)
    except RemoteError as e:
        click.echo(f"sanlint: {e}; nothing was restored there", err=True)
        sys.exit(2)
    finally:
        session.close()
    failed = False
    verb = "completed" if complete else "rolled back"
    for place, a in answers:
        for note in a.get("notes") or []:
            click.echo(f"sanlint: {place.label}: {note}", err=True)
        for d in a.get("changed") or []:
            click.echo(f"{'wrote' if complete else 'restored'} {d}")
        if not a.get("ok"):
            failed = True
            click.echo(f"sanlint: {place.label}: {a.get('error')}", err=True)
        else:
            click.echo(f"sanlint: {place.label}: run {rid} {verb} ({len(a.get('changed') or [])} file(s))", err=True)
    if failed:
        sys.exit(2)
