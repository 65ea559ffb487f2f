"""The OpenAI-compatible clients against llama.cpp's real server, and the start-up check that the
embedding model's vectors fit the index.

The bundled chat model, served with embeddings, makes 576-dimensional vectors: a real model
whose dimension differs from the index's 384.
"""

import subprocess
import sys
from collections.abc import Iterator

import pytest

from archivist.core.config import EmbeddingSettings, Settings
from archivist.embedded.ports import free_port
from archivist.embedded.services import EmbeddedServices
from archivist.embedding.dimension import EmbedderRefused
from archivist.embedding.openai_compat import OpenAICompatibleEmbedder
from archivist.llm.base import ChatMessage
from archivist.llm.openai_compat import OpenAICompatibleLLM
from archivist.main import create_app
from archivist.worker.context import WorkerContext
from tests.conftest import worker_env
from tests.fake_embedder import address, fake_embedding_server
from tests.llama_server import llama_server

BASES = ["", "/", "/v1", "/v1/"]
LLAMA_DIM = 576  # SmolLM2-135M's hidden size


@pytest.fixture(scope="module")
def llama() -> Iterator[str]:
    with llama_server(embedding=True) as base:
        yield base


@pytest.mark.parametrize("suffix", BASES)
async def test_chat_streams_from_llama_cpp_with_or_without_v1(llama: str, suffix: str) -> None:
    model = OpenAICompatibleLLM(llama + suffix, "smollm2", timeout_seconds=60)
    messages: list[ChatMessage] = [{"role": "user", "content": "Name a colour."}]
    pieces = [piece async for piece in model.stream(messages, max_tokens=6)]
    assert len(pieces) > 1 and "".join(pieces).strip()


def test_embeddings_from_llama_cpp_with_or_without_v1(llama: str) -> None:
    texts = ["The lighthouse keeper rings the bell.", "Quarterly revenue grew by four percent."]
    answers = []
    for suffix in BASES:
        embedder = OpenAICompatibleEmbedder(llama + suffix, "smollm2", dim=LLAMA_DIM)
        assert embedder.probe_dimension() == LLAMA_DIM
        answers.append(embedder.embed(texts))
    first, second = answers[0]
    assert len(first) == len(second) == LLAMA_DIM
    assert abs(sum(x * x for x in first) - 1.0) < 1e-6
    assert sum(a * b for a, b in zip(first, second, strict=True)) < 0.99  # two different texts
    for vectors in answers[1:]:  # the same server reached every time
        for got, expected in zip(vectors, answers[0], strict=True):
            assert max(abs(a - b) for a, b in zip(got, expected, strict=True)) < 1e-4


def remote(settings: Settings, base_url: str, dim: int = 384, **more: object) -> Settings:
    embedding = EmbeddingSettings(
        provider="openai", base_url=base_url, model="smollm2", dim=dim, **more
    )
    return settings.model_copy(update={"embedding": embedding})


@pytest.mark.parametrize("dim", [384, LLAMA_DIM])
async def test_api_refuses_to_start_with_a_model_of_another_dimension(
    settings: Settings, llama: str, dim: int
) -> None:
    app = create_app(remote(settings, f"{llama}/v1", dim))
    with pytest.raises(EmbedderRefused) as refused:
        async with app.router.lifespan_context(app):
            pass
    message = str(refused.value)
    assert "makes 576-dimensional vectors" in message
    assert "index holds 384-dimensional ones" in message and "vector(384)" in message
    assert "rebuild the index for 576" in message


def test_worker_refuses_to_start_with_a_model_of_another_dimension(
    services: EmbeddedServices, llama: str
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "archivist.cli", "worker", "--queues", "primary"],
        env=worker_env(
            services,
            ARCHIVIST_EMBEDDING__PROVIDER="openai",
            ARCHIVIST_EMBEDDING__BASE_URL=llama,
            ARCHIVIST_EMBEDDING__MODEL="smollm2",
            ARCHIVIST_EMBEDDING__DIM="576",
        ),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1, done.stderr
    assert "archivist: refusing to start: the embedding model 'smollm2'" in done.stderr
    assert "576-dimensional" in done.stderr and "384-dimensional" in done.stderr


def check_worker(settings: Settings) -> None:
    """What `archivist worker` checks before it takes any task."""
    context = WorkerContext(settings)
    try:
        context.check_embedder()
    finally:
        context.sessionmaker.kw["bind"].dispose()


def test_a_remote_model_of_the_index_dimension_is_accepted(settings: Settings) -> None:
    with fake_embedding_server() as server:
        check_worker(remote(settings, address(server)))
        assert [r["path"] for r in server.requests] == ["/v1/embeddings"]  # one probe


def test_an_unreachable_embedding_server_stops_start_up(settings: Settings) -> None:
    unreachable = remote(settings, "http://127.0.0.1:9", retries=0)
    with pytest.raises(EmbedderRefused, match="could not ask the embedding model 'smollm2'"):
        check_worker(unreachable)


async def test_a_dimension_setting_that_differs_from_the_index_stops_start_up(
    settings: Settings,
) -> None:
    configured = settings.model_copy(update={"embedding": EmbeddingSettings(dim=768)})
    app = create_app(configured)
    with pytest.raises(EmbedderRefused, match=r"ARCHIVIST_EMBEDDING__DIM is 768.*set it to 384"):
        async with app.router.lifespan_context(app):
            pass


def test_archivist_api_exits_with_the_reason_when_the_dimension_setting_differs(
    services: EmbeddedServices,
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "archivist.cli", "api", "--port", str(free_port())],
        env=worker_env(services, ARCHIVIST_EMBEDDING__DIM="768"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 3, done.stderr  # uvicorn's "startup failed"
    assert "refusing to start: ARCHIVIST_EMBEDDING__DIM is 768" in done.stdout + done.stderr
