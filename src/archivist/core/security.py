"""Password hashing, access tokens and secret digests."""

import asyncio
import hashlib
import hmac
import os
import secrets
import time
import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from weakref import WeakKeyDictionary

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from archivist.core.config import Settings
from archivist.core.private_files import read_or_create

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verified against when the email is unknown, so both answers take the same time.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
JWT_ALGORITHM = "HS256"
# Each argon2 call takes ~64 MiB and tens of milliseconds of CPU. They run on this small pool,
# never on the event loop, so a burst of sign-ins neither stalls other requests nor takes more
# than PASSWORD_THREADS times 64 MiB: the rest wait in the pool's queue. Half the cores at most:
# under load (measured with bench/load.py on 2 cores), sign-ins on both cores starved the rest.
PASSWORD_THREADS = max(1, (os.cpu_count() or 2) // 2)
_password_pool = ThreadPoolExecutor(PASSWORD_THREADS, thread_name_prefix="argon2")


_turns: "WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore]" = WeakKeyDictionary()


@asynccontextmanager
async def password_turn() -> AsyncIterator[None]:
    """Wait for a free password thread before taking anything else a sign-in needs.

    A sign-in that queued for the pool while holding a database connection would, in a burst,
    hold every connection of the pool and starve requests that need no password at all.
    """
    loop = asyncio.get_running_loop()
    turn = _turns.setdefault(loop, asyncio.Semaphore(PASSWORD_THREADS))
    async with turn:
        yield


def _hash_password_sync(password: str) -> str:
    return _hasher.hash(password)


def _verify_password_sync(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


async def hash_password(password: str) -> str:
    return await asyncio.get_running_loop().run_in_executor(
        _password_pool, _hash_password_sync, password
    )


async def verify_password(password_hash: str | None, password: str) -> bool:
    """True when `password` matches; with no hash (unknown user) it takes as long and is False."""
    return await asyncio.get_running_loop().run_in_executor(
        _password_pool, _verify_password_sync, password_hash, password
    )


def digest(secret: str) -> str:
    """sha256 of a high-entropy secret (API key, invite token) for storage and lookup."""
    return hashlib.sha256(secret.encode()).hexdigest()


def jwt_secret(settings: Settings) -> str:
    """The configured signing key, or one generated once and kept in the data dir."""
    if settings.auth.jwt_secret:
        return settings.auth.jwt_secret
    return read_or_create(
        settings.data_dir / "secrets" / "jwt-secret", lambda: secrets.token_urlsafe(48)
    )


@dataclass(frozen=True)
class TokenClaims:
    user_id: uuid.UUID
    org_id: uuid.UUID
    session_id: str
    expires_at: int


def issue_token(
    secret: str, user_id: uuid.UUID, org_id: uuid.UUID, session_id: str, ttl_seconds: int
) -> tuple[str, TokenClaims]:
    expires_at = int(time.time()) + ttl_seconds
    claims = {"sub": str(user_id), "org": str(org_id), "sid": session_id, "exp": expires_at}
    token = jwt.encode(claims, secret, algorithm=JWT_ALGORITHM)
    return token, TokenClaims(user_id, org_id, session_id, expires_at)


def decode_token(secret: str, token: str) -> TokenClaims | None:
    """The token's claims, or None when it is malformed, tampered with or expired."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[JWT_ALGORITHM],
            options={"require": ["sub", "org", "sid", "exp"]},
        )
        return TokenClaims(
            uuid.UUID(claims["sub"]),
            uuid.UUID(claims["org"]),
            str(claims["sid"]),
            int(claims["exp"]),
        )
    except (jwt.PyJWTError, ValueError, TypeError):
        return None


def csrf_token(secret: str, session_id: str) -> str:
    """Bound to the session, so it needs no storage and dies with the session."""
    return hmac.new(secret.encode(), f"csrf:{session_id}".encode(), hashlib.sha256).hexdigest()
