from fastapi import APIRouter, status

from archivist.chat import schemas
from archivist.chat.service import chat
from archivist.core.deps import CurrentUser, SessionDep, SessionID
from archivist.core.pagination import Cursor, Limit, Page

router = APIRouter(tags=["chat"])


@router.post("/api/chat/sessions", status_code=status.HTTP_201_CREATED)
async def create_session(
    data: schemas.SessionCreate, principal: CurrentUser, session: SessionDep
) -> schemas.Session:
    return await chat.create_session(session, principal, data)


@router.get("/api/chat/sessions")
async def list_sessions(
    principal: CurrentUser, session: SessionDep, limit: Limit = 50, cursor: Cursor = None
) -> Page[schemas.Session]:
    """The caller's chat sessions, most recently active first."""
    return await chat.list_sessions(session, principal, limit, cursor)


@router.get("/api/chat/sessions/{session_id}")
async def get_session(
    session_id: SessionID, principal: CurrentUser, session: SessionDep
) -> schemas.SessionDetail:
    return await chat.get_session(session, principal, session_id)


@router.patch("/api/chat/sessions/{session_id}")
async def rename_session(
    session_id: SessionID, data: schemas.SessionUpdate, principal: CurrentUser, session: SessionDep
) -> schemas.Session:
    return await chat.rename_session(session, principal, session_id, data)


@router.delete("/api/chat/sessions/{session_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_session(
    session_id: SessionID, principal: CurrentUser, session: SessionDep
) -> None:
    await chat.delete_session(session, principal, session_id)
