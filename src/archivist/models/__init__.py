"""Every table, one model a file; importing this package registers them all on `Base.metadata`."""

from archivist.models.api_key import ApiKey
from archivist.models.audit_event import AuditEvent
from archivist.models.chat_message import ChatMessage
from archivist.models.chat_session import ChatSession
from archivist.models.chunk import Chunk
from archivist.models.citation import Citation
from archivist.models.document import Document
from archivist.models.file import File
from archivist.models.file_purge import FilePurge
from archivist.models.group import Group
from archivist.models.group_member import GroupMember
from archivist.models.index_stat import IndexStat
from archivist.models.ingestion_attempt import IngestionAttempt
from archivist.models.invite import Invite
from archivist.models.membership import Membership
from archivist.models.organization import Organization
from archivist.models.posting import Posting
from archivist.models.term_stat import TermStat
from archivist.models.user import User

__all__ = [
    "ApiKey",
    "AuditEvent",
    "ChatMessage",
    "ChatSession",
    "Chunk",
    "Citation",
    "Document",
    "File",
    "FilePurge",
    "Group",
    "GroupMember",
    "IndexStat",
    "IngestionAttempt",
    "Invite",
    "Membership",
    "Organization",
    "Posting",
    "TermStat",
    "User",
]
