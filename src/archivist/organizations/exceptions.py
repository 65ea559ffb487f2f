from archivist.core.errors import Conflict, NotFound


class UserNotFound(NotFound):
    detail = "User not found"


class GroupNotFound(NotFound):
    detail = "Group not found"


class GroupMemberNotFound(NotFound):
    detail = "That user is not a member of this group"


class GroupNameTaken(Conflict):
    detail = "A group with this name already exists"


class LastAdmin(Conflict):
    detail = "An organization needs at least one active admin"
