"""`sanlint rollback`: undo (or finish) a run of `check --fix` / `migrate --write` (sanlint.apply)."""

from __future__ import annotations

import sys

import click


@click.command()
@click.argument("args", nargs=-1, metavar="RUN-ID|--last PATH...")
@click.option("--last", is_flag=True, help="The last run on these PATHs that is not rolled back yet.")
@click.option("--complete", is_flag=True, help="Finish an interrupted run instead of undoing it.")
@click.option("--list", "list_", is_flag=True, help="List the runs recorded for these PATHs.")
def rollback(args, last, complete, list_):
    """Restore the originals of a run byte for byte (owner, mode, attributes, mtime).

    PATH... are the PATHs the run was given (they name the site and so where
    its runs are recorded: ROOT/var/lib/sanlint for a host root, SITE/.sanlint
    otherwise)."""
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
    if any(a.startswith("ssh://") for a in args):
        click.echo("sanlint: ssh:// nodes are never changed by sanlint (check --fix and migrate --write refuse "
                   "them), so there is nothing to roll back there", err=True)
        sys.exit(2)
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
