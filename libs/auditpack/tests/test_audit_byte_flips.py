"""Every single-byte change anywhere in a pack makes verification fail."""

import struct
import zipfile
from io import BytesIO
from pathlib import Path

from auditpack_builders import build_bytes, handful, signing_key, trained_day

from auditpack.verify import verify_pack


def _undetected(pack: bytes, offsets: range | list[int], target: Path) -> list[int]:
    target.write_bytes(pack)
    assert verify_pack(target, trusted_keys=[signing_key().public]).ok
    undetected = []
    for offset in offsets:
        flipped = bytearray(pack)
        flipped[offset] ^= 0xFF
        target.write_bytes(flipped)
        if verify_pack(target).ok:
            undetected.append(offset)
    return undetected


def _member_offsets(pack: bytes, name: str) -> list[int]:
    """Every byte of a member: local header, data, data descriptor, central directory entry."""
    with zipfile.ZipFile(BytesIO(pack)) as zf:
        infos = zf.infolist()
        index = [i.filename for i in infos].index(name)
        start = infos[index].header_offset
        end = infos[index + 1].header_offset
        directory = zf.start_dir
    offsets = list(range(start, end))
    for _ in range(index + 1):  # walk the central directory to the member's entry
        sizes = struct.unpack_from("<HHH", pack, directory + 28)
        entry = (directory, directory + 46 + sum(sizes))
        directory = entry[1]
    assert pack[entry[0] + 46 : entry[0] + 46 + len(name)] == name.encode()
    return offsets + list(range(*entry))


def test_flipping_any_single_byte_of_a_pack_is_detected(tmp_path: Path) -> None:
    pack = build_bytes(handful())[0]
    undetected = _undetected(pack, range(len(pack)), tmp_path / "flipped.zip")
    assert undetected == [], f"{len(undetected)} of {len(pack)} flips went unnoticed"


def test_flipping_any_single_byte_of_the_training_register_is_detected(tmp_path: Path) -> None:
    pack = build_bytes(trained_day())[0]
    offsets = _member_offsets(pack, "training-register.csv")
    assert len(offsets) > 900  # three rows, their headers and the directory entry
    undetected = _undetected(pack, offsets, tmp_path / "flipped.zip")
    assert undetected == [], f"{len(undetected)} of {len(offsets)} flips went unnoticed"
