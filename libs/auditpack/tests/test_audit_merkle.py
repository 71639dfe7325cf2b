import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditpack.merkle import (
    EMPTY_ROOT,
    FrontierError,
    LogState,
    MerkleAccumulator,
    append,
    compact_range,
    fold,
    leaf_hash,
    mth,
    node_hash,
)

# The Certificate Transparency reference inputs and the RFC 6962 roots for sizes 0..8.
CT_INPUTS = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
CT_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]

leaves_strategy = st.lists(st.binary(max_size=6).map(leaf_hash), max_size=300)


def test_roots_match_the_rfc_6962_reference_vectors_for_every_size() -> None:
    hashes = [leaf_hash(data) for data in CT_INPUTS]
    for size, expected in enumerate(CT_ROOTS):
        assert mth(hashes[:size]).hex() == expected
        assert append((), 0, hashes[:size]).root.hex() == expected


def test_empty_tree_root_is_sha256_of_the_empty_string() -> None:
    assert hashlib.sha256(b"").digest() == EMPTY_ROOT
    assert fold(()) == EMPTY_ROOT
    assert LogState.empty().root == EMPTY_ROOT


def test_leaf_and_node_hashes_are_domain_separated() -> None:
    assert leaf_hash(b"x") == hashlib.sha256(b"\x00x").digest()
    assert (
        node_hash(b"a" * 32, b"b" * 32) == hashlib.sha256(b"\x01" + b"a" * 32 + b"b" * 32).digest()
    )


def test_streaming_append_equals_the_direct_root_for_every_size_and_split_up_to_64() -> None:
    hashes = [leaf_hash(i.to_bytes(2, "big")) for i in range(64)]
    for size in range(65):
        expected = mth(hashes[:size])
        for split in range(size + 1):
            before = append((), 0, hashes[:split])
            assert append(before.frontier, split, hashes[split:size]).root == expected


@settings(max_examples=200, deadline=None)
@given(leaves=leaves_strategy, data=st.data())
def test_streaming_append_from_any_split_point_equals_the_direct_root(
    leaves: list[bytes], data: st.DataObject
) -> None:
    split = data.draw(st.integers(0, len(leaves)))
    before = append((), 0, leaves[:split])
    after = append(before.frontier, before.size, leaves[split:])
    assert before.root == mth(leaves[:split])
    assert after.root == mth(leaves)
    assert after.size == len(leaves)
    assert after.frontier == compact_range(leaves)


@settings(max_examples=100, deadline=None)
@given(leaves=leaves_strategy, data=st.data())
def test_many_consecutive_appends_equal_one_direct_computation(
    leaves: list[bytes], data: st.DataObject
) -> None:
    cuts = sorted(data.draw(st.lists(st.integers(0, len(leaves)), max_size=6)))
    frontier: tuple[bytes, ...] = ()
    size = 0
    for start, end in zip([0, *cuts], [*cuts, len(leaves)], strict=True):
        step = append(frontier, size, leaves[start:end])
        frontier, size = step.frontier, step.size
        assert step.root == mth(leaves[:end])
    assert fold(frontier) == mth(leaves)


@settings(max_examples=100, deadline=None)
@given(leaves=leaves_strategy)
def test_frontier_has_one_perfect_subtree_root_per_set_bit_largest_first(
    leaves: list[bytes],
) -> None:
    accumulator = MerkleAccumulator()
    for leaf in leaves:
        accumulator.add(leaf)
    state = accumulator.state()
    assert len(state.frontier) == len(leaves).bit_count()
    assert state.frontier == compact_range(leaves)
    assert fold(state.frontier) == mth(leaves)


def test_frontier_of_the_wrong_length_for_its_size_is_refused() -> None:
    hashes = [leaf_hash(bytes([i])) for i in range(6)]
    frontier = compact_range(hashes)  # 6 = 4 + 2: two subtree roots
    with pytest.raises(FrontierError):
        append(frontier, 7, [hashes[0]])
    with pytest.raises(FrontierError):
        LogState(6, frontier[:1])


@settings(max_examples=200, deadline=None)
@given(leaves=leaves_strategy, data=st.data())
def test_appending_leaf_blocks_equals_appending_leaf_by_leaf_from_any_start(
    leaves: list[bytes], data: st.DataObject
) -> None:
    start = data.draw(st.integers(0, len(leaves)))
    cuts = sorted(data.draw(st.lists(st.integers(start, len(leaves)), max_size=8)))
    by_block = MerkleAccumulator(LogState(start, compact_range(leaves[:start])))
    for first, end in zip([start, *cuts], [*cuts, len(leaves)], strict=True):
        by_block.add_leaf_block(b"".join(leaves[first:end]))
    assert by_block.state() == LogState(len(leaves), compact_range(leaves))


def test_a_leaf_block_of_partial_hashes_is_refused() -> None:
    with pytest.raises(FrontierError, match="32-byte leaves"):
        MerkleAccumulator().add_leaf_block(b"x" * 33)
