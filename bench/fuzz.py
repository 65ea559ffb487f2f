"""Longer schemathesis run than `make test` does: every operation, N examples per generation run.

    python -m bench.fuzz --examples 200 [--seed 3] [--scenarios 100 --steps 10]
        [--operation 'PATCH /api/documents/{document_id}']

Starts its own PostgreSQL and Redis in a temporary folder, runs the app on a free port, signs in
as an organization admin (see tests/fuzzing.py for the world it builds), and prints one row per
operation (and one for the stateful sequences): cases sent, statuses seen, time, and the
first failure. Exits 1 when any failed.
"""

import argparse
import logging
import shutil
import sys
import tempfile
from pathlib import Path

from archivist.core.config import AuthSettings, LLMSettings, Settings
from archivist.core.migrate import upgrade
from archivist.embedded.services import EmbeddedServices
from archivist.main import create_app
from tests.conftest import live_server
from tests.fuzzing import (
    Outcome,
    build_world,
    fuzz_operation,
    fuzz_stateful,
    label,
    load_schema,
    operations,
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--examples", type=int, default=100, help="per operation and run")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--operation", action="append", default=[], help="only these (repeat)")
    parser.add_argument("--scenarios", type=int, default=50, help="stateful sequences (0: none)")
    parser.add_argument("--steps", type=int, default=10, help="calls per stateful sequence")
    args = parser.parse_args()
    logging.disable(logging.WARNING)

    data_dir = Path(tempfile.mkdtemp(prefix="archivist-fuzz-"))
    stack = EmbeddedServices(data_dir)
    try:
        stack.start_postgres()
        stack.start_redis()
        upgrade(stack.migration_url)
        settings = Settings(
            data_dir=data_dir,
            database_url=stack.database_url,
            migration_database_url=stack.migration_url,
            redis_url=stack.redis_url,
            auth=AuthSettings(
                jwt_secret="fuzz-secret-" + "x" * 40,
                api_requests_per_minute=1_000_000,
                login_failures_per_ip=1_000_000,
                login_failures_per_email=1_000_000,
                registrations_per_ip=1_000_000,
            ),
            llm=LLMSettings(provider="extractive"),
        )
        schema = load_schema(create_app(settings).openapi())
        chosen = [
            op for op in operations(schema) if not args.operation or label(op) in args.operation
        ]
        outcomes: list[Outcome] = []
        with live_server(settings) as base_url:
            world = build_world(base_url)
            for operation in chosen:
                outcome = fuzz_operation(world, operation, args.examples, args.seed)
                outcomes.append(outcome)
                print(_row(outcome), flush=True)
            if args.scenarios:
                outcome = fuzz_stateful(
                    world, schema, args.scenarios, args.steps, derandomize=False, attempts=20
                )
                outcomes.append(outcome)
                print(_row(outcome), flush=True)
    finally:
        stack.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
    failed = [o for o in outcomes if not o.ok]
    print(f"\n{len(outcomes) - len(failed)} passed, {len(failed)} failed")
    for outcome in failed:
        print(f"\n== {outcome.operation}\n{outcome.failure}")
    return 1 if failed else 0


def _row(outcome: Outcome) -> str:
    statuses = " ".join(f"{code}x{n}" for code, n in sorted(outcome.statuses.items()))
    result = "ok" if outcome.ok else "FAIL"
    return (
        f"{outcome.operation:<52} {result:<4} {outcome.cases:>6} cases "
        f"{outcome.seconds:>6.1f} s  {statuses}"
    )


if __name__ == "__main__":
    sys.exit(main())
