"""RFC 6962 Merkle tree hashing with a streaming compact range ("frontier").

The frontier of the first N leaves is the list of roots of the perfect subtrees that N's
binary representation splits them into, largest first. It is O(log N) hashes, folding it from
the right gives the RFC 6962 root, and appending leaves to it only ever touches its tail.
"""

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = hashlib.sha256(b"").digest()


class FrontierError(ValueError):
    """A frontier that cannot be the compact range of a tree of the stated size."""


def leaf_hash(line: bytes) -> bytes:
    """SHA-256(0x00 || line), the line without its newline."""
    return hashlib.sha256(LEAF_PREFIX + line).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right)."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def mth(leaf_hashes: Sequence[bytes]) -> bytes:
    """RFC 6962 Merkle Tree Hash of a list of leaf hashes (direct recursive definition)."""
    n = len(leaf_hashes)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return leaf_hashes[0]
    k = 1 << ((n - 1).bit_length() - 1)  # the largest power of two smaller than n
    return node_hash(mth(leaf_hashes[:k]), mth(leaf_hashes[k:]))


def fold(frontier: Sequence[bytes]) -> bytes:
    """The root of the tree whose compact range is `frontier` (folded from the right)."""
    if not frontier:
        return EMPTY_ROOT
    root = frontier[-1]
    for subtree in reversed(frontier[:-1]):
        root = node_hash(subtree, root)
    return root


def check_frontier(size: int, frontier: Sequence[bytes]) -> None:
    """A frontier of a tree of `size` leaves has one 32-byte hash per set bit of `size`."""
    if size < 0:
        raise FrontierError(f"tree size {size} is negative")
    if len(frontier) != size.bit_count():
        raise FrontierError(
            f"a tree of {size} leaves has {size.bit_count()} subtree roots, not {len(frontier)}"
        )
    if any(len(h) != 32 for h in frontier):
        raise FrontierError("frontier hashes must be 32 bytes")


@dataclass(frozen=True, slots=True)
class LogState:
    """The size and compact range of an operator's log: all a new pack needs of its history."""

    size: int
    frontier: tuple[bytes, ...]

    def __post_init__(self) -> None:
        check_frontier(self.size, self.frontier)

    @classmethod
    def empty(cls) -> "LogState":
        return cls(0, ())

    @property
    def root(self) -> bytes:
        return fold(self.frontier)

    def frontier_hex(self) -> list[str]:
        return [h.hex() for h in self.frontier]


class MerkleAccumulator:
    """Appends leaves one at a time to a log state, in O(log n) memory."""

    __slots__ = ("_frontier", "_size")

    def __init__(self, start: LogState | None = None) -> None:
        state = start or LogState.empty()
        self._size = state.size
        self._frontier = list(state.frontier)

    @property
    def size(self) -> int:
        return self._size

    def add(self, leaf: bytes) -> None:
        """Append one leaf hash: merge equal-sized subtrees like a binary counter carries."""
        merged = leaf
        carry = self._size
        while carry & 1:
            merged = node_hash(self._frontier.pop(), merged)
            carry >>= 1
        self._frontier.append(merged)
        self._size += 1

    def add_leaf_block(self, leaves: bytes) -> None:
        """Append concatenated 32-byte leaf hashes, a perfect subtree at a time.

        The same tree as `add` for each leaf: a run of 2^k leaves starting at a multiple of
        2^k is hashed level by level into its subtree root, which then carries into the
        frontier from height k exactly as 2^k single leaves would have.
        """
        if len(leaves) % 32:
            raise FrontierError(f"{len(leaves)} bytes is not a whole number of 32-byte leaves")
        frontier, size, sha256 = self._frontier, self._size, hashlib.sha256
        view = memoryview(leaves)
        count, done = len(leaves) // 32, 0
        while done < count:
            height = (count - done).bit_length() - 1
            if size:
                height = min(height, (size & -size).bit_length() - 1)
            width = 1 << height
            merged, carry = _subtree_root(view[32 * done : 32 * (done + width)]), size >> height
            while carry & 1:
                merged = sha256(NODE_PREFIX + frontier.pop() + merged).digest()
                carry >>= 1
            frontier.append(merged)
            size += width
            done += width
        self._size = size

    def state(self) -> LogState:
        return LogState(self._size, tuple(self._frontier))


_NODE_HASH = hashlib.sha256(NODE_PREFIX)


def _subtree_root(leaves: memoryview) -> bytes:
    """MTH of a power-of-two run of concatenated leaf hashes, one level at a time (each node
    hashed from a copy of the prefix-primed hash: the fastest form for a million nodes)."""
    level = leaves
    while len(level) > 32:
        nodes = []
        for offset in range(0, len(level), 64):
            node = _NODE_HASH.copy()
            node.update(level[offset : offset + 64])
            nodes.append(node.digest())
        level = memoryview(b"".join(nodes))
    return bytes(level)


@dataclass(frozen=True, slots=True)
class Appended:
    """The result of `append`: the new frontier and size, and the root they fold to."""

    frontier: tuple[bytes, ...]
    size: int
    root: bytes


def append(frontier: Sequence[bytes], size: int, leaf_hashes: Iterable[bytes]) -> Appended:
    """Stream `leaf_hashes` onto the compact range of the first `size` leaves."""
    accumulator = MerkleAccumulator(LogState(size, tuple(frontier)))
    for leaf in leaf_hashes:
        accumulator.add(leaf)
    state = accumulator.state()
    return Appended(frontier=state.frontier, size=state.size, root=state.root)


def compact_range(leaf_hashes: Sequence[bytes]) -> tuple[bytes, ...]:
    """The frontier of `leaf_hashes` computed directly from MTH of each perfect subtree."""
    subtrees: list[bytes] = []
    offset = 0
    remaining = len(leaf_hashes)
    while remaining:
        width = 1 << (remaining.bit_length() - 1)
        subtrees.append(mth(leaf_hashes[offset : offset + width]))
        offset += width
        remaining -= width
    return tuple(subtrees)
