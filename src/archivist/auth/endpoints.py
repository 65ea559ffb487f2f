import uuid

from fastapi import APIRouter, Request, Response, status

from archivist.auth import schemas
from archivist.auth.service import Issued, auth
from archivist.auth.session_store import Client
from archivist.core.config import Settings
from archivist.core.deps import CurrentUser, RedisDep, SessionDep, StateDep
from archivist.core.pagination import Cursor, Limit, Page
from archivist.core.security import csrf_token

router = APIRouter(tags=["auth"])


def _set_cookies(response: Response, settings: Settings, secret: str, issued: Issued) -> None:
    common = {
        "max_age": issued.response.expires_in,
        "samesite": "lax",
        "secure": settings.auth.cookie_secure,
        "path": "/",
    }
    response.set_cookie(
        settings.auth.cookie_name,
        issued.response.access_token,
        httponly=True,
        **common,  # type: ignore[arg-type]
    )
    # Readable by the web UI, which echoes it in the CSRF header on writes.
    response.set_cookie(
        settings.auth.csrf_cookie_name,
        csrf_token(secret, issued.session_id),
        httponly=False,
        **common,  # type: ignore[arg-type]
    )


def _client(request: Request) -> Client:
    return Client(
        ip=request.client.host if request.client else "unknown",
        user_agent=request.headers.get("user-agent", ""),
    )


def _clear_cookies(response: Response, settings: Settings) -> None:
    response.delete_cookie(settings.auth.cookie_name, path="/")
    response.delete_cookie(settings.auth.csrf_cookie_name, path="/")


@router.post(
    "/api/auth/register",
    status_code=status.HTTP_201_CREATED,
    responses={409: {"description": "The email is taken"}},
)
async def register(
    data: schemas.RegisterRequest,
    request: Request,
    response: Response,
    state: StateDep,
    session: SessionDep,
) -> schemas.TokenResponse:
    """Create an account: a new organization (as its admin) or, with an invite, join one.

    Sign-ups are throttled per client address (429 with `Retry-After`); joining through a valid
    invite does not count against that limit.
    """
    issued = await auth.register(
        session, state.redis, state.settings, state.jwt_secret, data, _client(request)
    )
    _set_cookies(response, state.settings, state.jwt_secret, issued)
    return issued.response


@router.post(
    "/api/auth/login",
    responses={
        401: {"description": "Wrong email or password"},
        429: {"description": "Too many failed sign-ins; see Retry-After"},
    },
)
async def login(
    data: schemas.LoginRequest,
    request: Request,
    response: Response,
    state: StateDep,
    session: SessionDep,
) -> schemas.TokenResponse:
    """Sign in with email and password; also sets the session cookie for the web UI.

    Every attempt counts against the per-account and per-address limits until it succeeds;
    beyond them the answer is 429 with `Retry-After`, whatever the password.
    """
    issued = await auth.login(
        session, state.redis, state.settings, state.jwt_secret, data, _client(request)
    )
    _set_cookies(response, state.settings, state.jwt_secret, issued)
    return issued.response


@router.post("/api/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(principal: CurrentUser, redis: RedisDep, state: StateDep) -> Response:
    """End this session: its token stops working at once."""
    await auth.logout(redis, principal)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    _clear_cookies(response, state.settings)
    return response


@router.post("/api/auth/logout-all", status_code=status.HTTP_204_NO_CONTENT)
async def logout_all(principal: CurrentUser, redis: RedisDep, state: StateDep) -> Response:
    """End every session of this user, on every device."""
    await auth.logout_all(redis, principal)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    _clear_cookies(response, state.settings)
    return response


@router.post("/api/auth/password-reset", status_code=status.HTTP_204_NO_CONTENT)
async def reset_password(data: schemas.PasswordReset, session: SessionDep, redis: RedisDep) -> None:
    """Set a new password with a one-time token from an admin (no sign-in needed).

    The token works once and expires; every session of the user ends. An unknown, used or expired
    token is 422.
    """
    await auth.reset_password(session, redis, data)


@router.get("/api/me")
async def me(principal: CurrentUser, session: SessionDep) -> schemas.User:
    return await auth.me(session, principal)


@router.post("/api/me/password", status_code=status.HTTP_204_NO_CONTENT)
async def change_password(
    data: schemas.PasswordChange,
    principal: CurrentUser,
    session: SessionDep,
    redis: RedisDep,
    state: StateDep,
) -> None:
    """Change the signed-in user's password; every other session of theirs ends.

    A wrong `current_password` is 422 (`WrongCurrentPassword`) and counts against the account's
    sign-in limit, so a borrowed session cannot be used to guess the password.
    """
    await auth.change_password(session, redis, state.settings, principal, data)


@router.get("/api/me/sessions")
async def list_sessions(principal: CurrentUser, redis: RedisDep) -> Page[schemas.SignInSession]:
    """The signed-in user's live sessions, most recently used first; `current` marks this one."""
    return await auth.list_sessions(redis, principal)


@router.delete("/api/me/sessions/{session_id}", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_session(session_id: str, principal: CurrentUser, redis: RedisDep) -> None:
    """End one of the user's sessions (its token stops working at once); not theirs: 404."""
    await auth.revoke_session(redis, principal, session_id)


@router.post("/api/api-keys", status_code=status.HTTP_201_CREATED)
async def create_api_key(
    data: schemas.ApiKeyCreate, principal: CurrentUser, session: SessionDep
) -> schemas.ApiKeyCreated:
    """Create an API key for scripts; the key is shown only in this response."""
    return await auth.create_api_key(session, principal, data)


@router.get("/api/api-keys")
async def list_api_keys(
    principal: CurrentUser, session: SessionDep, limit: Limit = 50, cursor: Cursor = None
) -> Page[schemas.ApiKey]:
    """The caller's API keys (never their secrets)."""
    return await auth.list_api_keys(session, principal, limit, cursor)


@router.delete("/api/api-keys/{key_id}", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_api_key(key_id: uuid.UUID, principal: CurrentUser, session: SessionDep) -> None:
    await auth.revoke_api_key(session, principal, key_id)
