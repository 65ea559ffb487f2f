import contextlib

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST

from archivist.auth.session_store import session_store
from archivist.core.deps import StateDep
from archivist.core.metrics import active_sessions_total, exposition, queue_depth
from archivist.health.schemas import Health
from archivist.health.service import health
from archivist.worker.task_names import QUEUES

router = APIRouter(tags=["operations"])


@router.get("/health")
async def get_health(state: StateDep) -> Health:
    """Liveness, with the state of every dependency."""
    return await health.check(state)


@router.get(
    "/ready",
    response_model=Health,
    responses={503: {"model": Health, "description": "A dependency does not answer"}},
)
async def get_ready(request: Request, state: StateDep) -> JSONResponse:
    """200 once every dependency answers, else 503 with the same body as /health.

    Also 503 (`services.server` = "draining") once the server is stopping: it still finishes
    what it was sent, but a load balancer should send it nothing new.
    """
    if request.app.state.draining:
        return JSONResponse(health.draining().model_dump(mode="json"), status_code=503)
    body = await health.check(state)
    return JSONResponse(
        body.model_dump(mode="json"), status_code=200 if body.status == "healthy" else 503
    )


@router.get("/metrics", response_class=Response)
async def get_metrics(state: StateDep) -> Response:
    with contextlib.suppress(Exception):  # metrics must answer even while Redis is down
        active_sessions_total.set(await session_store.count_active(state.redis))
        for queue in QUEUES:
            queue_depth.labels(queue).set(await state.redis.llen(queue))
    return Response(exposition(), media_type=CONTENT_TYPE_LATEST)
