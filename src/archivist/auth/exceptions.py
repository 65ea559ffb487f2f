from archivist.core.errors import (
    AppError,
    Conflict,
    Forbidden,
    InvalidPayload,
    NotAuthenticated,
    NotFound,
)


class InvalidCredentials(NotAuthenticated):
    detail = "Wrong email or password"


class InvalidToken(NotAuthenticated):
    detail = "Invalid or expired token"


class SessionRevoked(NotAuthenticated):
    detail = "This session has ended; sign in again"


class AccountDeactivated(NotAuthenticated):
    detail = "This account has been deactivated"


class EmailTaken(Conflict):
    detail = "An account with this email already exists"


class InvalidInvite(InvalidPayload):
    detail = "This invite is invalid, already used or expired"


class InvalidResetToken(InvalidPayload):
    detail = "This password-reset token is invalid, already used or expired"


class WrongCurrentPassword(InvalidPayload):
    detail = "current_password: this is not your current password"


class SessionNotFound(NotFound):
    detail = "Session not found"


class CsrfFailed(Forbidden):
    detail = "Missing or wrong CSRF token for a cookie-authenticated request"


class ApiKeyNotFound(NotFound):
    detail = "API key not found"


__all__ = ["AppError"]
