"""crmsh `configure` syntax (`crm configure show` output, `crm configure load`
input) -> ClusterConfig.

`grammars/crm.lark` splits the file into statements and their parts; this
module gives the shell words their crmsh meaning, following crmsh 4.4.1
`crmsh/parse.py` (the function named in a comment is the one mirrored).

The statement builder is split by statement kind: `base` (positions, pairs,
attribute lists, rules), `resources`, `constraints`, `cluster` (properties,
nodes, tags, fencing, alerts, ACLs, xml); `words` has the keyword tables and
unquoting.
"""

from __future__ import annotations

from lark import Tree

from sanlint.model.cluster import ClusterConfig
from sanlint.parsers.crm.base import BuilderBase
from sanlint.parsers.crm.cluster import ClusterStatements
from sanlint.parsers.crm.constraints import ConstraintStatements
from sanlint.parsers.crm.resources import ResourceStatements
from sanlint.parsers.crm.words import unquote
from sanlint.parsers.grammar import parse_with
from sanlint.source import SourceFile

__all__ = ["parse", "unquote"]


class _Builder(ResourceStatements, ConstraintStatements, ClusterStatements, BuilderBase):
    """One crm file's statements -> ClusterConfig (`st_<kind>` per statement)."""


def parse(src: SourceFile) -> ClusterConfig:
    tree = parse_with("crm", src, positions=False)  # spans come from tokens (see _Builder.span)
    builder = _Builder(src)
    for item in tree.children:
        if isinstance(item, Tree):
            builder.statement(item)
    builder.finish()
    return builder.config
