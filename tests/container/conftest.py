import pytest

from tests import containers


@pytest.fixture(scope="session")
def container_image() -> str:
    """The application image, built (or reused) once per session; skips where podman is absent."""
    containers.require_podman()
    return containers.image()
