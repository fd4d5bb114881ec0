"""`sanlint rules` (every rule of the installed packs) and `sanlint explain CODE`."""

from __future__ import annotations

import sys

import click


@click.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules(fmt):
    """List every rule of the installed packs, with the inputs it reads (a
    rule runs only when the site has one of them)."""
    import json

    from sanlint.runner import load_rules

    rows = [{"code": c, "name": r.name, "severity": r.severity, "fix": r.fix, "pack": r.pack,
             "reads": list(r.reads), "summary": r.summary()}
            for c, r in load_rules().items()]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    for r in rows:
        fix = {"no": "", "safe": " [fix]", "unsafe": " [unsafe fix]", "choice": " [fix needs choice]"}[r["fix"]]
        reads = f" (reads {', '.join(r['reads'])})" if r["reads"] else ""
        click.echo(f"{r['code']:<9} {r['severity']:<8} {r['name']}{fix}{reads}\n          {r['summary']}")


@click.command()
@click.argument("code")
def explain(code):
    """Print one rule's documentation."""
    from sanlint.runner import load_rules

    rules_ = load_rules()
    rule = rules_.get(code.upper())
    if rule is None:
        click.echo(f"sanlint: unknown rule code {code!r} (see `sanlint rules`)", err=True)
        sys.exit(2)
    click.echo(f"{rule.code} {rule.name} ({rule.severity}, pack {rule.pack}, fix: {rule.fix})\n")
    click.echo(rule.doc())
