"""Keyset pagination: `{items, next_cursor}` with an opaque cursor and `limit` ≤ 200."""

import base64
import json
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar, TypeVarTuple

from fastapi import Query
from pydantic import BaseModel
from sqlalchemy import Select, and_, or_

from archivist.core.errors import InvalidPayload

T = TypeVar("T")

Limit = Annotated[int, Query(ge=1, le=200, description="Items per page")]
Cursor = Annotated[str | None, Query(description="`next_cursor` of the previous page")]


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def encode_cursor(at: datetime, row_id: uuid.UUID) -> str:
    raw = json.dumps([at.isoformat(), str(row_id)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        at, row_id = json.loads(base64.urlsafe_b64decode(padded))
        return datetime.fromisoformat(at), uuid.UUID(row_id)
    except (ValueError, TypeError, AttributeError) as exc:
        raise InvalidPayload("cursor: not a cursor this API returned") from exc


R = TypeVar("R")


def cut(
    rows: list[R], limit: int, key: Callable[[R], tuple[datetime, uuid.UUID]]
) -> tuple[list[R], str | None]:
    """Given up to limit+1 rows, the page and the cursor of the next one (None on the last)."""
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    return rows, encode_cursor(*key(rows[-1]))


Ts = TypeVarTuple("Ts")


def keyset_after(
    query: Select[*Ts],
    at_column: Any,
    id_column: Any,
    after: tuple[datetime, uuid.UUID] | None,
) -> Select[*Ts]:
    """Rows strictly after the cursor, newest first by (at, id)."""
    if after is not None:
        at, row_id = after
        query = query.where(or_(at_column < at, and_(at_column == at, id_column < row_id)))
    return query.order_by(at_column.desc(), id_column.desc())
