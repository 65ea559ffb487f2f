import uuid
from datetime import datetime
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, EmailStr, Field, model_validator

from archivist.core.types import Name

Role = Literal["admin", "member"]


class User(BaseModel):
    id: uuid.UUID
    email: str
    organization_id: uuid.UUID
    organization_name: str
    role: Role
    is_active: bool = True
    created_at: datetime


class RegisterRequest(BaseModel):
    email: EmailStr
    password: str = Field(min_length=12, max_length=1024)
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
