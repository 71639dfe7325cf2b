"""Human-typeable certificate verification codes (Crockford base32, 12 chars, 60 bits)."""

from collections.abc import Callable

from assessment.domain.errors import InvalidVerificationCode

#: Crockford's alphabet: no I, L, O or U, so codes survive being read aloud and retyped.
CROCKFORD_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12
GROUP = 4
_ENTROPY_BYTES = 8
_ALIASES = {"O": "0", "I": "1", "L": "1"}

#: Source of random bytes, e.g. `secrets.token_bytes`; injected so tests are deterministic.
Entropy = Callable[[int], bytes]


def new_verification_code(entropy: Entropy) -> str:
    """A fresh code such as `7K3M-Q9XD-2HPV`; uniqueness is enforced where codes are stored."""
    raw = entropy(_ENTROPY_BYTES)
    if len(raw) != _ENTROPY_BYTES:
        raise ValueError(f"entropy source returned {len(raw)} bytes, expected {_ENTROPY_BYTES}")
    number = int.from_bytes(raw, "big") >> (_ENTROPY_BYTES * 8 - CODE_LENGTH * 5)
    chars = [
        CROCKFORD_ALPHABET[(number >> (5 * (CODE_LENGTH - 1 - i))) & 0x1F]
        for i in range(CODE_LENGTH)
    ]
    return _group("".join(chars))


def normalise_verification_code(text: str) -> str:
    """Canonical grouped form of what a person typed: case, hyphens, spaces and O/I/L forgiven."""
    compact = "".join(ch for ch in text.upper() if ch not in "- \t")
    compact = "".join(_ALIASES.get(ch, ch) for ch in compact)
    if len(compact) != CODE_LENGTH or any(ch not in CROCKFORD_ALPHABET for ch in compact):
        raise InvalidVerificationCode(text)
    return _group(compact)


def _group(compact: str) -> str:
    return "-".join(compact[i : i + GROUP] for i in range(0, len(compact), GROUP))
