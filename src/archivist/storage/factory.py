from archivist.core.config import Settings
from archivist.storage.base import ObjectStore
from archivist.storage.local import LocalObjectStore


def create_object_store(settings: Settings) -> ObjectStore:
    if settings.s3.bucket:
        from archivist.storage.s3 import S3ObjectStore

        return S3ObjectStore(settings.s3)
    return LocalObjectStore(settings.storage_dir)
