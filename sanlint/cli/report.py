"""`sanlint report SITE... -o report.html|report.md`: the audit report.

Builds the site and runs the rules exactly as `sanlint check` does (same
inputs, configuration and select/ignore options), then writes one
self-contained HTML file (inline CSS and SVG, nothing fetched) or, for a
`.md` output, the same report as Markdown.  Exit status: 0 when the report
was written (whatever it found), 2 on a usage error or unreadable input.

Only click is imported at module level (the engine inside the command).
"""

from __future__ import annotations

import os
import sys

import click

from sanlint.cli.options import build_site, load_settings, select_options, site_options, summary

FORMATS = {".html": "html", ".htm": "html", ".md": "markdown", ".markdown": "markdown"}


@click.command()
@site_options
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="Report file: .html (self-contained) or .md (Markdown).")
@click.option("--format", "fmt", type=click.Choice(["html", "markdown"]),
              help="Override the format the output's extension implies.")
@select_options
@click.option("--title", default="sanlint audit report", show_default=True, help="Report title.")
def report(paths, hosts, config, output, fmt, select, ignore, title):
    """Write an audit report of PATHs (default /etc): topology, findings by
    severity and pack, a table per host, rule documentation; secrets redacted."""
    from sanlint.runner import run

    if fmt is None:
        fmt = FORMATS.get(os.path.splitext(output)[1].lower())
        if fmt is None:
            raise click.UsageError(f"{output}: cannot tell the format from the extension; "
                                   "use .html or .md, or give --format")
    settings = load_settings(config, select, ignore)
    site, problems = build_site(paths, hosts, settings)
    result = run(site, problems, settings)
    text = render(result, summary(result), fmt, title=title)

    from sanlint.fixes import WriteError, write_atomically

    try:
        write_atomically({os.path.abspath(output): text.encode()}, backup=False)
    except WriteError as e:
        click.echo(f"sanlint: could not write {output}: {e}", err=True)
        sys.exit(2)
    n = len(result.findings)
    click.echo(f"sanlint: wrote {output} ({n} finding{'s' if n != 1 else ''})", err=True)


def render(result, summary: dict, fmt: str = "html", title: str = "sanlint audit report") -> str:
    from sanlint.report import ReportData

    data = ReportData.collect(result, summary)
    if fmt == "markdown":
        from sanlint.report.markdown import render as md

        return md(data, title=title)
    from sanlint.report.html import render as html

    return html(data, title=title)
