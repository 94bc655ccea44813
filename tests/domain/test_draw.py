"""The draw of lots is reproducible from its seed by anyone, with any HMAC-SHA256."""

import hashlib
import hmac

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contest.domain.draw import draw


def independent_draw(
    seed: str, codes: list[str], prefix: str, first: int = 1, taken: frozenset[str] = frozenset()
) -> dict[str, tuple[int, str]]:
    """The published procedure, written again from its description."""

    def mac(message: str) -> str:
        return hmac.new(seed.encode(), message.encode(), hashlib.sha256).hexdigest()

    order = sorted(codes, key=lambda c: (mac("station:" + c), c))
    used, result = {int(c[1:]) for c in taken if c.startswith(prefix)}, {}
    for station, code in enumerate(order, first):
        n = 100 + int(mac("code:" + code), 16) % 900
        while n in used:
            n = 100 if n == 999 else n + 1
        used.add(n)
        result[code] = (station, f"{prefix}{n}")
    return result


def test_same_seed_same_draw():
    codes = [f"E{i:04d}" for i in range(1, 31)]
    first, again = draw("a1b2c3d4", codes, "W"), draw("a1b2c3d4", list(reversed(codes)), "W")
    assert first == again
    assert {lot.entrant: (lot.station, lot.code) for lot in first} == independent_draw(
        "a1b2c3d4", codes, "W"
    )


def test_another_seed_another_draw():
    codes = [f"E{i:04d}" for i in range(1, 31)]
    assert draw("seed-one", codes, "W") != draw("seed-two", codes, "W")


@given(
    seed=st.text(min_size=1, max_size=20),
    codes=st.sets(st.from_regex(r"E[0-9]{4}", fullmatch=True), min_size=1, max_size=60),
)
def test_stations_are_a_permutation_and_codes_distinct(seed, codes):
    lots = draw(seed, codes, "C")
    assert sorted(lot.station for lot in lots) == list(range(1, len(codes) + 1))
    assert len({lot.code for lot in lots}) == len(codes)
    assert all(lot.code.startswith("C") and 100 <= int(lot.code[1:]) <= 999 for lot in lots)
    assert {lot.entrant: (lot.station, lot.code) for lot in lots} == independent_draw(
        seed, sorted(codes), "C"
    )


@given(
    seed=st.text(min_size=1, max_size=20),
    drawn=st.sets(st.from_regex(r"E[0-9]{4}", fullmatch=True), min_size=1, max_size=40),
    late=st.sets(st.from_regex(r"L[0-9]{3}", fullmatch=True), min_size=1, max_size=10),
)
def test_a_top_up_follows_the_highest_station_and_never_reuses_a_code(seed, drawn, late):
    first = draw("the-draw", drawn, "W")
    taken = {lot.code for lot in first}
    highest = max(lot.station for lot in first)
    topped = draw(seed, late, "W", first_station=highest + 1, taken=taken)
    assert sorted(lot.station for lot in topped) == list(
        range(highest + 1, highest + 1 + len(late))
    )
    assert not taken & {lot.code for lot in topped} and len({lot.code for lot in topped}) == len(
        late
    )
    assert {lot.entrant: (lot.station, lot.code) for lot in topped} == independent_draw(
        seed, sorted(late), "W", highest + 1, frozenset(taken)
    )
    assert draw(seed, reversed(sorted(late)), "W", first_station=highest + 1, taken=taken) == topped


def test_codes_of_another_prefix_do_not_count_as_taken():
    alone = draw("s", ["E0001"], "W")
    assert draw("s", ["E0001"], "W", taken=["A" + alone[0].code[1:], "W", "Wxyz"]) == alone


def test_no_more_entrants_than_three_digit_codes():
    taken = [f"W{n}" for n in range(100, 1000)]
    with pytest.raises(ValueError, match="900"):
        draw("s", ["E0001"], "W", taken=taken)
