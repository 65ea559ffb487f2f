import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from archivist.audit import schemas
from archivist.audit.service import audit
from archivist.core.deps import AdminUser, SessionDep
from archivist.core.pagination import Cursor, Limit, Page

router = APIRouter(tags=["audit"])


@router.get("/api/audit-events")
async def list_audit_events(
    principal: AdminUser,
    session: SessionDep,
    limit: Limit = 50,
    cursor: Cursor = None,
    actor_id: Annotated[uuid.UUID | None, Query(description="Only this user's actions")] = None,
    action: Annotated[
        str | None, Query(max_length=100, description="Only this action, e.g. `user.updated`")
    ] = None,
) -> Page[schemas.AuditEvent]:
    """The organization's audit log, newest first (admins only)."""
    return await audit.list(session, principal, limit, cursor, actor_id, action)
