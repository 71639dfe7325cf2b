"""How many log blocks each fetch of the block stream asks Postgres for."""

from audit_export.adapters.block_stream import FETCH_BYTES, MAX_FETCH_BLOCKS, fetch_size


def _row(text_bytes: int, entries: int) -> tuple[object, ...]:
    """A fetched block row: (n, indexes, earliest, latest, lines, leaves, ...)."""
    return (entries, None, None, None, b"x" * text_bytes, b"h" * 32 * entries)


def test_ordinary_blocks_are_fetched_many_at_a_time_within_the_byte_budget() -> None:
    rows = [_row(280_000, 512)] * 4
    wanted = fetch_size(rows, FETCH_BYTES)
    assert 1 < wanted <= MAX_FETCH_BLOCKS
    assert wanted * (280_000 + 32 * 512) <= FETCH_BYTES


def test_blocks_of_huge_events_are_fetched_one_at_a_time() -> None:
    assert fetch_size([_row(200_000, 1), _row(512 * 900_000, 512)], FETCH_BYTES) == 1


def test_tiny_or_no_blocks_are_capped() -> None:
    assert fetch_size([_row(10, 1)], FETCH_BYTES) == MAX_FETCH_BLOCKS
    assert fetch_size([], FETCH_BYTES) == MAX_FETCH_BLOCKS


def test_the_largest_block_just_fetched_sets_the_size() -> None:
    small, large = _row(1_000, 4), _row(2_000_000, 512)
    assert fetch_size([small, large], FETCH_BYTES) == fetch_size([large], FETCH_BYTES)
    assert fetch_size([large], FETCH_BYTES) == FETCH_BYTES // (2_000_000 + 32 * 512)


def test_a_block_with_no_entries_left_does_not_break_the_sizing() -> None:
    gone = (0, None, None, None, None, None)
    assert fetch_size([gone], FETCH_BYTES) == MAX_FETCH_BLOCKS
    assert fetch_size([gone, _row(2_000_000, 512)], FETCH_BYTES) == fetch_size(
        [_row(2_000_000, 512)], FETCH_BYTES
    )
