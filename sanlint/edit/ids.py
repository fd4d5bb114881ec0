"""Fresh ids in crmsh's scheme (crmsh `idmgmt.new` / `_gen_free_id`).

A new element's id is built from its parent's id and the element kind
(`p-meta_attributes`, `p-instance_attributes-ip`, `p-monitor-10s`); when
that id is taken, crmsh tries `ID-0`, `ID-1`, ... up to `ID-98`.  Every
writer (rule fixes, migrators, converters) takes its ids from an `IdStore`
so that a `--fix`, a `migrate` and `crm configure` name a new object alike.

>>> ids = IdStore({"c-drbd", "c-drbd-0"})
>>> ids.fresh("c-drbd"), ids.fresh("c-drbd"), ids.fresh("o-web")
('c-drbd-1', 'c-drbd-2', 'o-web')
>>> ids.new("nvpair", "p-meta_attributes", "promotable"), ids.new("op", "p", "monitor", "10s")
('p-meta_attributes-promotable', 'p-monitor-10s')
>>> ids.new("meta_attributes", "p"), ids.new("meta_attributes", "p"), ids.new("node", "1")
('p-meta_attributes', 'p-meta_attributes-0', '1')
>>> ids.new("primitive", "1")
'num-1'
"""

from __future__ import annotations

import re
from typing import Iterable

# crmsh constants.subpfx_list
SUBPFX = {"instance_attributes": "instance_attributes", "meta_attributes": "meta_attributes",
          "utilization": "utilization", "operations": "ops", "rule": "rule", "expression": "expression",
          "date_expression": "expression", "duration": "duration", "date_spec": "date_spec"}


class IdStore:
    """The ids of one document, and new ones in crmsh's scheme."""

    def __init__(self, used: Iterable[str] = ()) -> None:
        self.used: set[str] = set(used)

    def __contains__(self, ident: str) -> bool:
        return ident in self.used

    def save(self, ident: str | None) -> str | None:
        if ident:
            self.used.add(ident)
        return ident

    def fresh(self, base: str) -> str:
        """`base` when free, else `base-0`, `base-1`, ... (saved as used)."""
        ident = base
        if ident in self.used:
            for n in range(99):
                if f"{base}-{n}" not in self.used:
                    ident = f"{base}-{n}"
                    break
            else:  # crmsh gives up after 99; keep counting rather than reuse an id
                n = 99
                while f"{base}-{n}" in self.used:
                    n += 1
                ident = f"{base}-{n}"
        self.used.add(ident)
        return ident

    def new(self, tag: str, pfx: str, name: str | None = None, interval: str | None = None) -> str:
        """The id crmsh gives a new `tag` element under an object whose id is `pfx`."""
        if re.fullmatch(r"\d+", pfx) and tag != "node":
            pfx = f"num-{pfx}"
        if tag == "nvpair":
            ident = f"{pfx}-{name}"
        elif tag == "op":
            ident = f"{pfx}-{name}-{interval}" if interval else f"{pfx}-{name}"
        else:
            sub = SUBPFX.get(tag, "")
            ident = f"{pfx}-{sub}" if sub else pfx
        return self.fresh(ident)


def cluster_ids(cluster) -> IdStore:
    """An `IdStore` holding every id a `ClusterConfig` defines."""
    ids = set(cluster.resources) | set(cluster.other_ids)
    ids.update(c.id for c in cluster.constraints if c.id)
    return IdStore(ids)
