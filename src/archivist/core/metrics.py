"""Prometheus metrics of the API process."""

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
)
