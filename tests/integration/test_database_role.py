"""Row-level security binds only a role that is no superuser, has no BYPASSRLS and owns no
table. Pointed at any other role, every process refuses to start instead of failing open."""

import subprocess
import sys
from collections.abc import AsyncIterator

import psycopg
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from archivist.core.config import Settings
from archivist.core.db import UnsafeDatabaseRole, create_async_db_engine, ensure_isolating_role
from archivist.embedded import postgres as embedded_postgres
from archivist.embedded.services import EmbeddedServices
from archivist.main import create_app
from tests.conftest import worker_env


def _superuser_url(services: EmbeddedServices) -> str:
    credentials = embedded_postgres.load_credentials(services.data_dir / "secrets")
    url = make_url(services.database_url)
    return url.set(username="postgres", password=credentials.superuser_password).render_as_string(
        hide_password=False
    )


@pytest.fixture(scope="module")
def bypassing_url(services: EmbeddedServices) -> str:
    """A role that is neither superuser nor owner, but has BYPASSRLS."""
    url = make_url(services.database_url)
    with psycopg.connect(_superuser_url(services).replace("+asyncpg", ""), autocommit=True) as c:
        c.execute("DROP ROLE IF EXISTS archivist_bypass")
        c.execute("CREATE ROLE archivist_bypass LOGIN BYPASSRLS PASSWORD 'bypass-secret'")
    return url.set(username="archivist_bypass", password="bypass-secret").render_as_string(
        hide_password=False
    )


async def _engine(url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_db_engine(Settings(database_url=url))
    yield engine
    await engine.dispose()


async def test_application_role_is_accepted(services: EmbeddedServices) -> None:
    async for engine in _engine(services.database_url):
        await ensure_isolating_role(engine)


@pytest.mark.parametrize(
    ("which", "problem"),
    [("owner", "owns tables"), ("superuser", "is a superuser"), ("bypass", "has BYPASSRLS")],
)
async def test_roles_that_pass_row_level_security_are_refused(
    services: EmbeddedServices, bypassing_url: str, which: str, problem: str
) -> None:
    url = {
        "owner": services.migration_url,
        "superuser": _superuser_url(services),
        "bypass": bypassing_url,
    }[which]
    async for engine in _engine(url):
        with pytest.raises(UnsafeDatabaseRole, match=problem):
            await ensure_isolating_role(engine)


async def test_api_refuses_to_start_as_the_table_owner(services: EmbeddedServices) -> None:
    app = create_app(
        Settings(
            data_dir=services.data_dir,
            database_url=services.migration_url,
            redis_url=services.redis_url,
        )
    )
    with pytest.raises(UnsafeDatabaseRole, match="owns tables"):
        async with app.router.lifespan_context(app):
            pass


def test_worker_refuses_to_start_as_the_table_owner(services: EmbeddedServices) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "archivist.cli", "worker", "--queues", "primary"],
        env={**worker_env(services), "DATABASE_URL": services.migration_url},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "refusing to start" in done.stderr and "owns tables" in done.stderr
