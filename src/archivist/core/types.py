"""Field types shared by request schemas."""

from typing import Annotated

from pydantic import AfterValidator, StringConstraints


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL; refusing it here names the field instead of failing later.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


NoNul = AfterValidator(_no_nul)
# Surrounding whitespace is dropped before the length check, so "   " is refused, not stored empty.
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), NoNul]
Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=512), NoNul
]
# Free text (a chat question): any length the field allows, but no NUL.
Text = Annotated[str, NoNul]
