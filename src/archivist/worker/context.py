"""Resources of one worker process: a sync database engine, the object store, the embedder."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property, lru_cache

from sqlalchemy.orm import Session, sessionmaker

from archivist.core.config import Settings, get_settings
from archivist.core.db import create_sync_db_engine
from archivist.embedding.base import Embedder
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
            pool_size=2,
            max_overflow=2,
            pool_pre_ping=self.settings.db.pool_pre_ping,
        )
        return sessionmaker(engine, expire_on_commit=False)

    @cached_property
    def store(self) -> ObjectStore:
        return create_object_store(self.settings)

    @property
    def embedder(self) -> Embedder:
        return create_embedder(self.settings)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commit on success, roll back on error."""
        with self.sessionmaker() as session, session.begin():
            yield session


@lru_cache
def worker_context() -> WorkerContext:
    return WorkerContext(get_settings())
