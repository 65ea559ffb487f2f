import uuid
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Profile:
    """The caller as `/api/me` shows them: read by the same statement that authenticates them."""

    email: str
    organization_name: str
    created_at: datetime


@dataclass(frozen=True)
class Principal:
    """Who is making the request, as established by a token or an API key."""

    user_id: uuid.UUID
    org_id: uuid.UUID
    role: str
    session_id: str | None = None
    api_key_id: uuid.UUID | None = None
    profile: Profile | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"
