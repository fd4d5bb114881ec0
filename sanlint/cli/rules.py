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
    import textwrap

    for r in rows:  # lines of at most 79 columns: they fit an 80-column terminal
        fix = {"no": "", "safe": " [fix]", "unsafe": " [unsafe fix]", "choice": " [fix needs choice]"}[r["fix"]]
        reads = f" (reads {', '.join(r['reads'])})" if r["reads"] else ""
        head = textwrap.wrap(f"{r['code']:<9} {r['severity']:<8} {r['name']}{fix}{reads}", WIDTH,
                             subsequent_indent=" " * 19, break_on_hyphens=False)
        body = textwrap.wrap(r["summary"], WIDTH, initial_indent=" " * 10, subsequent_indent=" " * 10,
                             break_on_hyphens=False)
        click.echo("\n".join(head + body))


WIDTH = 79


@click.command()
@click.argument("code", metavar="CODE|NAME")
def explain(code):
    """Print one rule's documentation, by code (DRBD110) or name
    (fencing-without-handler)."""
    from sanlint.cli.options import did_you_mean
    from sanlint.runner import load_rules

    rules_ = load_rules()
    by_name = {r.name: r for r in rules_.values()}
    rule = rules_.get(code.strip().upper()) or by_name.get(code.strip().lower().replace("_", "-"))
    if rule is None:
        click.echo(f"sanlint: unknown rule {code!r}{did_you_mean(code.strip(), sorted(rules_) + sorted(by_name))}",
                   err=True)
        sys.exit(2)
    click.echo(f"{rule.code} {rule.name} ({rule.severity}, pack {rule.pack}, fix: {rule.fix})\n")
    click.echo(rule.doc())
