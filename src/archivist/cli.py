"""The `archivist` command: the embedded stack and each role on its own."""

import argparse
import sys
from pathlib import Path

from archivist.core.config import Settings, get_settings
from archivist.core.console import fail, say
from archivist.core.errors import AppError


def cmd_up(_: argparse.Namespace) -> int:
    from archivist.embedded.supervisor import up

    return up(get_settings())


def cmd_api(args: argparse.Namespace) -> int:
    from archivist.server import serve

    settings = get_settings()
    serve(settings, args.host or settings.host, args.port or settings.port)
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from archivist.core.logging import configure_logging
    from archivist.worker.celery_app import celery_app
    from archivist.worker.context import worker_context

    settings = get_settings()
    configure_logging(settings.log_level)
    worker_context().check_database_role()
    worker_context().check_embedder()
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
        return fail("set ARCHIVIST_MIGRATION_DATABASE_URL or DATABASE_URL")
    upgrade(url)
    say("database is at the latest migration")
    return 0


def _embedded_only(settings: Settings, action: str) -> str | None:
    if settings.database_url:
        return (
            f"archivist {action} covers the embedded stack's PostgreSQL; with an external "
            "database (DATABASE_URL), use its own backups (see docs/backup.md)"
        )
    return None


def _local_storage(settings: Settings) -> Path | None:
    return None if settings.s3.bucket else settings.storage_dir.resolve()


def cmd_backup(args: argparse.Namespace) -> int:
    import os
    from urllib.parse import urlsplit

    from archivist.embedded import backup
    from archivist.embedded import postgres as embedded_postgres
    from archivist.embedded.restore import RestoreError, stack_stopped
    from archivist.embedded.services import EmbeddedServices
    from archivist.embedded.stack_env import read_stack_env

    settings = get_settings()
    data_dir = settings.data_dir.resolve()
    if args.list:
        backups = backup.list_backups(data_dir)
        if not backups:
            say("no backups yet; take one with `archivist backup`")
        for b in backups:
            print(
                f"{b.label}  finished {b.finished_at:%Y-%m-%d %H:%M:%S} UTC  "
                f"{b.size_bytes / 2**20:.1f} MiB  {b.objects} files  "
                f"timeline {b.timeline}  {b.start_lsn}..{b.end_lsn}  ({b.seconds:.1f} s)"
            )
        return 0
    if args.prune is not None:
        try:
            removed = backup.prune(data_dir, args.prune, say)
        except backup.BackupError as exc:
            return fail(str(exc))
        say(f"{len(removed)} backups removed, {args.prune} kept at most")
        return 0
    refused = _embedded_only(settings, "backup")
    if refused:
        return fail(refused)
    if not (data_dir / "postgres" / "PG_VERSION").exists():
        return fail(f"no embedded database in {data_dir}")
    os.umask(0o077)

    password = embedded_postgres.load_credentials(data_dir / "secrets").superuser_password
    storage = _local_storage(settings)
    running = read_stack_env(data_dir).get("DATABASE_URL", "")
    try:
        # A stack killed without its cleanup (SIGKILL, power loss) leaves its stack.json with a
        # port nothing listens on: trust the file only while its PostgreSQL is alive.
        if running and embedded_postgres.running(data_dir / "postgres"):
            port = urlsplit(running).port or 5432
            made = backup.take_backup(data_dir, port, password, storage, args.label, say)
        else:
            # The stack is stopped: run its PostgreSQL just for the backup, holding the lock
            # `archivist up` takes so that nothing else starts on the data dir meanwhile.
            with stack_stopped(data_dir):
                services = EmbeddedServices(data_dir, archive_wal=True)
                say("starting PostgreSQL (embedded) for the backup")
                services.start_postgres()
                try:
                    made = backup.take_backup(
                        data_dir, services.postgres_port, password, storage, args.label, say
                    )
                finally:
                    services.stop()
    except (backup.BackupError, RestoreError) as exc:
        return fail(str(exc))
    say(
        f"backup {made.label} done in {made.seconds:.1f} s "
        f"({made.size_bytes / 2**20:.1f} MiB, {made.objects} stored files); "
        f"it is in {backup.backup_path(data_dir, made.label)}"
    )
    if settings.s3.bucket:
        say(
            f"stored files are in the S3 bucket {settings.s3.bucket}: keep its versioning or "
            "replication on; deleted documents' files stay there for "
            f"{settings.backup.deleted_file_retention_days:g} days"
        )
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    import os
    from datetime import timedelta

    from archivist.embedded.backup import BackupError
    from archivist.embedded.restore import restore

    settings = get_settings()
    refused = _embedded_only(settings, "restore")
    if refused:
        return fail(refused)
    os.umask(0o077)

    try:
        done = restore(
            settings.data_dir,
            args.to,
            _local_storage(settings),
            say,
            timedelta(days=settings.backup.deleted_file_retention_days),
        )
    except BackupError as exc:
        return fail(str(exc))
    if done.reached_end_of_wal:
        say("nothing changed after the target, so the database is as at its last change")
    say(
        f"restored to {done.target.describe()} in {done.seconds:.1f} s; "
        f"the data directory from before the restore is kept in {done.kept_at}"
    )
    if done.objects_missing:
        say(
            f"warning: {len(done.objects_missing)} documents' stored files are missing "
            f"(first: {done.objects_missing[0]}); their downloads will fail"
        )
    say("start the stack with `archivist up`")
    return 0


def cmd_health(args: argparse.Namespace) -> int:
    """Exit 0 when the broker answers: the liveness probe of workers and beat.

    Both roles are useless without the broker; the check is a PING with a short timeout, so it
    neither imports Celery nor loads a model, and a probe costs well under a second.
    """
    import redis

    from archivist.core.redis import redis_tls

    settings = get_settings()
    if not settings.redis_url:
        return fail("set REDIS_URL")
    client = redis.Redis.from_url(
        settings.redis_url,
        socket_connect_timeout=args.timeout,
        socket_timeout=args.timeout,
        **redis_tls(settings),
    )
    try:
        client.ping()
    except redis.RedisError as exc:
        return fail(f"the broker does not answer: {type(exc).__name__}: {exc}")
    finally:
        client.close()
    say("the broker answers")
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
    backup = commands.add_parser(
        "backup",
        help="back up the embedded stack: a verified base backup of PostgreSQL (WAL is "
        "archived continuously) and the stored files",
    )
    backup.add_argument("--label", help="name of the backup (default: backup-<UTC time>)")
    backup.add_argument("--list", action="store_true", help="list the backups instead")
    backup.add_argument(
        "--prune",
        type=int,
        metavar="KEEP",
        help="remove all but the KEEP newest backups and the archived WAL only they needed",
    )
    backup.set_defaults(func=cmd_backup)
    restore = commands.add_parser(
        "restore",
        help="restore the embedded stack to a moment or a backup (stop the stack first)",
    )
    restore.add_argument(
        "--to",
        required=True,
        metavar="TIME|LABEL",
        help="an ISO 8601 time (without a zone: local time) or a backup label",
    )
    restore.set_defaults(func=cmd_restore)
    commands.add_parser(
        "openapi",
        help="print the API's OpenAPI document (the web UI's client is generated from it)",
    ).set_defaults(func=cmd_openapi)
    return parser


def main(argv: list[str] | None = None) -> int:
    from archivist.core.db import UnsafeDatabaseRole
    from archivist.embedding.dimension import EmbedderRefused

    args = build_parser().parse_args(argv)
    try:
        result: int = args.func(args)
    except (UnsafeDatabaseRole, EmbedderRefused) as exc:
        return fail(str(exc))
    return result


if __name__ == "__main__":
    sys.exit(main())
