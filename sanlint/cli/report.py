"""`sanlint report SITE... -o audit.html|audit.md|audit.pdf`: the audit report.

Builds the site and runs the rules exactly as `sanlint check` does (same
inputs, configuration and select/ignore options), then writes one
self-contained HTML file, a Markdown document sized for a pull-request
comment, or a PDF (the HTML printed by headless Chromium), and always the
JSON sidecar beside it (`audit.json`).  `--compare PREVIOUS` (a previous
sidecar or a baseline) adds what is new and what was resolved; `--baseline`
hides recorded findings and lists them in the waiver register.  Exit
status: 0 when the report was written (whatever it found), 2 on a usage
error, unreadable input or a PDF without Chromium.

Only click is imported at module level (the engine inside the command).
"""

from __future__ import annotations

import os
import shlex
import sys

import click

from sanlint.cli.options import build_site, load_settings, one_cluster, select_options, site_options, summary


@click.command()
@site_options
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="Report file: .html (self-contained), .md (Markdown for a pull request) or .pdf "
                   "(needs Chromium); the JSON sidecar NAME.json is written beside it.")
@click.option("--format", "fmt", type=click.Choice(["html", "markdown", "pdf"]),
              help="Override the format the output's extension implies.")
@select_options
@click.option("--baseline", type=click.Path(dir_okay=False),
              help="Hide the findings this baseline records; the report lists them as waivers.")
@click.option("--compare", "previous", type=click.Path(dir_okay=False), metavar="PREVIOUS",
              help="A previous report's JSON sidecar or a baseline: show what is new and what was resolved.")
@click.option("--title", default="sanlint audit report", show_default=True, help="Report title.")
@click.pass_context
def report(ctx, paths, hosts, config, output, fmt, select, extend_select, ignore, baseline, previous, title):
    """Write an audit report of PATHs (default /etc): evidence (time, version,
    rule-set hash, inputs with SHA-256), findings ranked by severity and risk
    with their remediation, topology, waivers, sign-off; secrets redacted."""
    from sanlint.report.write import FORMATS
    from sanlint.runner import run

    if fmt is None:
        fmt = FORMATS.get(os.path.splitext(output)[1].lower())
        if fmt is None:
            raise click.UsageError(f"{output}: cannot tell the format from the extension; "
                                   "use .html, .md or .pdf, or give --format")
    settings = load_settings(config, select, ignore, extend_select=extend_select, paths=paths)
    site, problems = build_site(paths, hosts, settings)
    one_cluster(site, "report")
    result = run(site, problems, settings)
    baselined, reasons = [], {}
    if baseline:
        from sanlint.baseline import BaselineError, filter_new

        try:
            kept = filter_new(baseline, result.findings)
        except BaselineError as e:
            raise click.UsageError(str(e)) from None
        ids = {id(f) for f in kept}
        baselined = [f for f in result.findings if id(f) not in ids]
        reasons = _baseline_reasons(baseline)
        result.findings = kept
    from sanlint.report import ReportData
    from sanlint.report.sidecar import CompareError

    try:
        data = ReportData.collect(result, summary(result), settings=settings, problems=problems,
                                  command=_command_line(ctx), baselined=baselined, baseline_path=baseline,
                                  baseline_reasons=reasons, compare=previous, title=title)
    except CompareError as e:
        raise click.UsageError(f"--compare: {e}") from None

    from sanlint.fixes import WriteError
    from sanlint.report.pdf import PdfError
    from sanlint.report.write import write

    try:
        side = write(data, output, fmt)
    except PdfError as e:
        click.echo(f"sanlint: {output}: {e}", err=True)
        sys.exit(2)
    except WriteError as e:
        click.echo(f"sanlint: could not write {output}: {e}", err=True)
        sys.exit(2)
    n = len(result.findings)
    click.echo(f"sanlint: wrote {output} and {side} ({n} finding{'s' if n != 1 else ''})", err=True)


def _baseline_reasons(path: str) -> dict[str, str]:
    """Optional `"reason"` strings an admin added to baseline entries."""
    import json

    try:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
        return {e["fingerprint"]: str(e["reason"]) for e in doc.get("findings", [])
                if isinstance(e, dict) and e.get("reason") and isinstance(e.get("fingerprint"), str)}
    except (OSError, ValueError, AttributeError):
        return {}


def _command_line(ctx: click.Context) -> str:
    """The command as the user would retype it, rebuilt from the parsed
    options (the process's argv is a test runner's under pytest)."""
    words = ["sanlint", ctx.info_name or "report"]
    args: list[str] = []
    for param in ctx.command.params:
        value = ctx.params.get(param.name)
        if value in (None, (), False) or (isinstance(param, click.Option) and value == param.default):
            continue
        values = list(value) if isinstance(value, (tuple, list)) else [value]
        if isinstance(param, click.Argument):
            args += [str(v) for v in values]
        else:
            for v in values:
                words += [param.opts[-1] if param.opts[-1].startswith("--") else param.opts[0], str(v)]
    return shlex.join(words + args)
