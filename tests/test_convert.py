"""`sanlint convert crm2cib` / `cib2crm`, with crmsh 4.4.1 as the oracle.

crm2cib: for every crm fixture, sanlint's XML equals the XML crmsh commits
for `load update` into an empty CIB (Method A, forced with `-F` so that
crmsh's RA-metadata complaints do not block it); where crmsh cannot commit
(the pacemaker-3.9 schema rejects the input: santnet-san.crm's old
properties, constraints.crm's `pingd:` colocation) its `show xml` output
(Method B) is used.  Both sides are compared after `canonical()`:

- comments dropped: crmsh copies `#` comments into the XML, sanlint does not;
- whitespace between elements dropped (crmsh's `xml` statements keep theirs);
- children sorted by (tag, id) except where order means something (group
  members, ops, resource sets and their refs, rules and expressions,
  nvpairs, fencing levels): crmsh lists top-level objects in its own order;
- the `configuration` only (epoch, crm_feature_set of the `cib` element
  are crmsh's session state); empty sections dropped;
- Method B masks secret values as `******`: the same values are masked on
  sanlint's side.

cib2crm: the crm text goes back through sanlint's crm parser and through
crmsh and must give the same XML, apart from what crm syntax cannot hold
(each listed in `INEXPRESSIBLE`, and reported by cib2crm as an item):
resource-set / expression / date-spec ids (crmsh regenerates them), order
scores (crm only has kinds), fencing-level ids, pacemaker-1.0
`<attributes>` wrappers.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from conftest import FIXTURES, need
from sanlint.cli import main
from sanlint.migrate.pacemaker.cib2crm import cib_to_crm
from sanlint.migrate.pacemaker.crm2cib import crm_to_cib
from sanlint.migrate.base import converters
from sanlint.model.base import is_secret
from sanlint.source import SourceFile

CRM_FIXTURES = sorted((FIXTURES / "crm").glob("*.crm")) + [FIXTURES / "sites" / "seed" / "cluster-santnet-san.conf"]
CIB_FIXTURES = sorted((FIXTURES / "cib").glob("*.xml")) + sorted((FIXTURES / "migrate" / "pacemaker").glob("*.xml"))
ORDERED = {"group", "operations", "resource_set", "rule", "fencing-topology", "meta_attributes",
           "instance_attributes", "utilization", "cluster_property_set", "date_expression"}
INEXPRESSIBLE = {"resource_set", "expression", "date_expression", "date_spec", "duration", "fencing-level"}


def canonical(xml: str, *, mask: bool = False, drop_ids: bool = False) -> list[str]:
    parser = etree.XMLParser(remove_blank_text=True, remove_comments=True)
    root = etree.fromstring(xml.encode(), parser)
    conf = root.find("configuration")
    out: list[str] = []

    def walk(e: etree._Element, depth: int) -> None:
        attrs = dict(e.attrib)
        if drop_ids and e.tag in INEXPRESSIBLE:
            attrs.pop("id", None)
        if mask and e.tag == "nvpair" and is_secret(attrs.get("name", "")):
            attrs["value"] = "******"
        out.append("  " * depth + e.tag + " " + " ".join(f'{k}="{v}"' for k, v in sorted(attrs.items())))
        kids = [c for c in e if isinstance(c.tag, str)]
        if e.tag not in ORDERED:
            kids.sort(key=lambda c: (c.tag, c.get("id") or ""))
        for c in kids:
            walk(c, depth + 1)

    for sec in sorted((s for s in conf if isinstance(s.tag, str) and len(s)), key=lambda s: s.tag):
        walk(sec, 0)
    return out


def _unwrap_attributes(xml: str) -> str:
    """pacemaker-1.0 `<attributes>` wrappers cannot be written in crm syntax."""
    root = etree.fromstring(xml.encode())
    for a in list(root.iter("attributes")):
        parent = a.getparent()
        i = list(parent).index(a)
        for c in list(a):
            parent.insert(i, c)
            i += 1
        parent.remove(a)
    return etree.tostring(root, encoding="unicode")


def _order_scores_as_kinds(xml: str) -> str:
    root = etree.fromstring(xml.encode())
    for o in root.iter("rsc_order"):
        if "score" in o.attrib and "kind" not in o.attrib:
            o.set("kind", "Optional" if o.attrib.pop("score").lstrip("+-") == "0" else "Mandatory")
    return etree.tostring(root, encoding="unicode")


def _expressible(xml: str) -> str:
    return _order_scores_as_kinds(_unwrap_attributes(xml))


class Crmsh:
    """One crm call per file: load, print, commit (forced)."""

    def __init__(self, work: Path) -> None:
        self.crm, cibadmin = need("crm"), need("cibadmin")
        self.work = work
        self.empty = subprocess.run([cibadmin, "--empty"], capture_output=True, text=True, check=True).stdout

    def xml(self, crm_file: Path, name: str) -> tuple[str, bool]:
        """(XML, masked): the committed CIB, or `show xml` when crmsh could not commit."""
        cib_file = self.work / f"{name}.cib.xml"
        cib_file.write_text(self.empty)
        script = self.work / f"{name}.script"
        script.write_text(f"configure\nload update {crm_file}\nshow xml\ncommit\n")
        run = subprocess.run([self.crm, "-F", "-f", str(script)], capture_output=True, text=True, timeout=60,
                             env=dict(os.environ, CIB_file=str(cib_file)))
        committed = cib_file.read_text()
        if committed != self.empty and 'epoch="1"' not in committed.split(">", 1)[0]:
            return committed, False
        start, end = run.stdout.find("<?xml"), run.stdout.find("</cib>")
        assert start >= 0 and end > start, f"crmsh printed no XML for {crm_file}: {run.stderr[-2000:]}"
        return run.stdout[start:end + len("</cib>")], True


@pytest.fixture(scope="module")
def crmsh(tmp_path_factory) -> Crmsh:
    return Crmsh(tmp_path_factory.mktemp("crmsh"))


@pytest.fixture(scope="module")
def crmsh_xml(crmsh: Crmsh) -> dict[str, tuple[str, bool]]:
    return {f.name: crmsh.xml(f, f.name) for f in CRM_FIXTURES}


def test_registered_as_converters() -> None:
    assert {"crm2cib", "cib2crm"} <= set(converters())


@pytest.mark.parametrize("fixture", CRM_FIXTURES, ids=lambda p: p.name)
def test_crm2cib_equals_crmsh(fixture: Path, crmsh_xml) -> None:
    theirs, masked = crmsh_xml[fixture.name]
    ours, items = crm_to_cib(SourceFile.from_text(str(fixture), fixture.read_text()))
    assert items == []
    assert canonical(ours, mask=masked) == canonical(theirs, mask=masked)


@pytest.mark.parametrize("fixture", CRM_FIXTURES, ids=lambda p: p.name)
def test_crm2cib_output_is_what_cib_parser_reads(fixture: Path) -> None:
    ours, _ = crm_to_cib(SourceFile.from_text(str(fixture), fixture.read_text()))
    back, _ = cib_to_crm(SourceFile.from_text("x.xml", ours))
    again, _ = crm_to_cib(SourceFile.from_text("x.crm", back))
    assert canonical(again) == canonical(ours)  # crm -> XML -> crm -> XML is a fixed point, ids included


def _cib_inputs(crmsh_xml) -> dict[str, str]:
    inputs = {p.name: p.read_text() for p in CIB_FIXTURES}
    inputs.update({f"crmsh-{k}": v for k, (v, masked) in crmsh_xml.items() if not masked})
    return inputs


def test_cib2crm_roundtrip_through_sanlint(crmsh_xml) -> None:
    for name, xml in _cib_inputs(crmsh_xml).items():
        text, items = cib_to_crm(SourceFile.from_text(name, xml))
        back, _ = crm_to_cib(SourceFile.from_text(name + ".crm", text))
        assert canonical(back, drop_ids=True) == canonical(_expressible(xml), drop_ids=True), name
        if "score=\"1000\"" in xml and "rsc_order" in xml:
            assert any("written as Mandatory" in i.message for i in items)


def test_cib2crm_loads_back_in_crmsh(crmsh: Crmsh, crmsh_xml, tmp_path: Path) -> None:
    for name, xml in _cib_inputs(crmsh_xml).items():
        text, _ = cib_to_crm(SourceFile.from_text(name, xml))
        crm_file = tmp_path / f"{name}.crm"
        crm_file.write_text(text)
        theirs, masked = crmsh.xml(crm_file, f"rt-{name}")
        assert canonical(theirs, mask=masked, drop_ids=True) == \
            canonical(_expressible(xml), mask=masked, drop_ids=True), name


def test_command_prints_to_stdout(tmp_path: Path) -> None:
    runner = CliRunner()
    seed = CRM_FIXTURES[-1]
    res = runner.invoke(main, ["convert", "crm2cib", str(seed)])
    assert res.exit_code == 0 and res.output.startswith("<cib ") and "sandisk_ms-meta_attributes" in res.output
    xml = tmp_path / "c.xml"
    xml.write_text(res.output)
    res = runner.invoke(main, ["convert", "cib2crm", str(xml)])
    assert res.exit_code == 0 and "ms sandisk_ms drbd_sandisk0" in res.output
    bad = tmp_path / "bad.crm"
    bad.write_text("primitive\n")
    res = runner.invoke(main, ["convert", "crm2cib", str(bad)])
    assert res.exit_code == 2 and "Traceback" not in res.output


@pytest.mark.parametrize("direction, data, where, says", [
    ("crm2cib", b"primitive\n", ":1:10: ", "not valid crm configure syntax"),
    ("crm2cib", b"primitive p ocf:heartbeat:Dummy \\\n  params ip=\"1.2.3.4\n", ":2:", "not valid crm configure syntax"),
    ("cib2crm", b"", ":1:1: ", "the file is empty, not CIB XML"),
    ("cib2crm", b"<cib><configuration><resources>", ":1:", "not valid CIB XML"),
    ("cib2crm", b"\x7fELF\x02\x01\x01\x00\x00\x00<cib/>", ":1:1: ", "binary data"),
    ("cib2crm", b"primitive a ocf:heartbeat:Dummy\n", ":1:1: ", "not valid CIB XML"),
    ("cib2crm", b"<foo/>", ":1:1: ", "the root element is <foo>"),
    ("crm2cib", b"<cib/>\n", ":1:1: ", "not valid crm configure syntax"),
])
def test_bad_input_is_a_message_with_its_place(tmp_path: Path, direction, data, where, says) -> None:
    f = tmp_path / "input"
    f.write_bytes(data)
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["convert", direction, str(f), "-o", str(out)])
    assert res.exit_code == 2, res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)
    assert res.output.startswith(f"{f}{where}") and says in res.output, res.output
    assert not out.exists()


def test_unwritable_output_is_a_message(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["convert", "crm2cib", str(CRM_FIXTURES[-1]), "-o", str(tmp_path / "no" / "x.xml")])
    assert res.exit_code == 2 and res.output == f"sanlint: could not write {tmp_path / 'no' / 'x.xml'}: no such directory\n"


def test_dash_reads_stdin_and_writes_stdout(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["convert", "crm2cib", "-", "-o", "-"], input=CRM_FIXTURES[-1].read_bytes())
    assert res.exit_code == 0 and res.output.startswith("<cib ")
