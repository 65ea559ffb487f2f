"""The pipeline on a real S3 server: objects in the bucket, presigned downloads, clean deletes."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import boto3
import httpx
import pytest
from botocore.exceptions import ClientError

from archivist.core.config import Settings
from archivist.core.state import AppState
from archivist.embedded.services import EmbeddedServices
from archivist.files.service import file_service
from archivist.worker.context import WorkerContext
from tests.conftest import start_worker, stop_worker
from tests.factories import files
from tests.factories.accounts import Account, invite_member, register_org
from tests.factories.documents import upload_indexed
from tests.s3server import S3Server, s3_settings
from tests.support import assert_error, open_client

BUCKET = "archivist-documents"


@dataclass
class S3Stack:
    client: httpx.AsyncClient
    owner: Account
    colleague: Account
    raw: object
    settings: Settings


@pytest.fixture(scope="module")
async def stack(
    services: EmbeddedServices, app_state: AppState, s3_server: S3Server
) -> AsyncIterator[S3Stack]:
    s3 = s3_settings(s3_server, bucket=BUCKET)
    redis_url = services.redis_url.rsplit("/", 1)[0] + "/6"
    settings = app_state.settings.model_copy(update={"redis_url": redis_url, "s3": s3})
    state = AppState.create(settings)
    state.store.check()  # creates the bucket
    worker = start_worker(
        services,
        REDIS_URL=redis_url,
        ARCHIVIST_S3__BUCKET=s3.bucket,
        ARCHIVIST_S3__ENDPOINT_URL=s3.endpoint_url,
        ARCHIVIST_S3__REGION=s3.region,
        ARCHIVIST_S3__ACCESS_KEY_ID=s3.access_key_id,
        ARCHIVIST_S3__SECRET_ACCESS_KEY=s3.secret_access_key,
    )
    raw = boto3.client(
        "s3",
        endpoint_url=s3.endpoint_url,
        region_name=s3.region,
        aws_access_key_id=s3.access_key_id,
        aws_secret_access_key=s3.secret_access_key,
    )
    try:
        async with open_client(state) as client:
            owner = await register_org(client, "Bucket Co")
            colleague = await invite_member(client, owner)
            yield S3Stack(client, owner, colleague, raw, settings)
    finally:
        stop_worker(worker)
        await state.close()


async def test_uploaded_document_is_processed_from_the_bucket(
    stack: S3Stack, tmp_path: Path
) -> None:
    pdf = files.make_pdf(tmp_path / "s3.pdf", ["Wombat burrows", "Second page"])
    document = await upload_indexed(stack.client, stack.owner, "s3.pdf", pdf.read_bytes())
    assert document["page_count"] == 2
    key = f"orgs/{stack.owner.org_id}/files/{document['file_id']}/s3.pdf"
    head = stack.raw.head_object(Bucket=BUCKET, Key=key)  # type: ignore[attr-defined]
    assert head["ContentLength"] == pdf.stat().st_size


async def test_download_redirects_to_a_presigned_url_that_cannot_be_tampered(
    stack: S3Stack,
) -> None:
    content = b"Numbat notes for the presigned download"
    document = await upload_indexed(stack.client, stack.owner, "numbat.txt", content)
    response = await stack.client.get(
        f"/api/files/{document['file_id']}/download", headers=stack.owner.headers
    )
    assert response.status_code == 307
    url = response.headers["location"]
    async with httpx.AsyncClient() as plain:
        fetched = await plain.get(url)
        assert fetched.status_code == 200
        assert fetched.content == content
        assert "numbat.txt" in fetched.headers["content-disposition"]
        parts = urlsplit(url)
        tampered = urlunsplit(parts._replace(path=parts.path.replace("numbat", "nombat")))
        assert (await plain.get(tampered)).status_code == 403
    denied = await stack.client.get(
        f"/api/files/{document['file_id']}/download", headers=stack.colleague.headers
    )
    assert_error(denied, 404)


async def test_deleting_a_document_removes_its_object_after_the_retention_window(
    stack: S3Stack,
) -> None:
    document = await upload_indexed(stack.client, stack.owner, "bye.txt", b"Echidna to delete")
    key = f"orgs/{stack.owner.org_id}/files/{document['file_id']}/bye.txt"
    stack.raw.head_object(Bucket=BUCKET, Key=key)  # type: ignore[attr-defined]
    response = await stack.client.delete(
        f"/api/documents/{document['id']}", headers=stack.owner.headers
    )
    assert response.status_code == 204
    # Kept for the retention window (point-in-time restore), then purged.
    stack.raw.head_object(Bucket=BUCKET, Key=key)  # type: ignore[attr-defined]
    retention = timedelta(days=stack.settings.backup.deleted_file_retention_days)
    later = datetime.now(UTC) + retention + timedelta(minutes=1)
    assert file_service.purge_expired(WorkerContext(stack.settings), later) >= 1
    with pytest.raises(ClientError):
        stack.raw.head_object(Bucket=BUCKET, Key=key)  # type: ignore[attr-defined]
