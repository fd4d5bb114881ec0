"""The long run of the fuzz suite (tests/test_hostile_fuzz.py): the same
properties with many more cases per format.

    python bench/fuzz_long.py [CASES_PER_PROPERTY]   (default 2000)

Prints the number of cases run per format and property, and the total.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import fuzz_formats as ff  # noqa: E402
from test_hostile_fuzz import check_mutation, check_round_trip  # noqa: E402


def main() -> int:
    cases = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    total = 0
    conf = settings(max_examples=cases, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    for fmt in sorted(ff.GENERATORS):
        strategy = ff.GENERATORS[fmt][0]
        counts = {"round-trip": 0, "mutation": 0}

        @conf
        @given(text=strategy)
        def round_trip(text):
            counts["round-trip"] += 1
            check_round_trip(fmt, text)

        @conf
        @given(text=strategy, kind=st.sampled_from(ff.MUTATIONS), pos=st.integers(0, 10**6), size=st.integers(0, 50))
        def mutation(text, kind, pos, size):
            counts["mutation"] += 1
            check_mutation(fmt, ff.mutate(text.encode(), kind, pos, size))

        start = time.monotonic()
        round_trip()
        mutation()
        total += sum(counts.values())
        print(f"{fmt:14} round-trip {counts['round-trip']:6}  mutation {counts['mutation']:6}  "
              f"({time.monotonic() - start:.0f} s)", flush=True)
    print(f"total cases: {total}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
