import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from archivist.auth.schemas import Email, Role
from archivist.core.types import Name


class Organization(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    created_at: datetime


class InviteCreate(BaseModel):
    email: Email | None = None
    role: Role = "member"


class InviteCreated(BaseModel):
    invite_token: str
    expires_at: datetime
    email: str | None = None
    role: Role


class UserUpdate(BaseModel):
    role: Role | None = None
    is_active: bool | None = None


class GroupCreate(BaseModel):
    name: Name


class Group(BaseModel):
    id: uuid.UUID
    name: str
    member_ids: list[uuid.UUID] = []


class GroupMemberAdd(BaseModel):
    user_id: uuid.UUID
