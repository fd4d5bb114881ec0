"""Spelling invariance: what the real tools read as the same configuration
gets the same findings.

For every rule fixture (`fixtures/rules/*/{bad,good}`) and example site
(`fixtures/sites/*`), equivalent rewrites are generated and checked; the
findings, as (code, host, object), must be those of the original:

* agents short and long (`IPaddr2` <-> `ocf:heartbeat:IPaddr2`, `drbd` <->
  `ocf:linbit:drbd`, as crmsh's ra.disambiguate_ra_type resolves them);
* crm values quoted and unquoted (`ip=10.0.0.1` <-> `ip="10.0.0.1"`);
* crm statements joined onto one line, or continued over several;
* crm statements in reverse order (crmsh `load update` takes any order);
* comment lines added between the lines of every text format;
* crm text replaced by the CIB that `sanlint convert crm2cib` writes;
* node names as FQDNs (`san-1` -> `san-1.example.com`) in the corosync
  nodelist, the crm/CIB, corosync-cmapctl dumps and, where drbdadm matches
  them the same way (DRBD 9 `hostnames_equal`), the DRBD `on`/`host`
  names; /etc/hosts gets the FQDN beside the short name.  Only where the
  corosync nodelist names the nodes (Pacemaker's names are then the
  nodelist's).  The host directories (`uname -n`) and DRBD 8.x `on` names
  stay short: corosync finds its node either way (`find_local_node` cuts
  domains), Pacemaker sees one consistent set of names, drbdadm 8.x still
  finds `uname -n` exactly.

Each variant is checked only where it changes some file.  Lines and paths
are not compared (a rewrite moves them); a path inside an object's
identity is replaced by `<file>`, the domain the FQDN rewrite adds is cut.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pytest

from conftest import FIXTURES
from sanlint.api import check
from sanlint.migrate.pacemaker.crm2cib import crm_to_cib
from sanlint.model.agents import ocf_provider
from sanlint.site import build
from sanlint.source import SourceFile

# Findings about the crm text itself, which the conversion to a CIB rewrites as crmsh does.
ABOUT_CRM_SPELLING = {
    "PCMK118": "crmsh writes an order score as a kind (parse.score_to_kind): the CIB it produces has no score",
}
SITES = sorted(p for p in (FIXTURES / "rules").glob("*/*") if p.is_dir()) + sorted(
    p for p in (FIXTURES / "sites").iterdir() if p.is_dir())
HASH_COMMENT_FORMATS = {"drbd", "lvm", "lvm-metadata", "corosync", "ietd", "ietd-allow", "tgt", "crm", "hosts",
                        "nftables", "iptables"}


# ---- crm rewrites ---------------------------------------------------------------

def _statements(text: str) -> list[str]:
    """crm text as logical lines (continuations joined), comments kept as lines."""
    return re.sub(r"\\\r?\n[ \t]*", " ", text).splitlines()


def crm_short_agents(text: str) -> str:
    def short(m: re.Match) -> str:
        return m.group(2) if ocf_provider(m.group(2)) == m.group(1) else m.group(0)
    return re.sub(r"(?<=\s)ocf:([\w-]+):([\w.+-]+)(?=\s|$)", short, text, flags=re.M)


def crm_long_agents(text: str) -> str:
    out = []
    for line in text.splitlines(keepends=True):
        m = re.match(r"(\s*(?:primitive|rsc_template)\s+\S+\s+)([\w.+-]+)(?=\s|$)", line)
        if m and not m.group(2).startswith("@"):
            typ = m.group(2)
            line = f"{m.group(1)}ocf:{ocf_provider(typ)}:{typ}{line[m.end():]}"
        out.append(line)
    return "".join(out)


_PLAIN_PAIR = re.compile(r"(?<=\s)([$\w.-]+)=([^\s\"'\\()\[\]{}]+)(?=\s|$)")
_QUOTED_PAIR = re.compile(r"(?<=\s)([$\w.-]+)=\"([\w./:@+-]+)\"(?=\s|$)")


def _is_rule_line(line: str) -> bool:
    return bool(re.match(r"\s*(location|#)", line)) or " rule " in line


def crm_quoted(text: str) -> str:
    return "\n".join(line if _is_rule_line(line) else _PLAIN_PAIR.sub(r'\1="\2"', line)
                     for line in _statements(text)) + "\n"


def crm_unquoted(text: str) -> str:
    return "\n".join(line if _is_rule_line(line) else _QUOTED_PAIR.sub(r"\1=\2", line)
                     for line in _statements(text)) + "\n"


def crm_continued(text: str) -> str:
    out = []
    for line in _statements(text):
        if not line.lstrip().startswith("#"):
            line = re.sub(r"\s+(params|meta|op|utilization)\s+", lambda m: f" \\\n\t{m.group(1)} ", line)
        out.append(line)
    return "\n".join(out) + "\n"


def crm_reversed(text: str) -> str:
    lines = [ln for ln in _statements(text) if ln.strip() and not ln.lstrip().startswith("#")]
    return "\n".join(reversed(lines)) + "\n"


DOMAIN = ".example.com"
NAMED_FORMATS = {"corosync", "crm", "cib", "cmap", "drbd", "drbd-running"}


def node_names(built) -> tuple[set[str], bool]:
    """The short node names an FQDN rewrite extends, and whether DRBD's own files may be rewritten.

    Pacemaker and corosync names only where the corosync nodelist names the nodes (Pacemaker's names are
    then the nodelist's, and corosync's find_local_node matches an FQDN name to a short `uname -n`); DRBD
    `on`/`host` names only on a DRBD 9 site (hostnames_equal); on a DRBD 8.x site they stay as they are,
    the `uname -n` they are compared with."""
    from sanlint.views import is_address, nodes_named_by_nodelist

    names: set[str] = set()
    if nodes_named_by_nodelist(built):
        names = {n.uname for c in built.all_clusters() for n in c.nodes}
        names |= {n.name for h in built.hosts.values() for cfg in h.corosync for n in cfg.nodes if n.name}
    nine = built.drbd_version == "9"
    if nine:
        names |= {n for h in built.hosts.values() for r in h.drbd_resources for dh in r.hosts if dh.kind == "on"
                  for n in dh.names}
    names = {n for n in names if n and not is_address(n)}
    if any("." in n for n in names):
        return set(), nine  # some names are FQDNs already: extending the others could make them meet
    return names, nine


def fqdn(text: str, names: set[str]) -> str:
    for n in sorted(names, key=len, reverse=True):
        text = re.sub(rf"(?<![\w.-]){re.escape(n)}(?![\w-]|\.\w)", n + DOMAIN, text)
    return text


def hosts_with_fqdn(text: str, names: set[str]) -> str:
    """/etc/hosts lines naming a node get its FQDN as the canonical name, the short name as alias."""
    out = []
    for line in text.splitlines(keepends=True):
        words = line.split("#", 1)[0].split()
        for n in sorted(names, key=len, reverse=True):
            if n in words[1:] and n + DOMAIN not in words:
                line = re.sub(rf"(?<=\s){re.escape(n)}(?=\s|$)", f"{n}{DOMAIN} {n}", line, count=1)
        out.append(line)
    return "".join(out)


def with_comments(text: str) -> str:
    """A comment line before every line that does not continue the one before."""
    out, continued = [], False
    for line in text.splitlines(keepends=True):
        if not continued:
            out.append("# a comment an admin added\n")
        out.append(line)
        continued = line.rstrip("\r\n").endswith("\\")
    return "".join(out)


def cib_with_comments(text: str) -> str:
    """An XML comment line before every element that starts a line inside the CIB."""
    out = []
    for line in text.splitlines(keepends=True):
        stripped = line.lstrip()
        if stripped.startswith("<") and not stripped.startswith(("</", "<?", "<!", "<cib")):
            out.append(line[: len(line) - len(stripped)] + "<!-- a comment an admin added -->\n")
        out.append(line)
    return "".join(out)


# ---- the property ---------------------------------------------------------------

def _built(site: Path):
    built, _ = build([str(site)])
    return built, [f for f in built.files if f.path is not None]


def key(result, root: Path, renamed: dict[str, str]) -> Counter:
    """(code, host, object) of every finding; a renamed file is named by its
    old name, the site's own path is `<site>`."""
    def norm(identity: str) -> str:
        for new in sorted(renamed, key=len, reverse=True):
            identity = identity.replace(new, renamed[new])
        return identity.replace(str(root), "<site>").replace(DOMAIN, "")
    return Counter((f.code, f.host, norm(f.identity)) for f in result.findings)


@lru_cache(maxsize=None)
def original(site: Path) -> Counter:
    return key(check([str(site)]), site, {})


def variants(site: Path) -> dict[str, dict[Path, tuple[Path, str]]]:
    """name -> {original file: (file to write, text)} for the variants that change something."""
    built, files = _built(site)
    crm = [f for f in files if f.format == "crm"]
    text = {f.path: f.data.decode("utf-8", "surrogateescape") for f in files}
    out: dict[str, dict[Path, tuple[Path, str]]] = {}
    crm_rewrites = {  # combined, to keep the suite fast; a failure names the variant, rerun one part to narrow it
        "short agents, quoted, continued": lambda t: crm_continued(crm_quoted(crm_short_agents(t))),
        "long agents, unquoted, joined, reversed": lambda t: crm_reversed(crm_unquoted(crm_long_agents(t))),
    }
    for name, fn in crm_rewrites.items():
        changed = {f.path: (f.path, fn(text[f.path])) for f in crm if fn(text[f.path]) != text[f.path]}
        if changed:
            out[name] = changed
    commented = {f.path: (f.path, with_comments(text[f.path])) for f in files if f.format in HASH_COMMENT_FORMATS}
    commented.update({f.path: (f.path, cib_with_comments(text[f.path])) for f in files if f.format == "cib"})
    if commented:
        out["comments"] = commented
    names, nine = node_names(built)
    if names:
        formats = NAMED_FORMATS if nine else NAMED_FORMATS - {"drbd", "drbd-running"}
        named = {f.path: (f.path, fqdn(text[f.path], names)) for f in files if f.format in formats}
        named.update({f.path: (f.path, hosts_with_fqdn(text[f.path], names)) for f in files if f.format == "hosts"})
        named = {p: v for p, v in named.items() if v[1] != text[p]}
        if named:
            out["FQDN node names"] = named
    if crm and not [f for f in files if f.format == "cib"]:
        cib = {}
        for f in crm:
            xml, _ = crm_to_cib(SourceFile.from_text(str(f.path), text[f.path]))
            cib[f.path] = (f.path.with_suffix(".xml"), xml)
        out["crm -> CIB"] = cib
    return out


CASES = [(site, name) for site in SITES for name in variants(site)]


@pytest.mark.parametrize("site,variant", CASES, ids=[f"{s.parent.name}/{s.name}:{v}" for s, v in CASES])
def test_equivalent_spellings_give_the_same_findings(site: Path, variant: str, tmp_path: Path) -> None:
    copy = tmp_path / site.name
    shutil.copytree(site, copy)
    renamed: dict[str, str] = {}
    for orig, (target, text) in variants(site)[variant].items():
        old = copy / orig.relative_to(site)
        new = copy / target.relative_to(site)
        old.unlink()
        new.write_text(text, encoding="utf-8", errors="surrogateescape")
        renamed[str(new)] = str(old)
    want = original(site)
    if variant == "crm -> CIB":
        want = Counter({k: n for k, n in want.items() if k[0] not in ABOUT_CRM_SPELLING})
    got = key(check([str(copy)]), copy, renamed)
    assert got == want, (f"only before: {sorted((want - got).elements(), key=str)}\n"
                         f"only after: {sorted((got - want).elements(), key=str)}")


def test_the_property_covers_every_fixture() -> None:
    covered = {site for site, _ in CASES}
    assert covered == set(SITES), sorted(str(s) for s in set(SITES) - covered)
