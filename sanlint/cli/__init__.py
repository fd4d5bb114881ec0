"""The `sanlint` command line (spec/cli.md), one module per command.

`main` is the click group; `entry` the console script.  Each command lives
in its own module of this package and is listed in `COMMANDS`; the options
several commands share are declared once in `sanlint.cli.options`.  Command
modules import only click at module level (the engine inside the command),
so `sanlint check` in a pre-commit hook pays only for what it uses.  The
engine never imports this package.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys

import click

from sanlint import __version__

# command name -> module of this package that defines it (a click command of that name)
COMMANDS = {
    "check": "check",
    "parse": "parse",
    "rules": "rules",
    "explain": "rules",
    "migrate": "migrate",
    "convert": "convert",
    "report": "report",
    "rollback": "rollback",
    "collect": "collect",
}


class _Group(click.Group):
    """Loads a command's module when the command is used (or listed)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        module = COMMANDS.get(name)
        if module is None:
            return None
        return getattr(importlib.import_module(f"{__name__}.{module}"), name.replace("-", "_"))


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
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


if __name__ == "__main__":  # pragma: no cover
    main()
