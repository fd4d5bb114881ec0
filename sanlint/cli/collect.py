"""`sanlint collect TARGET... --output DIR`: save ssh:// nodes as a site directory."""

from __future__ import annotations

import sys

import click

from sanlint.cli.options import ssh_config_option

RECORD = "sanlint-collect.json"


@click.command()
@click.argument("targets", nargs=-1, metavar="ssh://[user@]host[:port][/ROOT]...")
@click.option("--host", "hosts", multiple=True, metavar="NAME=ssh://...", help="A node under a name of your choice.")
@click.option("-o", "--output", required=True, type=click.Path(), metavar="DIR",
              help="The site directory to create (must not exist, or be empty).")
@ssh_config_option
def collect(targets, hosts, output, ssh_config):
    """Save the nodes' configuration as a site directory that `sanlint check DIR` reads.

    One host root per node (DIR/NAME/etc/..., named by --host, the node's
    /etc/hostname, or ROOT's last component) and DIR/sanlint-collect.json
    recording where and when each node was read.  A node that cannot be read
    is recorded and named, the others are saved, and the exit status is 2."""
    import datetime
    import json
    import os
    import shutil

    from sanlint import __version__
    from sanlint.apply.local import building
    from sanlint.remote.ssh import RemoteError, Session, fetch_all, is_url, parse_target

    if not targets and not hosts:
        raise click.UsageError("give at least one ssh:// target")
    try:
        tlist = []
        for t in targets:
            if not is_url(t):
                raise click.UsageError(f"{t}: collect reads ssh://[user@]host[:port][/ROOT] targets only")
            tlist.append(parse_target(t))
        for h in hosts:
            name, sep, value = h.partition("=")
            if not sep or not name or not is_url(value) or "/" in name or name.startswith("."):
                raise click.UsageError(f"{h!r}: expected NAME=ssh://...")
            tlist.append(parse_target(value, name))
    except RemoteError as e:
        raise click.UsageError(str(e)) from None
    dest = os.path.abspath(output)
    if os.path.lexists(dest) and (not os.path.isdir(dest) or os.listdir(dest)):
        click.echo(f"sanlint: {output}: exists and is not an empty directory", err=True)
        sys.exit(2)
    session = Session(ssh_config)
    try:
        with building(dest, ".sanlint-collect-") as work:
            when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            fetched, errors = fetch_all(session, tlist, os.path.join(work, ".nodes"), progress=sys.stderr.isatty())
            record = {"collected": when, "sanlint": __version__, "nodes": {}, "unreadable": errors}
            for f in fetched:
                if f.name in record["nodes"] or f.name.startswith("."):
                    errors.append(f"{f.label}: a second node named {f.name!r}: name them with "
                                  "--host NAME=ssh://...")
                    continue
                os.rename(f.local, os.path.join(work, f.name))
                record["nodes"][f.name] = {"url": f.target.url, "root": f.target.root, "notes": f.notes}
            shutil.rmtree(os.path.join(work, ".nodes"), ignore_errors=True)
            with open(os.path.join(work, RECORD), "w", encoding="utf-8") as fh:
                json.dump(record, fh, indent=1, sort_keys=True)
                fh.write("\n")
    except OSError as e:
        click.echo(f"sanlint: cannot create {output}: {e.strerror or e}", err=True)
        sys.exit(2)
    finally:
        session.close()
    for name, info in sorted(record["nodes"].items()):
        click.echo(f"collected {info['url']} -> {os.path.join(output, name)}")
    for e in errors:
        click.echo(f"sanlint: {e}", err=True)
    sys.exit(2 if errors else 0)
