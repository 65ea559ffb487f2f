"""Append-only record of security-relevant actions, readable by the organization's admins."""

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from archivist.audit import schemas
from archivist.audit.repository import audit_events as audit_repo
from archivist.auth.principal import Principal
from archivist.core.pagination import Page, cut, decode_cursor
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

    async def list(
        self,
        session: AsyncSession,
        principal: Principal,
        limit: int,
        cursor: str | None,
        actor_id: uuid.UUID | None = None,
        action: str | None = None,
    ) -> Page[schemas.AuditEvent]:
        after = decode_cursor(cursor) if cursor else None
        rows = await audit_repo.list(
            session, principal.org_id, limit + 1, after, actor_id=actor_id, action=action
        )
        rows, next_cursor = cut(rows, limit, lambda event: (event.created_at, event.id))
        return Page(
            items=[schemas.AuditEvent.model_validate(r) for r in rows], next_cursor=next_cursor
        )


audit = AuditService()
