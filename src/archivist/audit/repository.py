"""Every query about the audit log."""

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from archivist.core.pagination import keyset_after
from archivist.models import AuditEvent


class AuditEventRepository:
    async def list(
        self,
        session: AsyncSession,
        org_id: uuid.UUID,
        limit: int,
        after: tuple[datetime, uuid.UUID] | None,
        actor_id: uuid.UUID | None = None,
        action: str | None = None,
    ) -> list[AuditEvent]:
        query = select(AuditEvent).where(AuditEvent.organization_id == org_id)
        if actor_id is not None:
            query = query.where(AuditEvent.actor_id == actor_id)
        if action is not None:
            query = query.where(AuditEvent.action == action)
        query = keyset_after(query, AuditEvent.created_at, AuditEvent.id, after).limit(limit)
        return list(await session.scalars(query))


audit_events = AuditEventRepository()
