"""Column shapes every table shares."""

import uuid
from datetime import datetime
from typing import Annotated

from sqlalchemy import DateTime, ForeignKey, func, text
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import mapped_column

UUIDPk = Annotated[
    uuid.UUID,
    mapped_column(
        UUID(as_uuid=True),
        primary_key=True,
        default=uuid.uuid4,
        server_default=text("gen_random_uuid()"),
    ),
]
CreatedAt = Annotated[
    datetime, mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)
]
UpdatedAt = Annotated[
    datetime,
    mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now(), nullable=False
    ),
]
OrgFk = Annotated[
    uuid.UUID,
    mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"), nullable=False, index=True),
]
UserFk = Annotated[
    uuid.UUID, mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
]
