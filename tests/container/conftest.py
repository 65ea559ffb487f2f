from collections.abc import Iterator

import pytest

from archivist.embedded.services import EmbeddedServices
from tests import containers
from tests.support import own_services


@pytest.fixture(scope="session")
def container_image() -> str:
    """The application image, built (or reused) once per session; skips where podman is absent."""
    containers.require_podman()
    return containers.image()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedServices]:
    """A PostgreSQL and a Redis of their own, with no schema yet, for the containers to use."""
    with own_services(tmp_path_factory.mktemp("image-stack")) as services:
        yield services
