import calendar
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessment.domain.timeutil import add_months, percent_floor, percent_half_up, require_utc

aware_datetimes = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2200, 12, 31), timezones=st.just(UTC)
)


def test_adding_months_keeps_day_and_time_when_it_exists() -> None:
    start = datetime(2026, 5, 14, 9, 30, 15, tzinfo=UTC)
    assert add_months(start, 18) == datetime(2027, 11, 14, 9, 30, 15, tzinfo=UTC)


def test_adding_months_clamps_to_end_of_shorter_month() -> None:
    assert add_months(datetime(2026, 1, 31, tzinfo=UTC), 1) == datetime(2026, 2, 28, tzinfo=UTC)
    assert add_months(datetime(2026, 8, 31, tzinfo=UTC), 18) == datetime(2028, 2, 29, tzinfo=UTC)
    assert add_months(datetime(2026, 5, 31, tzinfo=UTC), 18) == datetime(2027, 11, 30, tzinfo=UTC)


def test_adding_months_crosses_year_boundaries_backwards_too() -> None:
    assert add_months(datetime(2026, 1, 15, tzinfo=UTC), -2) == datetime(2025, 11, 15, tzinfo=UTC)


@given(start=aware_datetimes, months=st.integers(min_value=-240, max_value=240))
def test_month_arithmetic_moves_exactly_n_calendar_months(start: datetime, months: int) -> None:
    result = add_months(start, months)
    moved = (result.year - start.year) * 12 + (result.month - start.month)
    assert moved == months
    assert result.time() == start.time()
    assert result.tzinfo == start.tzinfo
    last_day = calendar.monthrange(result.year, result.month)[1]
    assert result.day == min(start.day, last_day)


@given(start=aware_datetimes, months=st.integers(min_value=1, max_value=240))
def test_adding_positive_months_always_moves_forward(start: datetime, months: int) -> None:
    assert add_months(start, months) > start


def test_naive_timestamps_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        require_utc(datetime(2026, 1, 1))


def test_aware_timestamps_are_normalised_to_utc() -> None:
    cet = timezone(timedelta(hours=1))
    assert require_utc(datetime(2026, 1, 1, 11, tzinfo=cet)) == datetime(2026, 1, 1, 10, tzinfo=UTC)
    assert require_utc(datetime(2026, 1, 1, 11, tzinfo=cet)).tzinfo == UTC


@pytest.mark.parametrize(
    ("correct", "total", "expected"),
    [(1, 8, 13), (2, 3, 67), (1, 3, 33), (1, 2, 50), (0, 7, 0), (7, 7, 100), (33, 40, 83)],
)
def test_percentage_rounds_half_up(correct: int, total: int, expected: int) -> None:
    assert percent_half_up(correct, total) == expected


@given(
    st.integers(min_value=1, max_value=500).flatmap(
        lambda t: st.tuples(st.integers(0, t), st.just(t))
    )
)
def test_percentages_stay_within_bounds_and_match_exact_rounding(pair: tuple[int, int]) -> None:
    correct, total = pair
    half_up = percent_half_up(correct, total)
    assert 0 <= half_up <= 100
    exact = 100 * correct / total
    assert abs(half_up - exact) <= 0.5
    assert percent_floor(correct, total) <= exact < percent_floor(correct, total) + 1
    assert (percent_floor(correct, total) == 100) == (correct == total)
