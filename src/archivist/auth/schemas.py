import uuid
from datetime import datetime
from typing import Annotated, Literal, Self

import email_validator
from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from archivist.core.types import Name

Role = Literal["admin", "member"]

# Self-hosted organizations live on internal domains (.local, .home.arpa, .corp, .test) and
# Archivist sends no mail: any syntactically valid address is accepted. This is the library's
# documented switch for it (the list is what rejects "special-use" domains).
email_validator.SPECIAL_USE_DOMAIN_NAMES.clear()


def _valid_email(value: str) -> str:
    try:
        return validate_email(
            value, check_deliverability=False, globally_deliverable=False
        ).normalized
    except EmailNotValidError as exc:
        raise ValueError(f"not a valid email address: {exc}") from exc


Email = Annotated[str, Field(max_length=320), AfterValidator(_valid_email)]
Password = Annotated[str, Field(min_length=12, max_length=1024)]


class User(BaseModel):
    id: uuid.UUID
    email: str
    organization_id: uuid.UUID
    organization_name: str
    role: Role
    is_active: bool = True
    created_at: datetime


class RegisterRequest(BaseModel):
    email: Email
    password: Password
    organization_name: Name | None = None
    invite_token: str | None = Field(default=None, min_length=1, max_length=200)

    @model_validator(mode="after")
    def one_way_in(self) -> Self:
        if bool(self.organization_name) == bool(self.invite_token):
            raise ValueError(
                "give exactly one of organization_name (new organization) or invite_token"
            )
        return self


class LoginRequest(BaseModel):
    email: str = Field(min_length=1, max_length=320)
    password: str = Field(min_length=1, max_length=1024)


class TokenResponse(BaseModel):
    user: User
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


class ApiKeyCreate(BaseModel):
    name: Name


class ApiKey(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None = None


class ApiKeyCreated(ApiKey):
    key: str


class PasswordChange(BaseModel):
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: Password


class PasswordReset(BaseModel):
    token: str = Field(min_length=1, max_length=200)
    new_password: Password


class PasswordResetIssued(BaseModel):
    reset_token: str
    expires_at: datetime


class SignInSession(BaseModel):
    """A live sign-in of the user (a device or browser), not a chat session."""

    id: str
    created_at: datetime
    last_used_at: datetime
    ip: str | None = None
    user_agent: str | None = None
    current: bool
