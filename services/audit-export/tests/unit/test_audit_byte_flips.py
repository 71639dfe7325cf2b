"""Every single-byte change anywhere in a pack makes verification fail."""

from pathlib import Path

from auditpack_builders import build_bytes, handful, signing_key

from audit_export.domain.verify import verify_pack


def test_flipping_any_single_byte_of_a_pack_is_detected(tmp_path: Path) -> None:
    pack = build_bytes(handful())[0]
    target = tmp_path / "flipped.zip"
    trusted = [signing_key().public]
    target.write_bytes(pack)
    assert verify_pack(target, trusted_keys=trusted).ok
    undetected = []
    for offset in range(len(pack)):
        flipped = bytearray(pack)
        flipped[offset] ^= 0xFF
        target.write_bytes(flipped)
        if verify_pack(target).ok:
            undetected.append(offset)
    assert undetected == [], f"{len(undetected)} of {len(pack)} flips went unnoticed"
