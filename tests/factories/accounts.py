"""Accounts for tests: organizations with an admin and members, through the real API."""

import uuid
from dataclasses import dataclass, field

from httpx import AsyncClient

PASSWORD = "correct horse battery staple"


@dataclass
class Account:
    id: str
    email: str
    org_id: str
    token: str
    role: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Org:
    admin: Account
    members: list[Account] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.admin.org_id


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"


def _account(body: dict[str, object]) -> Account:
    user = body["user"]
    assert isinstance(user, dict)
    return Account(
        id=user["id"],
        email=user["email"],
        org_id=user["organization_id"],
        token=str(body["access_token"]),
        role=user["role"],
    )


async def register_org(client: AsyncClient, name: str = "Acme") -> Account:
    response = await client.post(
        "/api/auth/register",
        json={"email": unique_email("admin"), "password": PASSWORD, "organization_name": name},
    )
    assert response.status_code == 201, response.text
    return _account(response.json())


async def invite_member(client: AsyncClient, admin: Account, role: str = "member") -> Account:
    invite = await client.post(
        "/api/organization/invites", json={"role": role}, headers=admin.headers
    )
    assert invite.status_code == 201, invite.text
    response = await client.post(
        "/api/auth/register",
        json={
            "email": unique_email(role),
            "password": PASSWORD,
            "invite_token": invite.json()["invite_token"],
        },
    )
    assert response.status_code == 201, response.text
    return _account(response.json())


async def make_org(client: AsyncClient, members: int = 2, name: str = "Acme") -> Org:
    admin = await register_org(client, name)
    org = Org(admin=admin)
    for _ in range(members):
        org.members.append(await invite_member(client, admin))
    return org
