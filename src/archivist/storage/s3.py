"""Objects in an S3-API bucket (AWS, MinIO, Ceph, Swift s3api): the production store.

boto3 is blocking; callers on the event loop run these methods in a thread.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, cast

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotoConnectionError

from archivist.core.config import S3Settings
from archivist.storage.base import ObjectNotFound, ObjectStoreUnavailable, attachment_disposition

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.literals import BucketLocationConstraintType

# Error codes meaning "no such object": GetObject says NoSuchKey, HEAD-based calls (download_file)
# carry only the status code.
_OBJECT_MISSING = frozenset({"NoSuchKey", "404", "NotFound"})
_BUCKET_MISSING = frozenset({"NoSuchBucket", "404", "NotFound"})
_CONNECT_TIMEOUT_SECONDS = 5.0
_READ_TIMEOUT_SECONDS = 60.0
_MAX_ATTEMPTS = 4  # the first try plus three retries (throttling, 5xx, dropped connections)
# boto3's defaults, written out: files above 8 MiB go up as a multipart upload in 8 MiB parts.
_MULTIPART_THRESHOLD_BYTES = 8 * 1024 * 1024
_MULTIPART_CHUNK_BYTES = 8 * 1024 * 1024


@contextmanager
def _reachable() -> Iterator[None]:
    """The store's network failing (after boto3's own retries) is a 503, not a 500."""
    try:
        yield
    except (BotoConnectionError, HTTPClientError) as exc:
        raise ObjectStoreUnavailable() from exc


def _error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


class S3ObjectStore:
    def __init__(self, settings: S3Settings) -> None:
        if not settings.bucket:
            raise ValueError("S3ObjectStore needs settings.bucket")
        self.settings = settings
        self.bucket = settings.bucket
        self._client: S3Client = boto3.client(
            "s3",
            endpoint_url=settings.endpoint_url or None,
            region_name=settings.region or None,
            # Empty keys: boto3's own chain (environment, instance profile, ...).
            aws_access_key_id=settings.access_key_id or None,
            aws_secret_access_key=settings.secret_access_key or None,
            config=Config(
                signature_version="s3v4",
                s3={"addressing_style": "path" if settings.path_style else "auto"},
                connect_timeout=_CONNECT_TIMEOUT_SECONDS,
                read_timeout=_READ_TIMEOUT_SECONDS,
                retries={"max_attempts": _MAX_ATTEMPTS, "mode": "standard"},
            ),
        )
        self._transfer = TransferConfig(
            multipart_threshold=_MULTIPART_THRESHOLD_BYTES,
            multipart_chunksize=_MULTIPART_CHUNK_BYTES,
        )

    def put_file(self, key: str, source: Path, content_type: str) -> None:
        extra_args = {"ContentType": content_type}
        if self.settings.server_side_encryption:
            # Sent as configured: a server that lacks SSE (Swift without its encryption
            # middleware answers 501 NotImplemented) fails the upload rather than storing
            # the file unencrypted. Set server_side_encryption="" to opt out knowingly.
            extra_args["ServerSideEncryption"] = self.settings.server_side_encryption
        with _reachable():
            self._client.upload_file(
                str(source), self.bucket, key, ExtraArgs=extra_args, Config=self._transfer
            )

    def iter_bytes(self, key: str, chunk_size: int = 1 << 20) -> Iterator[bytes]:
        try:
            with _reachable():
                response = self._client.get_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if _error_code(exc) in _OBJECT_MISSING:
                raise ObjectNotFound(key) from exc
            raise
        body = response["Body"]
        try:
            yield from body.iter_chunks(chunk_size)
        finally:
            body.close()

    def local_path(self, key: str) -> Path | None:
        return None

    def download_to(self, key: str, target: Path) -> None:
        try:
            with _reachable():
                self._client.download_file(self.bucket, key, str(target), Config=self._transfer)
        except ClientError as exc:
            if _error_code(exc) in _OBJECT_MISSING:
                raise ObjectNotFound(key) from exc
            raise

    def delete(self, key: str) -> None:
        try:
            with _reachable():
                self._client.delete_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            # S3 answers 204 for a missing key; a few S3-compatible servers say NoSuchKey.
            if _error_code(exc) not in _OBJECT_MISSING:
                raise

    def presigned_url(self, key: str, filename: str, content_type: str) -> str:
        return self._client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": key,
                "ResponseContentDisposition": attachment_disposition(filename),
                "ResponseContentType": content_type,
            },
            ExpiresIn=self.settings.presign_expiry_seconds,
        )

    def check(self) -> None:
        try:
            self._client.head_bucket(Bucket=self.bucket)
        except ClientError as exc:
            if not (self.settings.create_bucket and _error_code(exc) in _BUCKET_MISSING):
                raise
            self._create_bucket()

    def _create_bucket(self) -> None:
        region = self.settings.region
        if region and region != "us-east-1":
            constraint = cast("BucketLocationConstraintType", region)
            self._client.create_bucket(
                Bucket=self.bucket, CreateBucketConfiguration={"LocationConstraint": constraint}
            )
        else:
            self._client.create_bucket(Bucket=self.bucket)
