"""S3ObjectStore against a real S3 server (OpenStack Swift + s3api, see tests/s3server.py).

Swift checks every signature, so the credential and presigned-URL tests fail if the guard is gone.
"""

import hashlib
import os
import secrets
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import boto3
import httpx
import pytest
from boto3.exceptions import S3UploadFailedError
from botocore.config import Config
from botocore.exceptions import ClientError

from archivist.core.config import S3Settings, Settings
from archivist.storage.base import ObjectNotFound, object_key
from archivist.storage.factory import create_object_store
from archivist.storage.local import LocalObjectStore
from archivist.storage.s3 import S3ObjectStore
from tests.s3server import S3Server, s3_settings

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

# Above boto3's 8 MiB multipart threshold: uploaded as two parts (8 MiB + 4 MiB).
LARGE_FILE_BYTES = 12 * 1024 * 1024


@pytest.fixture(scope="module")
def store(s3_server: S3Server) -> S3ObjectStore:
    object_store = S3ObjectStore(s3_settings(s3_server))
    object_store.check()  # creates the bucket
    return object_store


@pytest.fixture(scope="module")
def raw_client(s3_server: S3Server) -> "S3Client":
    """A plain boto3 client, to look at what the store left on the server."""
    return boto3.client(
        "s3",
        endpoint_url=s3_server.endpoint,
        region_name=s3_server.region,
        aws_access_key_id=s3_server.access_key,
        aws_secret_access_key=s3_server.secret_key,
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )


@pytest.fixture(scope="module")
def large_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("s3") / "large.bin"
    path.write_bytes(os.urandom(LARGE_FILE_BYTES))
    return path


def new_key(filename: str = "report.pdf") -> str:
    return object_key(uuid.uuid4(), uuid.uuid4(), filename)


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def put_small(store: S3ObjectStore, tmp_path: Path, data: bytes, filename: str = "a.txt") -> str:
    source = tmp_path / "small.bin"
    source.write_bytes(data)
    key = new_key(filename)
    store.put_file(key, source, "text/plain")
    return key


def test_large_file_is_uploaded_in_parts_and_streams_back_identically(
    store: S3ObjectStore, raw_client: "S3Client", large_file: Path
) -> None:
    key = new_key()
    store.put_file(key, large_file, "application/pdf")

    head = raw_client.head_object(Bucket=store.bucket, Key=key)
    assert head["ContentLength"] == LARGE_FILE_BYTES
    assert head["ContentType"] == "application/pdf"
    assert head["ETag"].strip('"').endswith("-2"), f"not a multipart upload: {head['ETag']}"

    digest = hashlib.sha256()
    chunks = 0
    for chunk in store.iter_bytes(key, chunk_size=1 << 20):
        assert 0 < len(chunk) <= 1 << 20
        digest.update(chunk)
        chunks += 1
    assert chunks >= LARGE_FILE_BYTES // (1 << 20)
    assert digest.hexdigest() == sha256_of(large_file)


def test_download_to_writes_an_identical_file(
    store: S3ObjectStore, large_file: Path, tmp_path: Path
) -> None:
    key = new_key()
    store.put_file(key, large_file, "application/octet-stream")
    target = tmp_path / "copy.bin"

    store.download_to(key, target)

    assert sha256_of(target) == sha256_of(large_file)


def test_deleted_object_is_not_found(store: S3ObjectStore, tmp_path: Path) -> None:
    key = put_small(store, tmp_path, b"short-lived")
    assert b"".join(store.iter_bytes(key)) == b"short-lived"

    store.delete(key)

    with pytest.raises(ObjectNotFound):
        b"".join(store.iter_bytes(key))
    target = tmp_path / "gone.bin"
    with pytest.raises(ObjectNotFound):
        store.download_to(key, target)
    assert not target.exists()


def test_deleting_a_missing_key_is_not_an_error(store: S3ObjectStore) -> None:
    store.delete(new_key())


@pytest.mark.parametrize(
    ("filename", "expected_fallback", "expected_encoded"),
    [
        ("Rapport été 2024.pdf", "Rapport _t_ 2024.pdf", "Rapport%20%C3%A9t%C3%A9%202024.pdf"),
        ('say "hi"; now.pdf', "say _hi_; now.pdf", "say%20%22hi%22%3B%20now.pdf"),
    ],
)
def test_presigned_get_serves_the_bytes_as_a_named_attachment(
    store: S3ObjectStore,
    tmp_path: Path,
    filename: str,
    expected_fallback: str,
    expected_encoded: str,
) -> None:
    data = secrets.token_bytes(4096)
    key = put_small(store, tmp_path, data, filename)

    url = store.presigned_url(key, filename, "application/pdf")
    response = httpx.get(url)

    assert response.status_code == 200, response.text
    assert response.content == data
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == (
        f"attachment; filename=\"{expected_fallback}\"; filename*=UTF-8''{expected_encoded}"
    )


def _with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


def test_presigned_url_with_altered_signature_is_forbidden(
    store: S3ObjectStore, tmp_path: Path
) -> None:
    key = put_small(store, tmp_path, b"secret contents")
    url = store.presigned_url(key, "a.txt", "text/plain")
    signature = dict(parse_qsl(urlsplit(url).query))["X-Amz-Signature"]
    flipped = signature[:-1] + ("0" if signature[-1] != "0" else "1")

    response = httpx.get(_with_query(url, **{"X-Amz-Signature": flipped}))

    assert response.status_code == 403, response.text
    assert b"secret contents" not in response.content


def test_presigned_url_cannot_be_pointed_at_another_object(
    store: S3ObjectStore, tmp_path: Path
) -> None:
    allowed = put_small(store, tmp_path, b"allowed")
    other = put_small(store, tmp_path, b"someone else's file")
    url = urlsplit(store.presigned_url(allowed, "a.txt", "text/plain"))
    assert url.path.endswith(allowed)

    response = httpx.get(urlunsplit(url._replace(path=url.path.replace(allowed, other))))

    assert response.status_code == 403, response.text
    assert b"someone else" not in response.content


def test_presigned_url_cannot_change_the_response_headers(
    store: S3ObjectStore, tmp_path: Path
) -> None:
    key = put_small(store, tmp_path, b"<script>alert(1)</script>")
    url = store.presigned_url(key, "a.txt", "text/plain")

    response = httpx.get(_with_query(url, **{"response-content-type": "text/html"}))

    assert response.status_code == 403, response.text


def test_expired_presigned_url_is_forbidden(
    s3_server: S3Server, store: S3ObjectStore, tmp_path: Path
) -> None:
    # The signature's date has whole seconds and CI is busy: a one-second life can be
    # over before the first request, so the link lives a few seconds.
    short_lived = S3ObjectStore(s3_settings(s3_server, presign_expiry_seconds=4))
    key = put_small(short_lived, tmp_path, b"expires soon")
    url = short_lived.presigned_url(key, "a.txt", "text/plain")
    assert httpx.get(url).status_code == 200

    time.sleep(6)

    assert httpx.get(url).status_code == 403


def test_put_with_wrong_secret_is_rejected(
    s3_server: S3Server, store: S3ObjectStore, raw_client: "S3Client", tmp_path: Path
) -> None:
    impostor = S3ObjectStore(s3_settings(s3_server, secret_access_key="not-the-secret"))
    source = tmp_path / "x.bin"
    source.write_bytes(b"should not land")
    key = new_key()

    with pytest.raises(S3UploadFailedError, match="SignatureDoesNotMatch"):
        impostor.put_file(key, source, "text/plain")

    with pytest.raises(ClientError) as missing:
        raw_client.head_object(Bucket=store.bucket, Key=key)
    assert missing.value.response["Error"]["Code"] == "404"


def test_read_with_wrong_secret_is_rejected(
    s3_server: S3Server, store: S3ObjectStore, tmp_path: Path
) -> None:
    key = put_small(store, tmp_path, b"private")
    impostor = S3ObjectStore(s3_settings(s3_server, secret_access_key="not-the-secret"))

    with pytest.raises(ClientError) as rejected:
        b"".join(impostor.iter_bytes(key))

    assert rejected.value.response["Error"]["Code"] == "SignatureDoesNotMatch"


def test_check_passes_with_the_right_credentials(store: S3ObjectStore) -> None:
    store.check()


@pytest.mark.parametrize(
    "overrides",
    [
        {"secret_access_key": "not-the-secret"},
        {"access_key_id": "archivist:nobody"},
    ],
    ids=["wrong-secret", "unknown-access-key"],
)
def test_check_fails_with_wrong_credentials(
    s3_server: S3Server, store: S3ObjectStore, overrides: dict[str, str]
) -> None:
    impostor = S3ObjectStore(s3_settings(s3_server, bucket=store.bucket, **overrides))

    with pytest.raises(ClientError) as rejected:
        impostor.check()

    assert rejected.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_check_creates_a_missing_bucket_when_asked(
    s3_server: S3Server, raw_client: "S3Client"
) -> None:
    bucket = f"archivist-new-{secrets.token_hex(4)}"

    S3ObjectStore(s3_settings(s3_server, bucket=bucket, create_bucket=True)).check()

    raw_client.head_bucket(Bucket=bucket)


def test_check_fails_for_a_missing_bucket_when_not_asked_to_create_it(
    s3_server: S3Server, raw_client: "S3Client"
) -> None:
    bucket = f"archivist-absent-{secrets.token_hex(4)}"

    with pytest.raises(ClientError) as missing:
        S3ObjectStore(s3_settings(s3_server, bucket=bucket, create_bucket=False)).check()

    assert missing.value.response["Error"]["Code"] == "404"
    with pytest.raises(ClientError):
        raw_client.head_bucket(Bucket=bucket)


def test_unsupported_server_side_encryption_fails_the_upload(
    s3_server: S3Server, store: S3ObjectStore, tmp_path: Path
) -> None:
    # Swift's s3api only implements SSE "AES256" (and only with its encryption middleware on);
    # the store must surface the refusal, never fall back to storing the file unencrypted.
    kms = S3ObjectStore(
        s3_settings(s3_server, bucket=store.bucket, server_side_encryption="aws:kms")
    )
    source = tmp_path / "x.bin"
    source.write_bytes(b"needs encryption")

    with pytest.raises(S3UploadFailedError, match="NotImplemented"):
        kms.put_file(new_key(), source, "text/plain")


def test_factory_picks_s3_when_a_bucket_is_set(s3_server: S3Server, tmp_path: Path) -> None:
    with_bucket = Settings(data_dir=tmp_path, s3=s3_settings(s3_server))
    without_bucket = Settings(data_dir=tmp_path, s3=S3Settings(bucket=""))

    assert isinstance(create_object_store(with_bucket), S3ObjectStore)
    assert isinstance(create_object_store(without_bucket), LocalObjectStore)
