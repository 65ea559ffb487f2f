"""Typed dependencies shared by every endpoint."""

import hmac
import uuid
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Path, Request
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from archivist.auth.exceptions import CsrfFailed
from archivist.auth.principal import Principal
from archivist.auth.service import auth
from archivist.core.config import Settings
from archivist.core.db import transaction
from archivist.core.errors import Forbidden, NotAuthenticated
from archivist.core.logging import org_id_var, user_id_var
from archivist.core.security import csrf_token
from archivist.core.state import AppState

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


# The dependencies below are `async def` although they never await: FastAPI runs a plain `def`
# dependency in its thread pool, a hand-off to another thread on every request.


async def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.archivist
    return state


StateDep = Annotated[AppState, Depends(get_state)]


async def get_settings_dep(state: StateDep) -> Settings:
    return state.settings


async def get_redis(state: StateDep) -> "Redis":
    return state.redis


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
RedisDep = Annotated["Redis", Depends(get_redis)]


async def get_session(state: StateDep) -> AsyncIterator[AsyncSession]:
    """The request's one transaction; committed before the response is sent."""
    async with transaction(state.sessionmaker) as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


def _credential(request: Request, settings: Settings) -> tuple[str, bool]:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip(), False
    cookie = request.cookies.get(settings.auth.cookie_name)
    if cookie:
        return cookie, True
    raise NotAuthenticated()


async def get_principal(request: Request, state: StateDep, session: SessionDep) -> Principal:
    settings = state.settings
    credential, from_cookie = _credential(request, settings)
    principal = await auth.authenticate(
        session,
        state.redis,
        state.jwt_secret,
        credential,
        settings.auth.api_requests_per_minute,
    )
    if from_cookie and request.method not in SAFE_METHODS:
        sent = request.headers.get(settings.auth.csrf_header_name, "")
        expected = csrf_token(state.jwt_secret, principal.session_id or "")
        if not hmac.compare_digest(sent, expected):
            raise CsrfFailed()
    request.state.principal = principal
    user_id_var.set(str(principal.user_id))
    org_id_var.set(str(principal.org_id))
    return principal


CurrentUser = Annotated[Principal, Depends(get_principal)]


async def get_admin(principal: CurrentUser) -> Principal:
    if not principal.is_admin:
        raise Forbidden("Only organization admins can do this")
    return principal


AdminUser = Annotated[Principal, Depends(get_admin)]
UserID = Annotated[uuid.UUID, Path(description="User id")]
GroupID = Annotated[uuid.UUID, Path(description="Group id")]
SessionID = Annotated[uuid.UUID, Path(description="Chat session id")]
DocumentID = Annotated[uuid.UUID, Path(description="Document id")]
FileID = Annotated[uuid.UUID, Path(description="File id")]
