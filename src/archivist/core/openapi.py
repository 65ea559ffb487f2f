"""The OpenAPI document declares the error answers every route can give.

FastAPI only knows the success response and its own 422 shape (which this API never sends).
The error statuses follow from each route's dependencies (signed in, admin only, ids in the
path, input to validate), so they are derived here once instead of repeated on every route;
a route declares only its own domain statuses (`responses={409: {"description": ...}}`), and
every 4xx/5xx without a body gets the `{"error", "detail"}` shape.
"""

from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel, Field

from archivist.core.deps import SAFE_METHODS, get_admin, get_principal

BEARER = "BearerAuth"


class ErrorResponse(BaseModel):
    """The body of every error answer."""

    error: str = Field(description="Error class name, e.g. DocumentNotFound")
    detail: str = Field(description="Human-readable explanation")


_DESCRIPTIONS = {
    401: "Not signed in, or the token or API key is invalid, expired or revoked",
    403: "Signed in, but the role does not allow this action (or the CSRF header is missing)",
    404: "Not found, or not visible to the caller",
    409: "Conflict",
    413: "Too large",
    415: "Unsupported media type",
    422: "Invalid input",
    429: "Rate limited; see Retry-After",
    503: "A dependency is unavailable or the server is busy; see Retry-After",
}
_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for dependency in dependant.dependencies:
        if dependency.call is not None:
            yield dependency.call
        yield from _calls(dependency)


def _error_statuses(route: APIRoute, path: str, method: str, operation: dict[str, Any]) -> set[int]:
    calls = set(_calls(route.dependant))
    statuses: set[int] = set()
    if get_principal in calls:
        statuses |= {401, 429}
        if get_admin in calls or method.upper() not in SAFE_METHODS:
            statuses.add(403)
    if route.dependant.path_params:
        statuses.add(404)
    has_input = (
        route.dependant.path_params
        or route.dependant.query_params
        or route.dependant.body_params
        or "requestBody" in operation
    )
    if has_input:
        statuses.add(422)
    if path.startswith("/api/"):
        statuses.add(503)
    return statuses


def install_openapi(app: FastAPI) -> None:
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = generate()
        components = schema.setdefault("components", {})
        schemas = components.setdefault("schemas", {})
        schemas[ErrorResponse.__name__] = ErrorResponse.model_json_schema()
        components.setdefault("securitySchemes", {})[BEARER] = {
            "type": "http",
            "scheme": "bearer",
            "description": "An access token from login/register, or an API key (`ak_...`)",
        }
        error_body = {
            "application/json": {
                "schema": {"$ref": f"#/components/schemas/{ErrorResponse.__name__}"}
            }
        }
        # Routes of included routers come wrapped; their contexts give the effective path.
        for context in iter_route_contexts(app.routes):
            route = context.original_route
            if not isinstance(route, APIRoute) or not route.include_in_schema:
                continue
            path = context.path_format or route.path_format
            for method in route.methods or ():
                operation = schema["paths"].get(path, {}).get(method.lower())
                if operation is None:
                    continue
                calls = set(_calls(route.dependant))
                if get_principal in calls:
                    operation["security"] = [{BEARER: []}]
                if get_admin in calls:
                    # Members get 403 whatever the id; tests and clients read this flag.
                    operation["x-admin-only"] = True
                responses = operation.setdefault("responses", {})
                for status in _error_statuses(route, path, method, operation):
                    responses.setdefault(str(status), {"description": _DESCRIPTIONS[status]})
                for status, response in responses.items():
                    if not status.isdigit() or int(status) < 400:
                        continue
                    content = response.get("content", {})
                    validation = content.get("application/json", {}).get("schema", {}).get("$ref")
                    if not content or str(validation).endswith("/HTTPValidationError"):
                        response["content"] = error_body
                        if status == "422":
                            response["description"] = _DESCRIPTIONS[422]
        for name in _VALIDATION_SCHEMAS:
            schemas.pop(name, None)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
