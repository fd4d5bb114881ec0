"""Every CIB of Pacemaker's scheduler regression corpus loads into the model."""

from __future__ import annotations

from lxml import etree

from conftest import need_shared
from sanlint.parsers import cib
from sanlint.source import ParseError, SourceFile

RESOURCE_XPATH = ("/cib/configuration/resources//*[self::primitive or self::template or self::group"
                  " or self::clone or self::master or self::bundle]")
CONSTRAINT_XPATH = "/cib/configuration/constraints/*[starts-with(local-name(), 'rsc_')]"


def test_pacemaker_cts_corpus_loads():
    corpus = need_shared("corpus/pacemaker-cts")
    files = sorted(corpus.glob("*.xml"))
    assert len(files) == 854
    totals = {"resources": 0, "constraints": 0, "xpath_resources": 0, "xpath_constraints": 0, "parse_errors": 0}
    for path in files:
        data = path.read_bytes()
        try:
            cfg = cib.parse(SourceFile(display=str(path), data=data, path=path))
        except ParseError:  # intentionally broken inputs are allowed to fail, only as ParseError
            totals["parse_errors"] += 1
            continue
        tree = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
        totals["resources"] += len(cfg.resources)
        totals["constraints"] += len(cfg.constraints)
        totals["xpath_resources"] += len(set(tree.xpath(RESOURCE_XPATH + "/@id")))
        totals["xpath_constraints"] += len(tree.xpath(CONSTRAINT_XPATH))
        for res in cfg.resources.values():  # spans found by the text scan, not the line fallback
            assert res.span.text.lstrip().startswith("<" + res.element), (path.name, res.id)
    assert totals["resources"] == totals["xpath_resources"] > 5000
    assert totals["constraints"] == totals["xpath_constraints"] > 1000
    assert totals["parse_errors"] < 10
