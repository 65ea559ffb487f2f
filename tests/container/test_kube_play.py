"""The Helm chart's own Deployments, run by `podman kube play` from the built image.

The chart is rendered as a user would install it (tests/deploy/helm.py), pointed at the test's
PostgreSQL and Redis through the chart's Secret. A few changes make the pods runnable on one
machine without a cluster: one replica each, and the host's network (the services listen on
127.0.0.1), where podman takes no port declarations, so probes name the port by number; and
the chart's Secret becomes a podman secret holding its `data` as JSON (podman 4.3 reads
`secretKeyRef` from that; it cannot play a Secret from the YAML). Everything else — commands,
environment from the Secret, probes, the restricted securityContext with its read-only root
filesystem, the volumes — is what Kubernetes would run.
"""

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from archivist.core.migrate import upgrade
from archivist.embedded.ports import free_port
from archivist.embedded.services import EmbeddedServices
from tests.containers import IMAGE, podman, sign_up_and_upload
from tests.deploy.helm import Manifest, render_chart


def chart_for(stack: EmbeddedServices, port: int) -> tuple[Manifest, list[Manifest]]:
    """The chart's Secret, and the Deployments to play."""
    repository, tag = IMAGE.rsplit(":", 1)
    rendered = render_chart(
        {
            "image": {"repository": repository, "tag": tag, "pullPolicy": "Never"},
            "database": {"url": stack.database_url},
            "redis": {"url": stack.redis_url},
            "auth": {"jwtSecret": "kube-play-" + "x" * 40},
            "llm": {"provider": "extractive"},
            "api": {"port": port},
        }
    )
    secret = rendered.get("Secret", "archivist")
    api = rendered.get("Deployment", "archivist-api")
    worker = rendered.get("Deployment", "archivist-worker-docprocessing")
    primary = rendered.get("Deployment", "archivist-worker-primary")
    for deployment in (api, worker, primary):
        deployment["spec"]["replicas"] = 1
        pod = deployment["spec"]["template"]["spec"]
        pod["hostNetwork"] = True
        for container in pod["containers"]:
            ports = {p["name"]: p["containerPort"] for p in container.pop("ports", [])}
            for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
                get = container.get(probe, {}).get("httpGet")
                if get:
                    get["port"] = ports.get(get["port"], get["port"])
    return secret, [api, worker, primary]


@pytest.fixture
def played(
    container_image: str, stack: EmbeddedServices, tmp_path: Path
) -> Iterator[tuple[str, Path]]:
    upgrade(stack.migration_url)  # the chart's pre-install Job; podman does not run Jobs
    port = free_port()
    secret, deployments = chart_for(stack, port)
    assert container_image == IMAGE
    name = secret["metadata"]["name"]
    secret_file = tmp_path / "secret.json"
    secret_file.write_text(json.dumps(secret["data"]))
    path = tmp_path / "archivist.yaml"
    path.write_text(yaml.safe_dump_all(deployments))
    for deployment in deployments:  # left by an interrupted run
        podman("pod", "rm", "--force", pod_name(deployment["metadata"]["name"]), check=False)
    podman("secret", "rm", name, check=False)
    podman("secret", "create", name, str(secret_file))
    try:
        podman("kube", "play", "--replace", str(path), timeout=300)
        yield f"http://127.0.0.1:{port}", path
    finally:
        podman("kube", "down", str(path), check=False, timeout=120)
        podman("secret", "rm", name, check=False)


def pod_name(deployment: str) -> str:
    return f"{deployment}-pod-0"  # podman's name for a Deployment's one replica


def containers_of(deployment: str) -> list[dict[str, Any]]:
    found = podman("ps", "--all", "--format", "json", "--filter", f"pod={pod_name(deployment)}")
    return [c for c in yaml.safe_load(found.stdout) or [] if not c.get("IsInfra")]


def pod_logs(deployment: str) -> str:
    names = [c["Names"][0] for c in containers_of(deployment)]
    return "".join(podman("logs", "--tail", "40", n, check=False).stderr for n in names)


def wait_for(what: str, check: Any, deployments: tuple[str, ...], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    pytest.fail(f"{what} within {timeout} s:\n" + "\n".join(pod_logs(d) for d in deployments))


def test_rendered_deployments_become_ready_and_process_an_upload(
    played: tuple[str, Path],
) -> None:
    base, _ = played
    began = time.monotonic()
    wait_for(
        "the API's /ready did not answer 200",
        lambda: httpx.get(f"{base}/ready", timeout=2).status_code == 200,
        ("archivist-api",),
    )
    print(f"kube play: API ready {time.monotonic() - began:.1f} s after the pods were created")

    # The pods run as the chart says: the image's non-root user, read-only root filesystem.
    for deployment in ("archivist-api", "archivist-worker-docprocessing"):
        (container,) = containers_of(deployment)
        (inspect,) = yaml.safe_load(podman("inspect", container["Id"]).stdout)
        assert inspect["State"]["Running"], pod_logs(deployment)
        assert inspect["Config"]["User"].split(":")[0] == "10001"
        assert inspect["HostConfig"]["ReadonlyRootfs"] is True

    headers, document_id = sign_up_and_upload(
        base, "kube", b"Pods are the smallest deployable units."
    )
    document = f"{base}/api/documents/{document_id}"

    wait_for(
        "the docprocessing worker did not index the upload",
        lambda: httpx.get(document, headers=headers).json()["status"] == "indexed",
        ("archivist-worker-docprocessing",),
    )
