"""The `archivist` command: the embedded stack and each role on its own."""

import argparse
import sys

from archivist.core.config import get_settings
from archivist.core.errors import AppError


def cmd_up(_: argparse.Namespace) -> int:
    from archivist.embedded.supervisor import up

    return up(get_settings())


def cmd_api(args: argparse.Namespace) -> int:
    import uvicorn

    settings = get_settings()
    uvicorn.run(
        "archivist.main:app_factory",
        factory=True,
        host=args.host or settings.host,
        port=args.port or settings.port,
        log_config=None,
        timeout_graceful_shutdown=5,
        proxy_headers=True,
    )
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from archivist.core.logging import configure_logging
    from archivist.worker.celery_app import celery_app
    from archivist.worker.context import worker_context

    settings = get_settings()
    configure_logging(settings.log_level)
    worker_context().check_database_role()
    concurrency = args.concurrency or settings.worker.concurrency
    celery_app.worker_main(
        [
            "worker",
            "--queues",
            args.queues,
            "--pool",
            "threads",
            "--concurrency",
            str(concurrency),
            "--loglevel",
            settings.log_level,
            "--without-gossip",
            "--without-mingle",
        ]
    )
    return 0


def cmd_beat(_: argparse.Namespace) -> int:
    from archivist.core.logging import configure_logging
    from archivist.worker.celery_app import celery_app

    settings = get_settings()
    configure_logging(settings.log_level)
    schedule = settings.data_dir.resolve() / "celerybeat-schedule"
    schedule.parent.mkdir(parents=True, exist_ok=True)
    celery_app.start(["beat", "--schedule", str(schedule), "--loglevel", settings.log_level])
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    import asyncio
    from pathlib import Path

    from rich.console import Console

    from archivist.embedded.stack_env import read_stack_env
    from archivist.ingestion.bulk import ingest, print_summary

    settings = get_settings()
    running = read_stack_env(settings.data_dir.resolve())
    settings = settings.model_copy(
        update={
            "database_url": settings.database_url or running.get("DATABASE_URL", ""),
            "redis_url": settings.redis_url or running.get("REDIS_URL", ""),
        }
    )
    console = Console(stderr=True)
    if not settings.database_url or not settings.redis_url:
        console.print(
            "archivist: no running stack found; start `archivist up` (same ARCHIVIST_DATA_DIR) "
            "or set DATABASE_URL and REDIS_URL"
        )
        return 1
    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        console.print(f"archivist: no such file or folder: {', '.join(missing)}")
        return 1
    fields = {"visibility": args.visibility, "group_ids": args.groups or ""}
    try:
        report = asyncio.run(
            ingest(settings, [Path(p) for p in args.paths], args.user, fields, args.wait, console)
        )
    except AppError as exc:
        console.print(f"archivist: {exc.detail}")
        return 1
    print_summary(report, console)
    return 0 if not report.rejected and not report.failures else 2


def cmd_migrate(_: argparse.Namespace) -> int:
    from archivist.core.migrate import upgrade

    settings = get_settings()
    url = settings.migration_database_url or settings.database_url
    if not url:
        print("archivist: set ARCHIVIST_MIGRATION_DATABASE_URL or DATABASE_URL", file=sys.stderr)
        return 1
    upgrade(url)
    print("archivist: database is at the latest migration")
    return 0


def cmd_health(args: argparse.Namespace) -> int:
    """Exit 0 when the broker answers: the liveness probe of workers and beat.

    Both roles are useless without the broker; the check is a PING with a short timeout, so it
    neither imports Celery nor loads a model, and a probe costs well under a second.
    """
    import redis

    settings = get_settings()
    if not settings.redis_url:
        print("archivist: set REDIS_URL", file=sys.stderr)
        return 1
    client = redis.Redis.from_url(
        settings.redis_url, socket_connect_timeout=args.timeout, socket_timeout=args.timeout
    )
    try:
        client.ping()
    except redis.RedisError as exc:
        reason = f"{type(exc).__name__}: {exc}"
        print(f"archivist: the broker does not answer: {reason}", file=sys.stderr)
        return 1
    finally:
        client.close()
    print("archivist: the broker answers")
    return 0


def cmd_openapi(_: argparse.Namespace) -> int:
    """The API's OpenAPI document, from which the web UI's client is generated."""
    import json

    from archivist.main import create_app

    json.dump(create_app(get_settings()).openapi(), sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="archivist", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("up", help="run the whole stack with embedded services").set_defaults(
        func=cmd_up
    )
    api = commands.add_parser("api", help="run the API server")
    api.add_argument("--host")
    api.add_argument("--port", type=int)
    api.set_defaults(func=cmd_api)
    worker = commands.add_parser("worker", help="run a Celery worker")
    worker.add_argument("--queues", default="primary,docprocessing,kg")
    worker.add_argument("--concurrency", type=int)
    worker.set_defaults(func=cmd_worker)
    commands.add_parser("beat", help="run the Celery beat scheduler (exactly one)").set_defaults(
        func=cmd_beat
    )
    commands.add_parser("migrate", help="apply database migrations").set_defaults(func=cmd_migrate)
    health = commands.add_parser(
        "health", help="exit 0 when the broker (Redis) answers: liveness of workers and beat"
    )
    health.add_argument("--timeout", type=float, default=5.0, metavar="SECONDS")
    health.set_defaults(func=cmd_health)
    ingest = commands.add_parser("ingest", help="upload files and folders as a user")
    ingest.add_argument("paths", nargs="+", metavar="PATH")
    ingest.add_argument("--user", required=True, metavar="EMAIL", help="owner of the documents")
    ingest.add_argument(
        "--visibility", choices=["private", "organization", "groups"], default="private"
    )
    ingest.add_argument(
        "--groups", metavar="IDS", help="comma-separated group ids (visibility groups)"
    )
    ingest.add_argument(
        "--wait",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="follow indexing until every document is final (default: yes)",
    )
    ingest.set_defaults(func=cmd_ingest)
    commands.add_parser(
        "openapi",
        help="print the API's OpenAPI document (the web UI's client is generated from it)",
    ).set_defaults(func=cmd_openapi)
    return parser


def main(argv: list[str] | None = None) -> int:
    from archivist.core.db import UnsafeDatabaseRole

    args = build_parser().parse_args(argv)
    try:
        result: int = args.func(args)
    except UnsafeDatabaseRole as exc:
        print(f"archivist: {exc}", file=sys.stderr)
        return 1
    return result


if __name__ == "__main__":
    sys.exit(main())
