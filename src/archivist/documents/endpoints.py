from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import RedirectResponse, Response, StreamingResponse

from archivist.core.deps import CurrentUser, DocumentID, FileID, SessionDep, StateDep
from archivist.core.pagination import Cursor, Limit, Page
from archivist.documents import schemas
from archivist.documents.service import document
from archivist.files.download import download_response

router = APIRouter(tags=["documents"])


UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "visibility": {
                            "type": "string",
                            "enum": ["private", "organization", "groups"],
                            "default": "private",
                        },
                        "group_ids": {"type": "string", "description": "comma-separated group ids"},
                        "title": {"type": "string"},
                    },
                }
            }
        },
    }
}


@router.post(
    "/api/files",
    status_code=status.HTTP_202_ACCEPTED,
    openapi_extra=UPLOAD_BODY,
    responses={413: {"description": "Too large"}, 415: {"description": "Unsupported type"}},
)
async def upload_file(
    request: Request, principal: CurrentUser, session: SessionDep, state: StateDep
) -> schemas.UploadAccepted:
    """Upload a file; it is stored, then extracted, chunked and indexed in the background."""
    length = request.headers.get("content-length")
    return await document.upload(
        session,
        state,
        principal,
        request.headers.get("content-type", ""),
        int(length) if length and length.isdigit() else None,
        request.stream(),
    )


@router.get(
    "/api/files/{file_id}/download",
    response_model=None,
    # The bytes go out with the file's own media type, not JSON.
    response_class=Response,
    responses={
        200: {
            "description": "The file's bytes (local store), with its stored media type",
            "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
        },
        307: {"description": "Redirect to a short-lived URL (S3 store)"},
    },
)
async def download_file(
    file_id: FileID, principal: CurrentUser, session: SessionDep, state: StateDep
) -> RedirectResponse | StreamingResponse:
    """The original file: a redirect to a short-lived URL (S3) or the bytes (local store)."""
    file = await document.download_file(session, principal, file_id)
    return await download_response(state.store, file)


@router.get("/api/documents")
async def list_documents(
    principal: CurrentUser,
    session: SessionDep,
    limit: Limit = 50,
    cursor: Cursor = None,
    status: Annotated[schemas.Status | None, Query(description="Only this status")] = None,
    q: Annotated[
        str | None, Query(max_length=200, description="Title or filename contains")
    ] = None,
) -> Page[schemas.Document]:
    """Documents the caller may see, newest first."""
    return await document.page(session, principal, limit, cursor, status, q)


@router.post("/api/documents/statuses")
async def document_statuses(
    data: schemas.DocumentStatusQuery, principal: CurrentUser, session: SessionDep
) -> Page[schemas.Document]:
    """The current state of up to 500 documents in one request (for polling uploads in
    progress). Ids the caller may not see, or that do not exist, are simply absent."""
    return await document.many(session, principal, data.ids)


@router.get("/api/documents/stats")
async def document_stats(principal: CurrentUser, session: SessionDep) -> schemas.DocumentStats:
    """How many of the documents the caller may see are in each status, and their chunks."""
    return await document.stats(session, principal)


@router.get("/api/documents/{document_id}")
async def get_document(
    document_id: DocumentID, principal: CurrentUser, session: SessionDep
) -> schemas.Document:
    return await document.get(session, principal, document_id)


@router.patch("/api/documents/{document_id}")
async def update_document(
    document_id: DocumentID,
    data: schemas.DocumentUpdate,
    principal: CurrentUser,
    session: SessionDep,
) -> schemas.Document:
    """Rename, or change who may see it; search results follow at once."""
    return await document.update(session, principal, document_id, data)


@router.delete("/api/documents/{document_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_document(
    document_id: DocumentID, principal: CurrentUser, session: SessionDep, state: StateDep
) -> None:
    """Delete the document with its chunks, attempts and stored file."""
    await document.delete(session, state, principal, document_id)


@router.post("/api/documents/{document_id}/reindex", status_code=status.HTTP_202_ACCEPTED)
async def reindex_document(
    document_id: DocumentID, principal: CurrentUser, session: SessionDep, state: StateDep
) -> schemas.Document:
    return await document.reindex(session, state, principal, document_id)


@router.get("/api/documents/{document_id}/attempts")
async def list_attempts(
    document_id: DocumentID, principal: CurrentUser, session: SessionDep
) -> Page[schemas.Attempt]:
    """Every processing attempt, with its outcome and error."""
    return Page(items=await document.attempts(session, principal, document_id))
