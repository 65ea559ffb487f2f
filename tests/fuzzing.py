"""Schemathesis against a live Archivist: one signed-in world, one operation at a time.

Shared by the bounded pytest run (tests/integration/test_fuzz.py) and the longer CLI run
(bench/fuzz.py). Every operation of the OpenAPI document is fuzzed with positive and negative
data, once with random path ids and once with ids of real resources of the signed-in
organization, so bodies and queries also reach the code behind the 404 guard.
"""

import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import hypothesis
import schemathesis
from hypothesis import HealthCheck, Phase
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.schemas import APIOperation, BaseSchema
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories.accounts import PASSWORD, unique_email
from tests.factories.files import pdf_bytes

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

# Operations that end the session that sends them: each case signs in afresh first, as a
# separate user, so the rest of the run keeps its token.
SESSION_ENDING = {"POST /api/auth/logout", "POST /api/auth/logout-all"}


@dataclass
class World:
    """An organization signed in through the API, with one of every kind of resource."""

    base_url: str
    admin_token: str
    admin_id: str
    # Path parameter name -> id of a real resource the admin can see.
    ids: dict[str, str] = field(default_factory=dict)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.admin_token}"}

    def fresh_token(self) -> str:
        """A token of a new account of its own, for calls that end the session they come in.

        A new organization each time, because fuzzed calls may by then have deactivated or
        demoted any other user of this one.
        """
        response = httpx.post(
            f"{self.base_url}/api/auth/register",
            json={
                "email": unique_email("logout"),
                "password": PASSWORD,
                "organization_name": "Logout",
            },
            timeout=60,
        )
        response.raise_for_status()
        return str(response.json()["access_token"])


def build_world(base_url: str) -> World:
    def ok(response: httpx.Response) -> dict[str, Any]:
        assert response.status_code < 300, f"{response.request.url}: {response.text}"
        return response.json() if response.content else {}

    with httpx.Client(base_url=base_url, timeout=30) as http:
        registered = ok(
            http.post(
                "/api/auth/register",
                json={
                    "email": unique_email("fuzz"),
                    "password": PASSWORD,
                    "organization_name": f"Fuzz {uuid.uuid4().hex[:6]}",
                },
            )
        )
        auth = {"Authorization": f"Bearer {registered['access_token']}"}
        invite = ok(http.post("/api/organization/invites", json={"role": "member"}, headers=auth))
        member = ok(
            http.post(
                "/api/auth/register",
                json={
                    "email": unique_email("member"),
                    "password": PASSWORD,
                    "invite_token": invite["invite_token"],
                },
            )
        )
        member_id = member["user"]["id"]
        group = ok(http.post("/api/groups", json={"name": "Fuzzers"}, headers=auth))
        ok(
            http.post(
                f"/api/groups/{group['id']}/members",
                json={"user_id": member_id},
                headers=auth,
            )
        )
        key = ok(http.post("/api/api-keys", json={"name": "fuzz"}, headers=auth))
        chat = ok(http.post("/api/chat/sessions", json={"title": "fuzz"}, headers=auth))
        uploaded = ok(
            http.post(
                "/api/files",
                files={"file": ("fuzz.pdf", pdf_bytes(["Fuzzing finds bugs."]), "application/pdf")},
                data={"visibility": "organization"},
                headers=auth,
            )
        )
    return World(
        base_url=base_url,
        admin_token=registered["access_token"],
        admin_id=registered["user"]["id"],
        ids={
            # The member in the group, never the admin: a PATCH must not demote the fuzzer.
            "user_id": member_id,
            "group_id": group["id"],
            "key_id": key["id"],
            "session_id": chat["id"],
            "document_id": uploaded["document_id"],
            "file_id": uploaded["file_id"],
        },
    )


def load_schema(openapi: dict[str, Any]) -> BaseSchema:
    return schemathesis.openapi.from_dict(openapi)


def operations(schema: BaseSchema) -> list[APIOperation]:
    """In document order, deletes last: a DELETE of a real id must not starve the others."""
    found = [result.ok() for result in schema.get_all_operations()]
    return sorted(found, key=lambda operation: operation.method.upper() == "DELETE")


def label(operation: APIOperation) -> str:
    return f"{operation.method.upper()} {operation.path}"


@dataclass
class Outcome:
    operation: str
    cases: int = 0
    scenarios: int = 0  # stateful sequences started
    statuses: dict[int, int] = field(default_factory=dict)
    failure: str | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.failure is None


def fuzz_operation(world: World, operation: APIOperation, examples: int, seed: int = 0) -> Outcome:
    """Positive and negative cases, random and real path ids; the first failure stops it."""
    name = label(operation)
    outcome = Outcome(name)
    started = time.monotonic()
    path_names = {p.name for p in operation.path_parameters}
    real = {name: world.ids[name] for name in path_names if name in world.ids}
    runs: list[tuple[GenerationMode, dict[str, str] | None]] = []
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        runs.append((mode, None))
        if real:
            runs.append((mode, real))

    def headers() -> dict[str, str]:
        if name in SESSION_ENDING:
            return {"Authorization": f"Bearer {world.fresh_token()}"}
        return world.headers

    for mode, path_parameters in runs:
        strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)
        try:
            _run(strategy, examples, seed, lambda case: _call(world, case, headers(), outcome))
        except FailureGroup as exc:
            outcome.failure = f"[{mode.value}, {'real' if path_parameters else 'random'} ids] {exc}"
            break
        except hypothesis.errors.Unsatisfiable:
            continue
        except Exception as exc:
            # A dropped connection or a stream cut short is a failure of the server too.
            where = f"[{mode.value}, {'real' if path_parameters else 'random'} ids]"
            notes = "".join(getattr(exc, "__notes__", []))
            outcome.failure = f"{where} {type(exc).__name__}: {exc}\n{notes}"
            break
    outcome.seconds = time.monotonic() - started
    return outcome


def _call(world: World, case: Any, headers: dict[str, str], outcome: Outcome) -> None:
    response = case.call(base_url=world.base_url, headers=headers, timeout=60)
    outcome.cases += 1
    outcome.statuses[response.status_code] = outcome.statuses.get(response.status_code, 0) + 1
    case.validate_response(response, checks=CHECKS, headers=headers)


def _run(strategy: Any, examples: int, seed: int, test: Callable[[Any], None]) -> None:
    @hypothesis.seed(seed)
    @hypothesis.settings(
        max_examples=examples,
        database=None,
        deadline=None,
        derandomize=False,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    @hypothesis.given(case=strategy)
    def run(case: Any) -> None:
        test(case)

    run()


def fuzz_stateful(
    world: World,
    schema: BaseSchema,
    scenarios: int,
    steps: int,
    derandomize: bool = True,
    attempts: int = 5,
) -> Outcome:
    """Sequences along the links schemathesis infers (a created id fed to the next call).

    Session-ending calls get a new account's token, as in `fuzz_operation`.
    """
    outcome = Outcome("stateful (inferred links)")
    started = time.monotonic()
    machine = schema.as_state_machine()
    first: list[str] = []

    class Workflow(machine):  # type: ignore[valid-type,misc]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            name = f"{case.operation.method.upper()} {case.operation.path}"
            if name in SESSION_ENDING:
                headers = {"Authorization": f"Bearer {world.fresh_token()}"}
            else:
                headers = world.headers
            return {"base_url": world.base_url, "headers": headers, "timeout": 60}

        def step(self, input: Any) -> Any:
            try:
                return super().step(input)
            except FailureGroup:
                raise
            except Exception as exc:
                # A dropped connection, a stream cut short, or our own set-up failing.
                first.append("".join(traceback.format_exception(exc))[-4000:])
                raise

        def setup(self) -> None:
            super().setup()
            outcome.scenarios += 1

        def after_call(self, response: Any, case: Any) -> None:
            super().after_call(response, case)
            outcome.cases += 1
            code = response.status_code
            outcome.statuses[code] = outcome.statuses.get(code, 0) + 1

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            try:
                case.validate_response(
                    response,
                    checks=CHECKS,
                    headers=kwargs.get("headers"),
                    recorder=getattr(self, "recorder", None),
                )
            except FailureGroup as exc:
                # Hypothesis replays a failing sequence against a server whose state has moved
                # on, and may then report only that the replay differed: keep the first failure.
                first.append(str(exc))
                raise

    # Hypothesis stops a run when a replayed prefix of choices meets a server whose state has
    # moved on (FlakyStrategyDefinition): with no failed check or call recorded, the server did
    # nothing wrong, so another run picks up until enough sequences have run.
    for _ in range(attempts):
        try:
            Workflow.run(
                settings=hypothesis.settings(
                    max_examples=scenarios - outcome.scenarios,
                    stateful_step_count=steps,
                    derandomize=derandomize,
                    database=None,
                    deadline=None,
                    phases=[Phase.explicit, Phase.generate],
                    suppress_health_check=list(HealthCheck),
                    report_multiple_bugs=False,
                )
            )
        except hypothesis.errors.FlakyStrategyDefinition:
            if first:
                outcome.failure = first[0]
        except Exception as exc:
            notes = "".join(getattr(exc, "__notes__", []))
            outcome.failure = first[0] if first else f"{type(exc).__name__}: {exc}\n{notes}"
        if outcome.failure or outcome.scenarios >= scenarios:
            break
    outcome.seconds = time.monotonic() - started
    return outcome
