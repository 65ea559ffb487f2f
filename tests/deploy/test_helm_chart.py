"""The Helm chart, rendered offline as `helm template` would, checked as a reviewer would check it.

Every manifest validates strictly (unknown fields are errors) against the Kubernetes 1.30 and the
newest bundled schemas; every pod meets the restricted Pod Security Standard; the numbers an
operator relies on (HPA, resources, one beat) are what the architecture says.
"""

import base64
import copy
from typing import Any

import helm_python as helm
import kubernetes_validate
import pytest
import yaml

from archivist.cli import build_parser
from archivist.worker.task_names import QUEUES
from tests.deploy.helm import (
    CHART,
    PRODUCTION_VALUES,
    Manifest,
    Rendered,
    load_values,
    merge_values,
    render_chart,
)
from tests.deploy.settings import is_setting

KUBERNETES_VERSIONS = ["1.30", kubernetes_validate.latest_version()]

# Values that set a value to every secret inline: the chart must keep them in its own Secret.
INLINE = {
    "database": {
        "url": "postgresql://archivist_app:inline-db-pw@db:5432/archivist",
        "migrationUrl": "postgresql://archivist_owner:inline-owner-pw@db:5432/archivist",
    },
    "redis": {"url": "redis://:inline-redis-pw@redis:6379/0"},
    "auth": {"jwtSecret": "inline-jwt-secret-value"},
    "s3": {
        "bucket": "documents",
        "endpointUrl": "http://minio:9000",
        "accessKeyId": "inline-access-key",
        "secretAccessKey": "inline-s3-secret",
    },
    "llm": {"baseUrl": "http://llm:8080/v1", "apiKey": "inline-llm-key"},
    "embedding": {
        "provider": "openai",
        "baseUrl": "http://tei:80/v1",
        "dim": 384,
        "apiKey": "inline-emb-key",
    },
}
INLINE_SECRETS = [
    "inline-db-pw",
    "inline-owner-pw",
    "inline-redis-pw",
    "inline-jwt-secret-value",
    "inline-access-key",
    "inline-s3-secret",
    "inline-llm-key",
    "inline-emb-key",
]
EVERYTHING_ON = merge_values(
    INLINE,
    {
        "ingress": {"enabled": True, "className": "nginx", "tls": [{"hosts": ["a.example.com"]}]},
        "api": {"autoscaling": {"enabled": False}},
        "workers": {"docprocessing": {"autoscaling": {"enabled": False}}},
        "data": {"existingClaim": "archivist-data"},
        "image": {"command": ["tini", "--", "archivist"]},
        "extraEnv": [{"name": "ARCHIVIST_CHAT__SOURCES", "value": "8"}],
    },
)
SCENARIOS = {
    "default": {},
    "production": load_values(PRODUCTION_VALUES),
    "everything-on": EVERYTHING_ON,
}


@pytest.fixture(scope="module", params=list(SCENARIOS))
def rendered(request: pytest.FixtureRequest) -> Rendered:
    return render_chart(SCENARIOS[request.param])


@pytest.fixture(scope="module")
def default() -> Rendered:
    return render_chart()


@pytest.fixture(scope="module")
def production() -> Rendered:
    return render_chart(load_values(PRODUCTION_VALUES))


def component(manifest: Manifest) -> str:
    return str(manifest["metadata"]["labels"]["app.kubernetes.io/component"])


def containers(pod: dict[str, Any]) -> list[dict[str, Any]]:
    return [*pod.get("initContainers", []), *pod["containers"]]


def cli_args(container: dict[str, Any]) -> list[str]:
    """The container's `archivist …` arguments, whatever runs in front of `archivist`."""
    argv = [*container.get("command", []), *container.get("args", [])]
    assert "archivist" in argv, argv
    return argv[argv.index("archivist") + 1 :]


# --- the chart as Helm sees it ------------------------------------------------------------------


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_chart_passes_helm_lint_in_strict_mode(scenario: str) -> None:
    report = helm.lint(CHART, SCENARIOS[scenario], strict=True, kube_version="v1.30.0")
    problems = [m for m in report["messages"] if m["severity"] >= 2]
    assert report["errors"] == [] and problems == [], report


# --- every manifest against the Kubernetes schemas ------------------------------------------------


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_manifest_validates_strictly(rendered: Rendered, version: str) -> None:
    assert len(rendered.manifests) >= 10
    for manifest in rendered.manifests:
        # Raises on a schema violation, an unknown field, and a kind the version does not know.
        kubernetes_validate.validate(manifest, version, strict=True)


def test_strict_validation_rejects_a_misspelt_field(default: Rendered) -> None:
    """The validation above can fail: a field Kubernetes would silently drop is an error."""
    api = copy.deepcopy(default.get("Deployment", "archivist-api"))
    api["spec"]["template"]["spec"]["containers"][0]["livenessprobe"] = {"exec": {"command": []}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(api, "1.30", strict=True)


# --- the restricted pod security standard, on every pod -----------------------------------------


def test_every_pod_and_container_is_restricted(rendered: Rendered) -> None:
    workloads = list(rendered.pod_specs())
    assert {component(m) for m, _ in workloads} >= {
        "api",
        "worker-primary",
        "worker-docprocessing",
        "beat",
        "migrate",
    }
    for manifest, pod in workloads:
        where = f"{manifest['kind']}/{manifest['metadata']['name']}"
        assert pod["automountServiceAccountToken"] is False, where
        assert pod.get("hostNetwork") is not True and pod.get("hostPID") is not True, where
        pod_context = pod["securityContext"]
        assert pod_context["runAsNonRoot"] is True, where
        assert pod_context["runAsUser"] != 0, where
        assert pod_context["seccompProfile"]["type"] == "RuntimeDefault", where
        for container in containers(pod):
            context = container["securityContext"]
            assert context["runAsNonRoot"] is True, where
            assert context["readOnlyRootFilesystem"] is True, where
            assert context["allowPrivilegeEscalation"] is False, where
            assert context.get("privileged", False) is False, where
            assert context["capabilities"]["drop"] == ["ALL"], where
            assert not context["capabilities"].get("add"), where
            assert context["seccompProfile"]["type"] == "RuntimeDefault", where
            for kind in ("requests", "limits"):
                assert set(container["resources"][kind]) >= {"cpu", "memory"}, (where, kind)


def test_read_only_containers_get_a_writable_tmp_and_data_dir_where_they_write(
    rendered: Rendered,
) -> None:
    for manifest, pod in rendered.pod_specs():
        volumes = {v["name"]: v for v in pod["volumes"]}
        for container in containers(pod):
            mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
            env = {e["name"]: e.get("value") for e in container["env"]}
            assert "/tmp" in mounts, manifest["metadata"]["name"]
            if component(manifest) != "migrate":  # uploads spool, model cache, beat schedule
                data_dir = env["ARCHIVIST_DATA_DIR"]
                assert data_dir in mounts, manifest["metadata"]["name"]
                assert set(volumes[mounts[data_dir]]) & {"emptyDir", "persistentVolumeClaim"}


def test_pods_run_as_a_service_account_without_a_token(rendered: Rendered) -> None:
    accounts = {a["metadata"]["name"]: a for a in rendered.of_kind("ServiceAccount")}
    assert accounts
    for account in accounts.values():
        assert account["automountServiceAccountToken"] is False
    for _, pod in rendered.pod_specs():
        assert pod["serviceAccountName"] in accounts


def test_uid_is_a_value() -> None:
    rendered = render_chart({"runAsUser": 20002, "runAsGroup": 20002, "fsGroup": 20002})
    for _, pod in rendered.pod_specs():
        assert pod["securityContext"]["runAsUser"] == 20002
        assert all(c["securityContext"]["runAsUser"] == 20002 for c in containers(pod))


# --- probes and commands ------------------------------------------------------------------------


def test_every_container_runs_a_real_archivist_command(rendered: Rendered) -> None:
    """The arguments parse with the CLI itself, and workers consume queues that exist."""
    parser = build_parser()
    for manifest, pod in rendered.pod_specs():
        for container in containers(pod):
            args = parser.parse_args(cli_args(container))
            expected = {"api": "api", "beat": "beat", "migrate": "migrate"}.get(
                component(manifest), "worker"
            )
            assert args.command == expected, manifest["metadata"]["name"]
            if expected == "worker":
                assert set(args.queues.split(",")) <= set(QUEUES)


def test_workers_are_one_deployment_per_queue_group(default: Rendered) -> None:
    parser = build_parser()
    queues = {
        component(m): parser.parse_args(cli_args(pod["containers"][0])).queues
        for m, pod in default.pod_specs()
        if component(m).startswith("worker-")
    }
    assert queues == {"worker-primary": "primary,kg", "worker-docprocessing": "docprocessing"}
    consumed = [q for group in queues.values() for q in group.split(",")]
    assert sorted(consumed) == sorted(QUEUES), "every queue has exactly one worker group"


def test_api_listens_where_its_probes_and_service_look(rendered: Rendered) -> None:
    api = rendered.get("Deployment", "archivist-api")
    container = api["spec"]["template"]["spec"]["containers"][0]
    args = build_parser().parse_args(cli_args(container))
    assert args.host == "0.0.0.0" and args.port == 8000
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports == {"http": 8000}
    assert container["livenessProbe"]["httpGet"] == {"path": "/health", "port": "http"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/ready", "port": "http"}
    assert container["startupProbe"]["httpGet"]["path"] == "/health"
    service = rendered.get("Service", "archivist")
    assert service["spec"]["ports"][0]["targetPort"] == "http"
    pod_labels = api["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= pod_labels.items()


def test_workers_and_beat_have_a_broker_liveness_probe(rendered: Rendered) -> None:
    """Workers and beat serve no port: the probe is `archivist health`, a broker PING.

    The migration Job has no probe: it runs once, and its deadline and backoff limit bound it.
    """
    parser = build_parser()
    for manifest, pod in rendered.pod_specs():
        role = component(manifest)
        for container in containers(pod):
            if role == "migrate":
                assert "livenessProbe" not in container
                continue
            if role == "api":
                continue
            command = container["livenessProbe"]["exec"]["command"]
            assert command[0] == "archivist"
            assert parser.parse_args(command[1:]).command == "health"
            probe = container["livenessProbe"]
            # A probe must be allowed longer than the command's own timeout.
            assert probe["timeoutSeconds"] > float(command[command.index("--timeout") + 1])


def test_every_setting_the_chart_sets_is_one_the_application_reads(rendered: Rendered) -> None:
    for _, pod in rendered.pod_specs():
        for container in containers(pod):
            for env in container["env"]:
                assert is_setting(env["name"]), env["name"]


# --- scaling and availability --------------------------------------------------------------------


def test_api_resources_and_autoscaling(default: Rendered) -> None:
    api = default.get("Deployment", "archivist-api")
    resources = api["spec"]["template"]["spec"]["containers"][0]["resources"]
    assert resources == {
        "requests": {"cpu": "1", "memory": "2Gi"},
        "limits": {"cpu": "2", "memory": "4Gi"},
    }
    assert "replicas" not in api["spec"], "the HPA owns the replica count"
    hpa = default.get("HorizontalPodAutoscaler", "archivist-api")
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "archivist-api",
    }
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (3, 10)
    targets = {m["resource"]["name"]: m["resource"]["target"] for m in hpa["spec"]["metrics"]}
    assert targets == {
        "cpu": {"type": "Utilization", "averageUtilization": 70},
        "memory": {"type": "Utilization", "averageUtilization": 80},
    }


def test_docprocessing_workers_autoscale_on_cpu(default: Rendered) -> None:
    hpa = default.get("HorizontalPodAutoscaler", "archivist-worker-docprocessing")
    assert hpa["spec"]["scaleTargetRef"]["name"] == "archivist-worker-docprocessing"
    default.get("Deployment", "archivist-worker-docprocessing")
    assert [m["resource"]["name"] for m in hpa["spec"]["metrics"]] == ["cpu"]
    assert hpa["spec"]["minReplicas"] >= 1
    assert hpa["spec"]["maxReplicas"] > hpa["spec"]["minReplicas"]


def test_beat_is_exactly_one_pod_replaced_not_rolled(rendered: Rendered) -> None:
    beat = rendered.get("Deployment", "archivist-beat")
    assert beat["spec"]["replicas"] == 1
    assert beat["spec"]["strategy"] == {"type": "Recreate"}
    hpas = rendered.of_kind("HorizontalPodAutoscaler")
    targets = [h["spec"]["scaleTargetRef"]["name"] for h in hpas]
    assert "archivist-beat" not in targets
    assert not [
        p
        for p in rendered.of_kind("PodDisruptionBudget")
        if p["spec"]["selector"]["matchLabels"].get("app.kubernetes.io/component") == "beat"
    ], "a budget on a single pod would block every node drain"


def test_budgets_select_their_own_pods_only(rendered: Rendered) -> None:
    deployments = {
        component(d): d["spec"]["template"]["metadata"]["labels"]
        for d in rendered.of_kind("Deployment")
    }
    budgets = rendered.of_kind("PodDisruptionBudget")
    assert {"api", "worker-primary", "worker-docprocessing"} <= {
        b["spec"]["selector"]["matchLabels"]["app.kubernetes.io/component"] for b in budgets
    }
    for budget in budgets:
        selector = budget["spec"]["selector"]["matchLabels"]
        selected = [
            name for name, labels in deployments.items() if selector.items() <= labels.items()
        ]
        assert selected == [selector["app.kubernetes.io/component"]]
        assert budget["spec"]["maxUnavailable"] >= 1


def test_without_autoscaling_deployments_state_their_replicas() -> None:
    rendered = render_chart(EVERYTHING_ON)
    assert rendered.get("Deployment", "archivist-api")["spec"]["replicas"] == 3
    assert rendered.get("Deployment", "archivist-worker-docprocessing")["spec"]["replicas"] == 2
    assert not rendered.of_kind("HorizontalPodAutoscaler")


# --- migrations ----------------------------------------------------------------------------------


def test_migrations_run_as_a_hook_before_install_and_upgrade(rendered: Rendered) -> None:
    job = rendered.get("Job", "archivist-migrate")
    annotations = job["metadata"]["annotations"]
    assert set(annotations["helm.sh/hook"].split(",")) == {"pre-install", "pre-upgrade"}
    assert set(annotations["helm.sh/hook-delete-policy"].split(",")) == {
        "before-hook-creation",
        "hook-succeeded",
    }
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    assert job["spec"]["activeDeadlineSeconds"] > 0
    # What the Job needs must exist before it: hooks too, of a lower weight.
    job_weight = int(annotations["helm.sh/hook-weight"])
    needed = [*rendered.of_kind("ServiceAccount"), *rendered.of_kind("Secret")]
    for resource in needed:
        hook = resource["metadata"]["annotations"]
        assert "pre-install" in hook["helm.sh/hook"], resource["metadata"]["name"]
        assert int(hook["helm.sh/hook-weight"]) < job_weight
        # Kept after the hook ran: the long-running pods need them too.
        assert hook["helm.sh/hook-delete-policy"] == "before-hook-creation"


def test_migrations_connect_as_the_owner_role_when_one_is_given(production: Rendered) -> None:
    job = production.get("Job", "archivist-migrate")
    env = {e["name"]: e for e in job["spec"]["template"]["spec"]["containers"][0]["env"]}
    ref = env["ARCHIVIST_MIGRATION_DATABASE_URL"]["valueFrom"]["secretKeyRef"]
    assert ref == {"name": "archivist-db", "key": "migration-database-url"}
    assert env["ARCHIVIST_DB__APP_ROLE"]["value"] == "archivist_app"
    api = production.get("Deployment", "archivist-api")
    api_env = {e["name"] for e in api["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert "ARCHIVIST_MIGRATION_DATABASE_URL" not in api_env, "only migrations hold the owner role"


# --- secrets -------------------------------------------------------------------------------------

SECRET_ENV = (
    "DATABASE_URL",
    "REDIS_URL",
    "ARCHIVIST_MIGRATION_DATABASE_URL",
    "ARCHIVIST_AUTH__JWT_SECRET",
    "ARCHIVIST_S3__ACCESS_KEY_ID",
    "ARCHIVIST_S3__SECRET_ACCESS_KEY",
    "ARCHIVIST_LLM__API_KEY",
    "ARCHIVIST_EMBEDDING__API_KEY",
)


def secret_refs(rendered: Rendered) -> dict[str, set[tuple[str, str]]]:
    """Every secret-bearing variable: the (Secret, key) pairs it is read from."""
    refs: dict[str, set[tuple[str, str]]] = {}
    for manifest, pod in rendered.pod_specs():
        for container in containers(pod):
            for env in container["env"]:
                if env["name"] in SECRET_ENV:
                    where = manifest["metadata"]["name"]
                    assert "value" not in env, f"{where}: {env['name']} in plain text"
                    ref = env["valueFrom"]["secretKeyRef"]
                    refs.setdefault(env["name"], set()).add((ref["name"], ref["key"]))
    return refs


def test_with_existing_secrets_no_secret_value_is_rendered() -> None:
    """Inline values are ignored once existingSecret is set: nothing of them reaches the output."""
    values = merge_values(INLINE, load_values(PRODUCTION_VALUES))
    values["embedding"]["existingSecret"] = "archivist-app"
    rendered = render_chart(values)
    for secret in INLINE_SECRETS:
        assert secret not in rendered.text
    assert not rendered.of_kind("Secret"), "the chart makes no Secret of its own"
    assert secret_refs(rendered) == {
        "DATABASE_URL": {("archivist-db", "database-url")},
        "ARCHIVIST_MIGRATION_DATABASE_URL": {("archivist-db", "migration-database-url")},
        "REDIS_URL": {("archivist-redis", "redis-url")},
        "ARCHIVIST_AUTH__JWT_SECRET": {("archivist-app", "jwt-secret")},
        "ARCHIVIST_S3__ACCESS_KEY_ID": {("archivist-s3", "access-key-id")},
        "ARCHIVIST_S3__SECRET_ACCESS_KEY": {("archivist-s3", "secret-access-key")},
        "ARCHIVIST_LLM__API_KEY": {("archivist-app", "llm-api-key")},
        "ARCHIVIST_EMBEDDING__API_KEY": {("archivist-app", "embedding-api-key")},
    }


def test_inline_secrets_live_only_in_the_charts_secret() -> None:
    rendered = render_chart(INLINE)
    (secret,) = rendered.of_kind("Secret")
    workloads = [m for m, _ in rendered.pod_specs()]
    workload_text = yaml.safe_dump_all(workloads)
    for value in INLINE_SECRETS:
        assert value not in workload_text
    refs = secret_refs(rendered)
    assert set(refs) == set(SECRET_ENV)
    for pairs in refs.values():
        for name, key in pairs:
            assert name == secret["metadata"]["name"]
            assert key in secret["data"], f"{key} is referenced but not in the Secret"


def test_generated_jwt_secret_is_long_and_not_in_plain_text(default: Rendered) -> None:
    (secret,) = default.of_kind("Secret")
    jwt = base64.b64decode(secret["data"]["jwt-secret"]).decode()
    assert len(jwt) >= 48
    assert jwt not in default.text


# --- network -------------------------------------------------------------------------------------


def test_network_policy_admits_only_the_api_port_and_lets_out_only_dependencies(
    rendered: Rendered,
) -> None:
    policies = {p["metadata"]["name"]: p["spec"] for p in rendered.of_kind("NetworkPolicy")}
    everyone = policies["archivist"]
    assert set(everyone["policyTypes"]) == {"Ingress", "Egress"}
    assert not everyone.get("ingress"), "no pod but the API takes connections"
    assert everyone["podSelector"]["matchLabels"] == {
        "app.kubernetes.io/name": "archivist",
        "app.kubernetes.io/instance": "archivist",
    }
    egress_ports = {
        (p["port"], p.get("protocol", "TCP")) for rule in everyone["egress"] for p in rule["ports"]
    }
    assert {(53, "UDP"), (53, "TCP"), (443, "TCP")} <= egress_ports
    assert {5432, 6379} & {port for port, _ in egress_ports} or (6380, "TCP") in egress_ports
    assert all(rule.get("ports") for rule in everyone["egress"]), "no rule opens every port"

    api = policies["archivist-api"]
    assert api["podSelector"]["matchLabels"]["app.kubernetes.io/component"] == "api"
    assert api["policyTypes"] == ["Ingress"]
    (rule,) = api["ingress"]
    assert rule["ports"] == [{"port": "http", "protocol": "TCP"}]


def test_production_network_policy_admits_only_the_ingress_controller(production: Rendered) -> None:
    api = production.get("NetworkPolicy", "archivist-api")["spec"]
    assert api["ingress"][0]["from"] == [
        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}}
    ]


def test_ingress_routes_to_the_api_service() -> None:
    rendered = render_chart(EVERYTHING_ON)
    ingress = rendered.get("Ingress", "archivist")
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend == {"name": "archivist", "port": {"name": "http"}}
    assert rendered.get("Service", "archivist")["spec"]["ports"][0]["name"] == "http"


# --- what the operator reads -------------------------------------------------------------------


def test_notes_warn_about_missing_services_only_when_they_are_missing(
    default: Rendered, production: Rendered
) -> None:
    assert "no database" in default.notes and "no Redis" in default.notes
    assert "WARNING" not in production.notes
    assert "https://archivist.example.com/" in production.notes


@pytest.mark.parametrize(
    ("values", "complaint"),
    [
        ({"databse": {"url": "postgresql://x"}}, "'databse' not allowed"),
        ({"redis": {"existingSecret": "r", "urlkey": "u"}}, "'urlkey' not allowed"),
        ({"runAsUser": 0}, "/runAsUser"),
        ({"api": {"autoscaling": {"targetCPUUtilizationPercentage": 170}}}, "targetCPU"),
        ({"workers": {"kg": {"replicas": 1}}}, "queues"),
        ({"image": {"pullPolicy": "Sometimes"}}, "pullPolicy"),
    ],
)
def test_values_schema_refuses_typos_and_root(values: dict[str, Any], complaint: str) -> None:
    """A misspelt key would otherwise be ignored silently (and a secret left unset)."""
    with pytest.raises(helm.HelmValuesError, match=complaint):
        render_chart(values)
