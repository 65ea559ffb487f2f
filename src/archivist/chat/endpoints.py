from fastapi import APIRouter, status
from fastapi.responses import StreamingResponse

from archivist.chat import schemas
from archivist.chat.answer import answerer
from archivist.chat.service import chat
from archivist.chat.sse import with_pings
from archivist.core.deps import CurrentUser, SessionDep, SessionID, StateDep
from archivist.core.errors import ServiceUnavailable
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


@router.post(
    "/api/chat/sessions/{session_id}/messages",
    response_model=None,
    responses={200: {"content": {"text/event-stream": {}}, "model": schemas.Message}},
)
async def post_message(
    session_id: SessionID,
    data: schemas.MessageCreate,
    principal: CurrentUser,
    session: SessionDep,
    state: StateDep,
) -> StreamingResponse | schemas.Message:
    """Ask a question. With `stream` (default) the answer arrives as server-sent events:
    `sources`, then `delta`s, then `done` with the stored message (or `error`)."""
    await chat.get_session(session, principal, session_id)  # 404 before anything streams
    events = answerer.events(state, principal, session_id, data.content.strip())
    if data.stream:
        return StreamingResponse(
            with_pings(events, state.settings.chat.ping_seconds),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )
    async for name, payload in events:
        if name == "done":
            return schemas.Message.model_validate(payload)
        if name == "error":
            raise ServiceUnavailable(payload["detail"])
    raise ServiceUnavailable("The answer did not complete")
