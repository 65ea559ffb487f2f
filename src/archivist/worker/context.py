"""Resources of one worker process: a sync database engine, the object store, the embedder."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property

from sqlalchemy.orm import Session, sessionmaker

from archivist.core.config import Settings, get_settings
from archivist.core.db import create_sync_db_engine, ensure_isolating_role_sync
from archivist.embedding.base import Embedder
from archivist.embedding.batcher import BatchingEmbedder
from archivist.embedding.dimension import check_embedding_dimension_sync
from archivist.embedding.factory import create_embedder
from archivist.storage.base import ObjectStore
from archivist.storage.factory import create_object_store


@dataclass
class WorkerContext:
    settings: Settings

    @cached_property
    def sessionmaker(self) -> sessionmaker[Session]:
        engine = create_sync_db_engine(
            self.settings.database_url,
            self.settings.db,
            pool_size=self.settings.worker.concurrency + 1,
            max_overflow=2,
            pool_pre_ping=self.settings.db.pool_pre_ping,
            # Commits need not wait for the disk: a worker writes only derived data (chunks,
            # statuses, attempts); what a database crash could lose, the sweeper redoes.
            connect_args={"options": "-c synchronous_commit=off"},
        )
        return sessionmaker(engine, expire_on_commit=False)

    def check_database_role(self) -> None:
        """Refuse a database role that row-level security would not bind."""
        engine = self.sessionmaker.kw["bind"]
        ensure_isolating_role_sync(engine)

    def check_embedder(self) -> None:
        """Refuse an embedding model whose vectors do not fit the index."""
        check_embedding_dimension_sync(self.settings, self.sessionmaker.kw["bind"])

    @cached_property
    def store(self) -> ObjectStore:
        return create_object_store(self.settings)

    @cached_property
    def embedder(self) -> Embedder:
        """One model per process, shared by the task threads through a batching queue."""
        return BatchingEmbedder(create_embedder(self.settings))

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commit on success, roll back on error."""
        with self.sessionmaker() as session, session.begin():
            yield session


_lock = threading.Lock()
_context: WorkerContext | None = None


def worker_context() -> WorkerContext:
    """This process's context; task threads share it."""
    global _context
    with _lock:
        if _context is None:
            _context = WorkerContext(get_settings())
        return _context
