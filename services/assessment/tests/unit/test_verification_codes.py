import pytest
from assessment_builders import seeded_entropy
from hypothesis import given
from hypothesis import strategies as st

from assessment.domain.codes import (
    CROCKFORD_ALPHABET,
    new_verification_code,
    normalise_verification_code,
)
from assessment.domain.errors import InvalidVerificationCode


def test_verification_code_is_12_crockford_chars_in_groups_of_four() -> None:
    code = new_verification_code(seeded_entropy(1))
    groups = code.split("-")
    assert [len(g) for g in groups] == [4, 4, 4]
    assert all(ch in CROCKFORD_ALPHABET for ch in "".join(groups))


def test_verification_code_comes_from_injected_entropy() -> None:
    assert new_verification_code(seeded_entropy(5)) == new_verification_code(seeded_entropy(5))
    assert new_verification_code(lambda n: bytes(n)) == "0000-0000-0000"
    assert new_verification_code(lambda n: b"\xff" * n) == "ZZZZ-ZZZZ-ZZZZ"


def test_short_entropy_is_refused() -> None:
    with pytest.raises(ValueError, match="expected 8"):
        new_verification_code(lambda n: b"\x00")


def test_typed_code_is_normalised() -> None:
    assert normalise_verification_code("7k3m q9xd 2hpv") == "7K3M-Q9XD-2HPV"
    assert normalise_verification_code("7K3MQ9XD2HPV") == "7K3M-Q9XD-2HPV"
    assert normalise_verification_code("oIL0-0000-0000") == "0110-0000-0000"


@pytest.mark.parametrize(
    "text", ["7K3M-Q9XD-2HP", "7K3M-Q9XD-2HPVX", "UUUU-0000-0000", "7K3M_Q9XD_2HPV"]
)
def test_malformed_code_is_rejected_with_guidance(text: str) -> None:
    with pytest.raises(InvalidVerificationCode, match="12 characters"):
        normalise_verification_code(text)


@given(raw=st.binary(min_size=8, max_size=8))
def test_generated_codes_survive_normalisation(raw: bytes) -> None:
    code = new_verification_code(lambda n: raw)
    assert normalise_verification_code(code) == code
    assert normalise_verification_code(code.lower().replace("-", " ")) == code


@given(a=st.binary(min_size=8, max_size=8), b=st.binary(min_size=8, max_size=8))
def test_codes_differ_when_their_top_60_bits_differ(a: bytes, b: bytes) -> None:
    same_bits = int.from_bytes(a, "big") >> 4 == int.from_bytes(b, "big") >> 4
    assert (new_verification_code(lambda n: a) == new_verification_code(lambda n: b)) == same_bits
