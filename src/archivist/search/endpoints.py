from fastapi import APIRouter

from archivist.core.deps import CurrentUser, SessionDep, StateDep
from archivist.search import schemas
from archivist.search.service import search

router = APIRouter(tags=["search"])


@router.post("/api/search")
async def search_documents(
    request: schemas.SearchRequest, principal: CurrentUser, session: SessionDep, state: StateDep
) -> schemas.SearchResponse:
    """Hybrid search (BM25 + semantic) over the documents the caller may see."""
    return await search.search(session, state, request)
