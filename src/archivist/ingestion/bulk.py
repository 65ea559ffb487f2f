"""`archivist ingest`: load files and folders from this machine, as a given user.

Each file takes the same path as an HTTP upload (type sniffing, object store, `queued` document,
processing enqueued after commit). A progress bar shows files/s and failures; with `wait`, a second
one follows indexing until every document is final.
"""

import asyncio
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from archivist.auth.principal import Principal
from archivist.auth.service import auth
from archivist.core.config import Settings
from archivist.core.db import set_tenant, transaction
from archivist.core.errors import AppError
from archivist.core.state import AppState
from archivist.documents.repository import documents_repo
from archivist.documents.service import document

FINAL = ("indexed", "failed")


@dataclass
class IngestReport:
    uploaded: list[uuid.UUID] = field(default_factory=list)
    rejected: list[tuple[Path, str]] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    failures: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0


def walk(paths: list[Path]) -> Iterator[Path]:
    """Regular files under `paths`, skipping hidden files and folders, in a stable order."""
    for root in paths:
        if root.is_file():
            yield root
            continue
        for path in sorted(root.rglob("*")):
            relative = path.relative_to(root).parts
            if path.is_file() and not any(part.startswith(".") for part in relative):
                yield path


async def ingest(
    settings: Settings,
    paths: list[Path],
    email: str,
    fields: dict[str, str],
    wait: bool,
    console: Console,
) -> IngestReport:
    files = list(walk(paths))
    report = IngestReport()
    state = AppState.create(settings)
    started = time.perf_counter()
    try:
        async with transaction(state.sessionmaker) as session:
            principal = await auth.principal_for_email(session, email)
        with _progress(console) as progress:
            task = progress.add_task("uploading", total=len(files), failures=0)
            for path in files:
                try:
                    async with transaction(state.sessionmaker) as session:
                        await set_tenant(session, principal.user_id, principal.org_id)
                        accepted = await document.upload_local_file(
                            session, state, principal, path, fields
                        )
                    report.uploaded.append(accepted.document_id)
                except AppError as exc:
                    report.rejected.append((path, exc.detail))
                except OSError as exc:
                    report.rejected.append((path, exc.strerror or str(exc)))
                progress.update(task, advance=1, failures=len(report.rejected))
        if wait and report.uploaded:
            await _wait_indexed(state, principal, report, console)
    finally:
        report.seconds = time.perf_counter() - started
        await state.close()
    return report


class RateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        return Text(f"{task.speed or 0.0:5.1f} files/s", style="cyan")


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("{task.description:<10}"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TextColumn("[red]{task.fields[failures]} failed"),
        TimeElapsedColumn(),
        console=console,
    )


async def _wait_indexed(
    state: AppState, principal: Principal, report: IngestReport, console: Console
) -> None:
    pending = set(report.uploaded)
    with _progress(console) as progress:
        task = progress.add_task("indexing", total=len(pending), failures=0)
        while pending:
            async with transaction(state.sessionmaker) as session:
                await set_tenant(session, principal.user_id, principal.org_id)
                found = await documents_repo.get_many(session, list(pending))
                pending &= {doc.id for doc, _ in found}  # deleted meanwhile: nothing to wait for
                for doc, file in found:
                    if doc.status in FINAL:
                        pending.discard(doc.id)
                        report.statuses[doc.status] = report.statuses.get(doc.status, 0) + 1
                        if doc.status == "failed":
                            report.failures.append((file.filename, doc.error or ""))
            progress.update(
                task,
                completed=len(report.uploaded) - len(pending),
                failures=len(report.failures),
            )
            if pending:
                await asyncio.sleep(0.5)


def print_summary(report: IngestReport, console: Console) -> None:
    table = Table(title="archivist ingest", show_header=False)
    table.add_row("uploaded", str(len(report.uploaded)))
    table.add_row("rejected", str(len(report.rejected)))
    for status, count in sorted(report.statuses.items()):
        table.add_row(status, str(count))
    rate = len(report.uploaded) / report.seconds if report.seconds else 0.0
    table.add_row("time", f"{report.seconds:.1f} s ({rate:.1f} files/s)")
    console.print(table)
    for path, reason in report.rejected:
        console.print(f"[red]rejected[/red] {path}: {reason}", soft_wrap=True)
    for filename, error in report.failures:
        console.print(f"[red]failed[/red] {filename}: {error}", soft_wrap=True)
