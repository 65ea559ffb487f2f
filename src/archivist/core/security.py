"""Password hashing, access tokens and secret digests."""

import hashlib
import hmac
import secrets
import time
import uuid
from dataclasses import dataclass

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from archivist.core.config import Settings
from archivist.core.private_files import read_or_create

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verified against when the email is unknown, so both answers take the same time.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
JWT_ALGORITHM = "HS256"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


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
