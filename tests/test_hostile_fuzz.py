"""Fuzz suite per format (issue 10), CI-sized; bench/fuzz_long.py runs the
same properties with many more cases.

* generated valid configurations (tests/fuzz_formats.py) parse and print
  back byte-identically;
* mutated ones (truncations, flipped bytes, huge numbers, long lines, deep
  nesting, NUL, invalid UTF-8, repeated blocks, CRLF) never raise anything
  but a positioned ParseError (or a number out of range);
* the whole check (discovery, parse, every rule, the text report) grows
  linearly with repeated blocks: counted in Python function calls, which is
  deterministic (no timing), for 2 and 8 copies.
"""

from __future__ import annotations

import sys

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import fuzz_formats as ff
from sanlint.parsers import parse
from sanlint.printer import render
from sanlint.source import NumberTooLarge, ParseError, SourceFile

FORMATS = sorted(ff.GENERATORS)
CI = settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)


def _src(text: str | bytes, fmt: str) -> SourceFile:
    data = text.encode() if isinstance(text, str) else text
    return SourceFile(display=ff.GENERATORS[fmt][1], data=data, format=fmt)


def check_round_trip(fmt: str, text: str) -> None:
    src = _src(text, fmt)
    parsed = parse(src)
    assert render(parsed, src) == src.data


def check_mutation(fmt: str, data: bytes) -> None:
    src = _src(data, fmt)
    try:
        parse(src)
    except ParseError as e:
        assert e.line >= 1 and e.column >= 1
    except NumberTooLarge:
        pass
    except RecursionError:  # reported by the site builder as "nesting too deep"
        pass


@pytest.mark.parametrize("fmt", FORMATS)
def test_generated_configs_round_trip(fmt):
    @CI
    @given(text=ff.GENERATORS[fmt][0])
    def prop(text):
        check_round_trip(fmt, text)

    prop()


@pytest.mark.parametrize("fmt", FORMATS)
def test_mutated_configs_never_raise(fmt):
    @CI
    @given(text=ff.GENERATORS[fmt][0], kind=st.sampled_from(ff.MUTATIONS), pos=st.integers(0, 10**6),
           size=st.integers(0, 50))
    def prop(text, kind, pos, size):
        check_mutation(fmt, ff.mutate(text.encode(), kind, pos, size))

    prop()


def calls(fn) -> int:
    """Python and C function calls made by fn() (deterministic, unlike time)."""
    n = 0

    def count(frame, event, arg):
        nonlocal n
        if event in ("call", "c_call"):
            n += 1

    sys.setprofile(count)
    try:
        fn()
    finally:
        sys.setprofile(None)
    return n


def check_whole_run(tmp_path, fmt: str, text: str, copies: int) -> tuple[int, int]:
    from sanlint.config import Settings
    from sanlint.output import render as render_output
    from sanlint.runner import run
    from sanlint.site import build

    d = tmp_path / f"{fmt}-{copies}"
    d.mkdir()
    (d / ff.GENERATORS[fmt][1]).write_text(text * copies)

    out = []

    def whole():
        site, problems = build([str(d)])
        result = run(site, problems, Settings())
        out.append(render_output("text", result, {"files": 1, "hosts": 0, "error": 0, "warning": 0, "info": 0}))

    return calls(whole), len(out[0])


LINEAR = ["drbd", "lvm", "lvm-metadata", "ietd", "tgt", "crm", "hosts", "corosync"]


@pytest.mark.parametrize("fmt", LINEAR)
def test_whole_check_is_linear_in_repeated_blocks(tmp_path_factory, fmt):
    @settings(max_examples=2, deadline=None, suppress_health_check=list(HealthCheck), database=None,
              phases=[Phase.generate])  # shrinking reruns the whole check hundreds of times
    @given(text=ff.GENERATORS[fmt][0])
    def prop(text):
        tmp = tmp_path_factory.mktemp("lin")
        check_whole_run(tmp, fmt, text, 1)  # warm the caches (grammar, rule modules)
        small, small_out = check_whole_run(tmp, fmt, text, 5)
        big, big_out = check_whole_run(tmp, fmt, text, 20)
        # 4x the input: linear is ~4x, quadratic 16x; the report too (a message listing every object is not linear)
        assert big < 4 * small * 1.6, (small, big)
        assert big_out < 4 * small_out * 1.6 + 200, (small_out, big_out)

    prop()
