"""Which model answers: a configured endpoint, else the bundled local model, else extractive."""

import logging
import threading
from functools import lru_cache

from archivist.core.config import LLMSettings, Settings
from archivist.llm import local
from archivist.llm.base import LLM
from archivist.llm.extractive import ExtractiveLLM

logger = logging.getLogger(__name__)
_lock = threading.Lock()


def create_llm(settings: Settings) -> LLM:
    with _lock:  # the local model loads once per process
        return _cached(settings.llm.model_dump_json())


@lru_cache(maxsize=4)
def _cached(config_json: str) -> LLM:
    config = LLMSettings.model_validate_json(config_json)
    if config.provider == "extractive":
        return ExtractiveLLM()
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
    if local.available():
        try:
            return local.LocalLLM()
        except Exception:
            logger.exception("the bundled model could not load; answering extractively")
    elif config.provider == "local":
        logger.warning("the bundled model is not installed; answering extractively")
    return ExtractiveLLM()
