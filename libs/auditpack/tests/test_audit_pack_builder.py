"""The incremental builder: a block in, the bytes to write out at once; the rest on finish."""

import pytest
from auditpack_builders import build_bytes, handful, keyring, spec_for, trained_day

from auditpack.pack import PackBuilder, PackBuildError, record_blocks


def test_each_block_comes_back_whole_as_the_next_bytes_and_the_pack_is_the_same() -> None:
    records = handful() + trained_day(start=len(handful()))
    spec = spec_for()
    blocks = list(record_blocks(records, spec, size=2))
    expected, expected_result = build_bytes(records)

    written: list[bytes] = []
    with PackBuilder(spec=spec, keyring=keyring()) as builder:
        for number, block in enumerate(blocks):
            data = builder.add_block(block)
            if number:
                assert data is block.lines  # passed on, not copied or held back
            else:
                assert data.endswith(block.lines)  # after the zip's first local header
            written.append(data)
        written.extend(builder.finish())

    assert b"".join(written) == expected
    assert builder.result == expected_result


def test_a_day_without_blocks_is_a_whole_pack_from_finish_alone() -> None:
    expected, _ = build_bytes([])

    with PackBuilder(spec=spec_for(), keyring=keyring()) as builder:
        written = b"".join(builder.finish())

    assert written == expected
    assert builder.result.event_count == 0


def test_the_result_is_known_only_once_the_pack_is_finished() -> None:
    with PackBuilder(spec=spec_for(), keyring=keyring()) as builder:
        builder.add_block(next(record_blocks(handful(), spec_for())))
        with pytest.raises(PackBuildError, match="not finished"):
            _ = builder.result


def test_a_block_out_of_order_is_refused() -> None:
    records = handful()
    blocks = list(record_blocks(records, spec_for(), size=2))

    with (
        PackBuilder(spec=spec_for(), keyring=keyring()) as builder,
        pytest.raises(PackBuildError, match="expected 0"),
    ):
        builder.add_block(blocks[1])
