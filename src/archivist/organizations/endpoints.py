from fastapi import APIRouter, status

from archivist.auth.schemas import PasswordResetIssued, User
from archivist.auth.service import auth
from archivist.core.deps import (
    AdminUser,
    CurrentUser,
    GroupID,
    RedisDep,
    SessionDep,
    SettingsDep,
    UserID,
)
from archivist.core.pagination import Cursor, Limit, Page
from archivist.organizations import schemas
from archivist.organizations.service import organization

router = APIRouter(tags=["organizations"])


@router.get("/api/organization")
async def get_organization(principal: CurrentUser, session: SessionDep) -> schemas.Organization:
    return schemas.Organization.model_validate(await organization.get(session, principal))


@router.post("/api/organization/invites", status_code=status.HTTP_201_CREATED)
async def create_invite(
    data: schemas.InviteCreate, principal: AdminUser, session: SessionDep, settings: SettingsDep
) -> schemas.InviteCreated:
    """Invite someone; they register with the returned token (shown once)."""
    return await organization.create_invite(
        session, principal, data, settings.auth.invite_ttl_seconds
    )


@router.get("/api/organization/users")
async def list_users(
    principal: AdminUser, session: SessionDep, limit: Limit = 50, cursor: Cursor = None
) -> Page[User]:
    """Members of the organization, newest first."""
    return await organization.list_users(session, principal, limit, cursor)


@router.patch(
    "/api/organization/users/{user_id}",
    responses={409: {"description": "It would leave the organization without an active admin"}},
)
async def update_user(
    user_id: UserID,
    data: schemas.UserUpdate,
    principal: AdminUser,
    session: SessionDep,
    redis: RedisDep,
) -> User:
    """Change a member's role or (de)activate them; deactivation ends their sessions."""
    return await organization.update_user(session, redis, principal, user_id, data)


@router.post(
    "/api/organization/users/{user_id}/password-reset", status_code=status.HTTP_201_CREATED
)
async def issue_password_reset(
    user_id: UserID,
    principal: AdminUser,
    session: SessionDep,
    redis: RedisDep,
    settings: SettingsDep,
) -> PasswordResetIssued:
    """Issue a one-time password-reset token for a user of the organization (shown once).

    The user redeems it with `POST /api/auth/password-reset`; issuing a new one voids the last.
    A user of another organization is 404.
    """
    return await auth.issue_password_reset(session, redis, settings, principal, user_id)


@router.post(
    "/api/groups",
    status_code=status.HTTP_201_CREATED,
    responses={409: {"description": "A group of that name exists"}},
)
async def create_group(
    data: schemas.GroupCreate, principal: AdminUser, session: SessionDep
) -> schemas.Group:
    return await organization.create_group(session, principal, data)


@router.get("/api/groups")
async def list_groups(
    principal: CurrentUser, session: SessionDep, limit: Limit = 50, cursor: Cursor = None
) -> Page[schemas.Group]:
    return await organization.list_groups(session, principal, limit, cursor)


@router.post("/api/groups/{group_id}/members", status_code=status.HTTP_204_NO_CONTENT)
async def add_group_member(
    group_id: GroupID, data: schemas.GroupMemberAdd, principal: AdminUser, session: SessionDep
) -> None:
    await organization.add_group_member(session, principal, group_id, data.user_id)


@router.delete("/api/groups/{group_id}/members/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_group_member(
    group_id: GroupID, user_id: UserID, principal: AdminUser, session: SessionDep
) -> None:
    await organization.remove_group_member(session, principal, group_id, user_id)
