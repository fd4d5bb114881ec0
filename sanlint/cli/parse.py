"""`sanlint parse PATH... --format json`: the site model, every object with file:line."""

from __future__ import annotations

import sys

import click

from sanlint.cli.options import build_site, load_settings, site_options


@click.command()
@site_options
@click.option("--format", "fmt", type=click.Choice(["json"]), default="json", show_default=True)
def parse(paths, hosts, config, fmt):
    """Print the site model (hosts, DRBD resources, VGs, targets, cluster objects) as JSON."""
    import json

    from sanlint.output.secrets import Scrubber
    from sanlint.site import InputProblem

    settings = load_settings(config, paths=paths)
    site, problems = build_site(paths, hosts, settings)
    doc = site.to_json()
    for part, part_problems in site.parts:  # several clusters: each with its own problems
        problems = problems + part_problems
    doc["problems"] = [_problem_json(p) for p in problems if isinstance(p, InputProblem)]
    click.echo(Scrubber.for_site(site)(json.dumps(doc, indent=2, ensure_ascii=False)))
    sys.exit(1 if any(p.code == "SAN001" for p in problems) else 0)


def _problem_json(p) -> dict:
    if p.span is not None:
        return {"code": p.code, "message": p.message, "path": p.span.path, "line": p.span.line, "column": p.span.column}
    return {"code": p.code, "message": p.message, "path": p.path, "line": 1, "column": 1}
