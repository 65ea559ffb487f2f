from archivist.core.errors import NotFound


class ChatSessionNotFound(NotFound):
    detail = "Chat session not found"
