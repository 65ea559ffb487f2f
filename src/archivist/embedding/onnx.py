"""all-MiniLM-L6-v2 as an ONNX model on ONNX Runtime: fp32 (the torch model's vectors) or int8.

The model is built once from the bundled fp32 weights into a cache folder; building needs torch,
transformers and onnx, which are imported only then. At run time only `tokenizers` and
`onnxruntime` are used. fp32 gives the same vectors as torch (cosine > 0.9999) about 3x faster
for one short text, which is why the API embeds queries with it. int8 uses dynamic quantization;
recipe and measurements: shared/notes/environment.md, "Embeddings".
"""

import contextlib
import ctypes
import fcntl
import importlib.util
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import onnxruntime as ort
from tokenizers import Encoding, Tokenizer

from archivist.embedding import model_files
from archivist.embedding.base import EMBEDDING_DIM

logger = logging.getLogger(__name__)
PR_SET_PDEATHSIG = 1  # prctl(2)

# Bump when the build recipe changes, so caches built by an older recipe are not reused.
RECIPE_VERSION = 1
ONNX_OPSET = 17
INPUT_NAMES = ("input_ids", "attention_mask", "token_type_ids")

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]


class OnnxEmbedder:
    dim = EMBEDDING_DIM
    max_tokens = model_files.MAX_TOKENS

    def __init__(
        self, cache_dir: Path, quantized: bool = False, batch_size: int = 32, threads: int = 2
    ) -> None:
        # int8 vectors are close to fp32 ones (cosine ~0.99) but not the same, so they carry
        # another name: stored vectors from the two must not be mixed silently.
        self.name = "all-MiniLM-L6-v2-int8" if quantized else "all-MiniLM-L6-v2"
        self.quantized = quantized
        self.cache_dir = cache_dir
        self.batch_size = batch_size
        self.threads = threads
        self._session: ort.InferenceSession | None = None
        self._tokenizer: Tokenizer | None = None
        self._input_names: tuple[str, ...] = ()
        self._load_lock = threading.Lock()
        # One run at a time: the session already uses every core we give it, and it keeps
        # concurrent callers from oversubscribing the machine.
        self._run_lock = threading.Lock()

    @property
    def model_path(self) -> Path:
        kind = "int8" if self.quantized else "fp32"
        return self.cache_dir / f"all-MiniLM-L6-v2-{kind}-v{RECIPE_VERSION}.onnx"

    def load(self) -> None:
        """Build the model if the cache lacks it and open the session; safe to call repeatedly."""
        if self._session is not None:
            return
        with self._load_lock:
            if self._session is not None:
                return
            build_model(self.model_path, self.quantized)
            self._tokenizer = _runtime_tokenizer()
            session = _open_session(self.model_path, self.threads)
            declared = {i.name for i in session.get_inputs()}
            self._input_names = tuple(n for n in INPUT_NAMES if n in declared)
            self._session = session

    def embed(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        self.load()
        assert self._tokenizer is not None
        encodings = self._tokenizer.encode_batch(texts)
        # Batching texts of similar length wastes less work on padding; it also keeps short
        # texts from sharing a dynamic activation scale with long ones (int8).
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            out[rows] = self._embed_batch([encodings[i] for i in rows])
        vectors: list[list[float]] = out.tolist()
        return vectors

    def count_tokens(self, texts: list[str]) -> list[int]:
        return model_files.count_tokens(texts)

    def _embed_batch(self, encodings: list[Encoding]) -> FloatArray:
        assert self._session is not None
        feeds = _pad(encodings)
        with self._run_lock:
            (hidden,) = self._session.run(
                ["last_hidden_state"], {n: feeds[n] for n in self._input_names}
            )
        mask = feeds["attention_mask"][..., None].astype(np.float32)
        pooled = (np.asarray(hidden, dtype=np.float32) * mask).sum(axis=1)
        pooled /= np.maximum(mask.sum(axis=1), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        normalized: FloatArray = pooled / np.maximum(norms, 1e-12)
        return normalized


def _runtime_tokenizer() -> Tokenizer:
    # A private instance: the shared one in model_files is configured for counting. The file's
    # own defaults (truncate at 128, pad to a fixed 128) are not what the model was run with.
    tok = Tokenizer.from_file(str(model_files.model_dir() / "tokenizer.json"))
    tok.enable_truncation(max_length=model_files.MAX_TOKENS)
    tok.no_padding()
    return tok


def _pad(encodings: list[Encoding]) -> dict[str, IntArray]:
    """Pad to the longest text of this batch (pad id 0, as the model was trained)."""
    width = max(len(e.ids) for e in encodings)
    feeds = {n: np.zeros((len(encodings), width), dtype=np.int64) for n in INPUT_NAMES}
    for row, enc in enumerate(encodings):
        n = len(enc.ids)
        feeds["input_ids"][row, :n] = enc.ids
        feeds["attention_mask"][row, :n] = enc.attention_mask
        feeds["token_type_ids"][row, :n] = enc.type_ids
    return feeds


def _open_session(path: Path, threads: int) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    # Idle threads must not spin: in the API a query is embedded while PostgreSQL runs the
    # keyword leg on the same cores (measured at 100k chunks: hybrid p50 26.6 -> 20.6 ms).
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


# --- one-time build -------------------------------------------------------------------------


def build_model(target: Path, quantized: bool) -> None:
    """Write the model to `target` unless it is there; one process builds, others wait.

    The build runs in a child process: it needs torch only to export, and torch must not stay
    in the memory of the process that embeds (the API serves queries with ONNX alone).
    """
    if target.exists():
        return
    if importlib.util.find_spec("torch") is None:
        raise RuntimeError(
            f"the ONNX embedding model {target} is not built, and building it needs PyTorch, "
            "which this installation lacks: set ARCHIVIST_EMBEDDING__MODELS_DIR to a folder "
            "with the built models"
        )
    script = "import sys; from pathlib import Path; from archivist.embedding import onnx; "
    script += "onnx._end_with_parent(int(sys.argv[3])); "
    script += "onnx._build(Path(sys.argv[1]), sys.argv[2] == 'int8')"
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            script,
            str(target),
            "int8" if quantized else "fp32",
            str(os.getpid()),
        ],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0 or not target.exists():
        raise RuntimeError(f"building the ONNX embedding model failed:\n{done.stderr[-2000:]}")


def _end_with_parent(parent: int) -> None:
    """Have the kernel stop this build when the process that asked for it dies (Linux), so no
    orphan keeps building after the API is gone."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # it died before the request took effect
        os._exit(1)


def _build(target: Path, quantized: bool) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with _exclusive_lock(target.with_name(target.name + ".lock")):
        if target.exists():  # another process built it while we waited
            return
        logger.info("building the ONNX embedding model into %s (one-time)", target)
        # A temp folder beside the target keeps the final rename on one filesystem, so it is
        # atomic: readers see either no model or a whole one.
        with tempfile.TemporaryDirectory(dir=target.parent, prefix=".build-") as tmp:
            work = Path(tmp)
            _export_fp32(work / "fp32.onnx")
            _optimize(work / "fp32.onnx", work / "optimized.onnx")
            built = work / "optimized.onnx"
            if quantized:
                built = work / "int8.onnx"
                _quantize(work / "optimized.onnx", built)
            with open(built, "rb") as f:
                os.fsync(f.fileno())
            os.replace(built, target)
        logger.info("ONNX embedding model ready: %s", target)


@contextmanager
def _exclusive_lock(path: Path) -> Iterator[None]:
    # flock rather than a lock file's existence: the kernel drops it if the builder dies.
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _model_config() -> dict[str, Any]:
    with open(model_files.model_dir() / "config.json") as f:
        config: dict[str, Any] = json.load(f)
    return config


def _export_fp32(path: Path) -> None:
    import torch
    from transformers import AutoModel

    # Eager attention exports as plain MatMul/Softmax, the pattern ORT's optimizer fuses.
    bert = AutoModel.from_pretrained(str(model_files.model_dir()), attn_implementation="eager")
    bert.eval()

    class LastHiddenState(torch.nn.Module):
        # Keyword arguments: BertModel's positional order is not stable across versions.
        def __init__(self, model: torch.nn.Module) -> None:
            super().__init__()
            self.model = model

        def forward(
            self,
            input_ids: torch.Tensor,
            attention_mask: torch.Tensor,
            token_type_ids: torch.Tensor,
        ) -> torch.Tensor:
            out = self.model(
                input_ids=input_ids,
                attention_mask=attention_mask,
                token_type_ids=token_type_ids,
            )
            hidden: torch.Tensor = out.last_hidden_state
            return hidden

    sample = torch.ones((2, 16), dtype=torch.long)
    axes = {0: "batch", 1: "sequence"}
    with torch.no_grad(), warnings.catch_warnings():
        # The TorchScript exporter is deprecated and chatty; its output is checked by tests.
        warnings.simplefilter("ignore")
        torch.onnx.export(
            LastHiddenState(bert),
            (sample, sample, torch.zeros_like(sample)),
            str(path),
            input_names=list(INPUT_NAMES),
            output_names=["last_hidden_state"],
            dynamic_axes={name: axes for name in (*INPUT_NAMES, "last_hidden_state")},
            opset_version=ONNX_OPSET,
            dynamo=False,
        )


def _optimize(source: Path, target: Path) -> None:
    from onnxruntime.transformers import optimizer

    config = _model_config()
    model = optimizer.optimize_model(
        str(source),
        model_type="bert",
        num_heads=int(config["num_attention_heads"]),
        hidden_size=int(config["hidden_size"]),
    )
    model.save_model_to_file(str(target))


def _quantize(source: Path, target: Path) -> None:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # per_channel + reduce_range: default settings measured 0.907 min cosine vs fp32; these 0.986.
    quantize_dynamic(
        str(source),
        str(target),
        weight_type=QuantType.QInt8,
        per_channel=True,
        reduce_range=True,
        extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
    )
