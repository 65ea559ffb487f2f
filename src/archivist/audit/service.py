"""Append-only record of security-relevant actions, readable by the organization's admins."""

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from archivist.models import AuditEvent


class AuditService:
    async def record(
        self,
        session: AsyncSession,
        organization_id: uuid.UUID,
        actor_id: uuid.UUID | None,
        action: str,
        target_type: str | None = None,
        target_id: uuid.UUID | None = None,
        **data: Any,
    ) -> None:
        session.add(
            AuditEvent(
                organization_id=organization_id,
                actor_id=actor_id,
                action=action,
                target_type=target_type,
                target_id=target_id,
                data=data,
            )
        )


audit = AuditService()
