"""`sanlint convert NAME FILE`: translate one file with a converter
(crm2cib, cib2crm, or one a plugin registers in `sanlint.converters`).

Bad input is an answer, never a traceback: a file that does not parse in
the converter's source format, an empty or binary file, or an output that
cannot be written is reported as `FILE:LINE:COLUMN: message` with exit
status 2, and nothing is written.
"""

from __future__ import annotations

import sys

import click

from sanlint.cli.options import emit

EXIT_HELP = """\b
Exit status: 0 = translated; 1 = translated, with warnings about what the
target syntax cannot hold; 2 = usage error, or FILE cannot be read or does
not parse as the converter's source format (nothing written)."""


@click.command(context_settings={"help_option_names": ["-h", "--help"]}, epilog=EXIT_HELP)
@click.argument("name")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True),
              help="Write the translation here (atomically) instead of standard output (`-`).")
def convert(name, file, output):
    """Translate one FILE with converter NAME: crm2cib (crmsh syntax to CIB
    XML, with the ids crmsh generates) or cib2crm (back); FILE `-` reads
    standard input."""
    from pathlib import Path

    from sanlint.discovery import MAX_FILE_BYTES
    from sanlint.migrate.base import converters
    from sanlint.site import InputError, read_bounded
    from sanlint.source import NumberTooLarge, ParseError, SourceFile

    conv = converters()
    if name not in conv:
        click.echo(f"sanlint: unknown converter {name!r}; available: {', '.join(conv) or 'none'}", err=True)
        sys.exit(2)
    c = conv[name]()
    try:
        if file == "-":
            data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
            if len(data) > MAX_FILE_BYTES:
                raise InputError(f"more than {MAX_FILE_BYTES} bytes on standard input")
            src = SourceFile(display="-", data=data, format=c.source_format)
        else:
            path = Path(file)
            data = read_bounded(path)  # a regular file within the size bound: a fifo or /dev/zero is refused
            src = SourceFile(display=file, data=data, path=path.resolve(), format=c.source_format)
    except OSError as e:
        click.echo(f"sanlint: {file}: {e.strerror or e}", err=True)
        sys.exit(2)
    except InputError as e:
        click.echo(f"sanlint: {file}: {e}", err=True)
        sys.exit(2)
    problem = _unreadable(data)
    if problem:
        click.echo(f"{file}:1:1: {problem}, not {_FORMAT_NAMES.get(c.source_format, c.source_format)} "
                   "(nothing converted)", err=True)
        sys.exit(2)
    try:
        text, items = c.convert(src)
    except ParseError as e:
        click.echo(f"{file}:{e.line}:{e.column}: {e.describe()} (not valid "
                   f"{_FORMAT_NAMES.get(c.source_format, c.source_format)}; nothing converted)", err=True)
        sys.exit(2)
    except (NumberTooLarge, RecursionError) as e:
        at = src.line_col(max(src.text.find(e.literal), 0)) if isinstance(e, NumberTooLarge) else (1, 1)
        click.echo(f"{file}:{at[0]}:{at[1]}: {e if isinstance(e, NumberTooLarge) else 'nested too deeply'} "
                   "(nothing converted)", err=True)
        sys.exit(2)
    for i in sorted(items, key=lambda i: i.sort_key):
        click.echo(f"{i.location}: {i.severity}: {i.message}", err=True)
    emit(text, output)
    from sanlint.runner import fails

    sys.exit(1 if fails(items, "warning") else 0)


_FORMAT_NAMES = {"crm": "crm configure syntax", "cib": "CIB XML"}


def _unreadable(data: bytes) -> str | None:
    if not data.strip():
        return "the file is empty"
    if b"\0" in data[:8192]:
        return "binary data (a NUL byte)"
    return None
