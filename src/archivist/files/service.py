"""Stored files' lifecycle: a deleted document's object is kept for the retention window (so a
point-in-time restore finds it), then purged."""

import logging
import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from archivist.core.config import Settings
from archivist.files.repository import files_repo
from archivist.storage.base import ObjectNotFound

if TYPE_CHECKING:
    from archivist.worker.context import WorkerContext

logger = logging.getLogger(__name__)
PURGE_BATCH = 500


class FileService:
    async def schedule_purge(
        self, session: AsyncSession, settings: Settings, org_id: uuid.UUID, storage_key: str
    ) -> None:
        """Record, in the caller's transaction, that `storage_key` may be removed once the
        retention window has passed."""
        retention = timedelta(days=settings.backup.deleted_file_retention_days)
        await files_repo.add_purge(session, org_id, storage_key, datetime.now(UTC) + retention)

    def purge_expired(self, ctx: "WorkerContext", now: datetime | None = None) -> int:
        """Remove the objects whose retention has passed; returns how many. Idempotent: an
        object already gone counts as removed, and a purge row goes only with its object."""
        now = now or datetime.now(UTC)
        removed = 0
        while True:
            with ctx.transaction() as session:
                expired = files_repo.expired_purges(session, now, PURGE_BATCH)
                done = []
                for purge_id, key in expired:
                    try:
                        ctx.store.delete(key)
                    except ObjectNotFound:
                        pass
                    except Exception:
                        logger.exception("could not purge object %s; will retry", key)
                        continue
                    done.append(purge_id)
                if done:
                    files_repo.remove_purges(session, done)
            removed += len(done)
            if len(expired) < PURGE_BATCH or not done:
                return removed


file_service = FileService()
