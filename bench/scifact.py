"""The SciFact evaluation data (../shared/eval/scifact): corpus, dev queries, judgements."""

import gzip
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "shared" / "eval" / "scifact"


@dataclass(frozen=True)
class Doc:
    id: str
    title: str
    text: str


def corpus(eval_dir: Path = DEFAULT_DIR, limit: int | None = None) -> list[Doc]:
    docs = []
    with gzip.open(eval_dir / "corpus.jsonl.gz", "rt") as handle:
        for line in handle:
            row = json.loads(line)
            docs.append(Doc(str(row["_id"]), row["title"], row["text"]))
            if limit and len(docs) >= limit:
                break
    return docs


def queries(eval_dir: Path = DEFAULT_DIR, split: str = "dev") -> dict[str, str]:
    """A split's queries: `dev` (tune on it) or `test` (the judging split: report, never tune)."""
    with (eval_dir / split / "queries.jsonl").open() as handle:
        return {str(row["_id"]): row["text"] for row in map(json.loads, handle)}


def qrels(eval_dir: Path = DEFAULT_DIR, split: str = "dev") -> dict[str, dict[str, int]]:
    judged: dict[str, dict[str, int]] = defaultdict(dict)
    with (eval_dir / split / "qrels.tsv").open() as handle:
        next(handle)
        for line in handle:
            query_id, doc_id, score = line.rstrip("\n").split("\t")
            judged[query_id][doc_id] = int(score)
    return dict(judged)


def dev_queries(eval_dir: Path = DEFAULT_DIR) -> dict[str, str]:
    return queries(eval_dir, "dev")


def dev_qrels(eval_dir: Path = DEFAULT_DIR) -> dict[str, dict[str, int]]:
    return qrels(eval_dir, "dev")
