from archivist.core.errors import InvalidPayload, NotFound


class DocumentNotFound(NotFound):
    detail = "Document not found"


class InvalidGroups(InvalidPayload):
    detail = "group_ids must name groups of your organization"
