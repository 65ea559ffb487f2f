"""Every Prometheus metric, in one registry.

Under `archivist up` all processes write to PROMETHEUS_MULTIPROC_DIR and the API aggregates them.
"""

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

registry = CollectorRegistry()

http_requests_total = Counter(
    "http_requests_total",
    "HTTP requests by method, route template and status code",
    ["method", "path", "status"],
    registry=registry,
)
http_request_duration_seconds = Histogram(
    "http_request_duration_seconds",
    "HTTP request latency by method and route template",
    ["method", "path"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
    registry=registry,
)
active_sessions_total = Gauge(
    "active_sessions_total",
    "Login sessions that have not expired or been revoked",
    registry=registry,
    multiprocess_mode="mostrecent",
)
documents_processed_total = Counter(
    "documents_processed_total",
    "Documents whose processing ended, by final status",
    ["status"],
    registry=registry,
)
queue_depth = Gauge(
    "queue_depth",
    "Messages waiting in each Celery queue",
    ["queue"],
    registry=registry,
    multiprocess_mode="mostrecent",
)
extraction_seconds = Histogram(
    "extraction_seconds",
    "Text extraction time per document, by format",
    ["kind"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
    registry=registry,
)
embedding_seconds = Histogram(
    "embedding_seconds",
    "Embedding time per batch of chunks",
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
    registry=registry,
)


def exposition() -> bytes:
    """The text format of every metric: aggregated over processes when they share a folder."""
    import os

    from prometheus_client import generate_latest

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        combined = CollectorRegistry()
        multiprocess.MultiProcessCollector(combined)  # type: ignore[no-untyped-call]
        return generate_latest(combined)
    return generate_latest(registry)
