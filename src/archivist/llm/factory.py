"""Which model answers: a configured endpoint, the bundled local model when asked for, or none
(`None`: the chat answers with chosen source sentences)."""

import logging
import threading
from functools import lru_cache

from archivist.core.config import LLMSettings, Settings
from archivist.llm import local
from archivist.llm.base import LLM

logger = logging.getLogger(__name__)
_lock = threading.Lock()


def create_llm(settings: Settings) -> LLM | None:
    with _lock:  # the local model loads once per process
        return _cached(settings.llm.model_dump_json())


@lru_cache(maxsize=4)
def _cached(config_json: str) -> LLM | None:
    config = LLMSettings.model_validate_json(config_json)
    if config.provider == "extractive":
        return None
    if config.base_url and config.provider == "auto":
        from archivist.llm.openai_compat import OpenAICompatibleLLM  # the SDK takes a second

        return OpenAICompatibleLLM(
            config.base_url,
            config.model,
            config.api_key,
            config.timeout_seconds,
            config.connect_timeout_seconds,
            config.retries,
        )
    if config.provider != "local":
        return None
    if not local.available():
        logger.warning("the bundled model is not installed; answering with source sentences")
        return None
    try:
        return local.LocalLLM()
    except Exception:
        logger.exception("the bundled model could not load; answering with source sentences")
        return None
