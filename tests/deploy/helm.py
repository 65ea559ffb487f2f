"""Render the Helm chart offline (helm-python-sdk: Helm's own Go SDK, no binary, no cluster).

`render_chart(values)` returns the parsed manifests, as `helm template` would print them; the chart
tests use it, and so can anything that runs the rendered Deployments (e.g. `podman kube play`).
"""

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import helm_python as helm
import yaml

REPO = Path(__file__).resolve().parents[2]
CHART = REPO / "deploy" / "helm" / "archivist"
PRODUCTION_VALUES = CHART / "values-production.yaml"

Manifest = dict[str, Any]


@dataclass(frozen=True)
class Rendered:
    manifests: list[Manifest]
    notes: str
    # Every rendered template as text, for checks that must see all of it (no secret leaks).
    text: str

    def of_kind(self, kind: str) -> list[Manifest]:
        return [m for m in self.manifests if m["kind"] == kind]

    def get(self, kind: str, name: str) -> Manifest:
        found = [m for m in self.of_kind(kind) if m["metadata"]["name"] == name]
        assert len(found) == 1, f"{kind}/{name}: {len(found)} rendered"
        return found[0]

    def pod_specs(self) -> Iterator[tuple[Manifest, dict[str, Any]]]:
        """Every workload with its pod spec (Deployments, StatefulSets, DaemonSets, Jobs)."""
        for manifest in self.manifests:
            if manifest["kind"] in ("Deployment", "StatefulSet", "DaemonSet", "Job"):
                yield manifest, manifest["spec"]["template"]["spec"]


def load_values(path: Path) -> dict[str, Any]:
    values: dict[str, Any] = yaml.safe_load(path.read_text()) or {}
    return values


def merge_values(*layers: dict[str, Any]) -> dict[str, Any]:
    """Later layers win, maps merge key by key, as several `helm -f` files do."""
    merged: dict[str, Any] = {}
    for layer in layers:
        merged = _merge(merged, layer)
    return merged


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    result = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = _merge(result[key], value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def render_chart(
    values: dict[str, Any] | None = None,
    *,
    release: str = "archivist",
    namespace: str = "archivist",
    chart: Path = CHART,
) -> Rendered:
    """The chart rendered for an install with `values` over its defaults."""
    with helm.Chart.load(chart) as loaded:
        files = loaded.render(values or {}, name=release, namespace=namespace, is_install=True)
    notes = ""
    manifests: list[Manifest] = []
    for path, text in sorted(files.items()):
        if path.endswith("NOTES.txt"):
            notes = text
            continue
        manifests.extend(doc for doc in yaml.safe_load_all(text) if doc)
    return Rendered(manifests, notes, "\n".join(files.values()))
