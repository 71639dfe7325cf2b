"""The one home for what text an edge accepts: storable in Postgres, free of control characters.

Postgres `text` cannot hold NUL or lone surrogates; control characters in names and reasons
break logs, CSVs and the audit pack's readers. Free text may keep tab and line breaks; single
values (path segments, query values, identifiers, token claims) may not.
"""

import unicodedata
from typing import Annotated, Final

from pydantic import AfterValidator, StringConstraints, WithJsonSchema

#: Line breaks and tabs are fine in free text (a reason may have paragraphs).
_FREE_TEXT_SPACING: Final = frozenset("\t\n\r")
#: Invisible characters that must not make up a "visible" reason on their own.
_INVISIBLE_CATEGORIES: Final = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"})

#: No C0/C1 control character except tab and line breaks (JSON Schema/ECMA-262 form).
FREE_TEXT_PATTERN: Final = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
#: Free text with at least one visible character; format characters (zero-width spaces,
#: joiners, BOM, bidi marks) and Unicode spaces are spelled out so every regex engine agrees.
VISIBLE_TEXT_PATTERN: Final = (
    r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*"
    r"[^\s\x00-\x1f\x7f-\xa0\xad\u034f\u061c\u115f\u1160\u1680\u180e\u2000-\u200f"
    r"\u2028-\u202f\u205f-\u206f\u3000\u3164\ufeff\ufff0-\uffff]"
    r"[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
)


def unstorable(value: str, *, free_text: bool = False) -> str | None:
    """Why `value` may not be stored or passed on, or None when it may."""
    for position, char in enumerate(value):
        code = ord(char)
        if code == 0:
            return f"contains a NUL character at position {position}"
        if 0xD800 <= code <= 0xDFFF:
            return f"contains an unpaired surrogate at position {position} (not valid Unicode)"
        if unicodedata.category(char) == "Cc" and not (free_text and char in _FREE_TEXT_SPACING):
            return f"contains the control character U+{code:04X} at position {position}"
    return None


def has_visible_character(value: str) -> bool:
    """True when a person would see something: not only spaces, controls or format characters."""
    return any(
        unicodedata.category(char) not in _INVISIBLE_CATEGORIES and not char.isspace()
        for char in value
    )


def _storable_text(value: str) -> str:
    problem = unstorable(value, free_text=True)
    if problem:
        raise ValueError(problem)
    return value


def _visible_text(value: str) -> str:
    _storable_text(value)
    if not has_visible_character(value):
        raise ValueError("must contain visible characters, not only spaces or invisible ones")
    return value.strip()


#: Free text a person typed (names, notes): storable, tabs and line breaks allowed.
FreeText = Annotated[
    str,
    StringConstraints(max_length=2000),
    AfterValidator(_storable_text),
    # Documented for clients; checked by the validator, whose refusal is in words, not a regex.
    WithJsonSchema({"type": "string", "maxLength": 2000, "pattern": FREE_TEXT_PATTERN}),
]

#: A reason a person wrote for an audited action: visible text, stored with spaces cut.
ReasonText = Annotated[
    str,
    StringConstraints(min_length=3, max_length=1000),
    AfterValidator(_visible_text),
    WithJsonSchema(
        {"type": "string", "minLength": 3, "maxLength": 1000, "pattern": VISIBLE_TEXT_PATTERN}
    ),
]
