"""Field types shared by request schemas."""

from typing import Annotated

from pydantic import StringConstraints

# Surrounding whitespace is dropped before the length check, so "   " is refused, not stored empty.
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=512)]
