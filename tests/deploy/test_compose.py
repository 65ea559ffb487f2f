"""deploy/compose.yaml: the single-host stack, checked as parsed YAML and, where a compose tool is
installed, by the tool's own `config` validation."""

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from archivist.cli import build_parser
from archivist.worker.task_names import QUEUES
from tests.deploy.helm import REPO
from tests.deploy.settings import is_setting

DEPLOY = REPO / "deploy"
COMPOSE = DEPLOY / "compose.yaml"
ENV_EXAMPLE = DEPLOY / ".env.example"
ROLES = ("migrate", "api", "worker", "beat")
SECRET_NAME = re.compile(r"PASSWORD|SECRET|API_KEY|AUTH|TOKEN", re.IGNORECASE)
REFERENCE = re.compile(r"\$\{(\w+)(?::?[-?][^}]*)?\}")
REQUIRED_REFERENCE = re.compile(r"^\$\{\w+:\?[^}]*\}$")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    parsed: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())  # merge keys (<<) resolved
    return parsed


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = compose["services"]
    return found


def env_of(service: dict[str, Any]) -> dict[str, str]:
    environment = service.get("environment", {})
    assert isinstance(environment, dict), "environment as a map, so it can be checked"
    return {k: "" if v is None else str(v) for k, v in environment.items()}


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's `${NAME}`, `${NAME:-default}` and `${NAME:?error}`, as the tools resolve them."""

    def resolve(match: re.Match[str]) -> str:
        name, operator, argument = match.group(1), match.group(2) or "", match.group(3) or ""
        found = env.get(name, "")
        if operator == ":?" and not found:
            raise LookupError(f"{name}: {argument}")
        return found or (argument if operator == ":-" else "")

    return re.sub(r"\$\{(\w+)(?:(:[-?])([^}]*))?\}", resolve, value)


def sentinel_env() -> dict[str, str]:
    """Every variable the file references, set to a value that names it."""
    return {name: f"from-env-{name.lower()}" for name in REFERENCE.findall(COMPOSE.read_text())}


def resolved_env(service: dict[str, Any]) -> dict[str, str]:
    return {k: interpolate(v, sentinel_env()) for k, v in env_of(service).items()}


def example_env() -> dict[str, str]:
    pairs = (
        line.split("=", 1)
        for line in ENV_EXAMPLE.read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    )
    return {name.strip(): value.strip() for name, value in pairs}


def test_the_stack_has_its_services(services: dict[str, dict[str, Any]]) -> None:
    assert set(services) == {"postgres", "redis", *ROLES}
    assert services["postgres"]["image"].endswith("pgvector/pgvector:pg17")


def test_every_long_running_service_has_a_healthcheck(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        if name == "migrate":  # runs once; the others wait for it to complete
            assert service["restart"] == "no"
            continue
        check = service["healthcheck"]
        assert check["test"][0] in ("CMD", "CMD-SHELL"), name
        assert check["retries"] >= 3, name


def test_roles_start_after_migrations_completed(services: dict[str, dict[str, Any]]) -> None:
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    for role in ("api", "worker", "beat"):
        depends = services[role]["depends_on"]
        assert depends["migrate"] == {"condition": "service_completed_successfully"}, role
        assert depends["redis"] == {"condition": "service_healthy"}, role


def test_roles_run_real_archivist_commands_from_the_one_image(
    services: dict[str, dict[str, Any]],
) -> None:
    parser = build_parser()
    images = set()
    consumed: list[str] = []
    for role in ROLES:
        service = services[role]
        images.add(service["image"])
        assert service["build"] == {"context": "..", "dockerfile": "deploy/Containerfile"}
        assert (COMPOSE.parent / service["build"]["context"]).resolve() == REPO
        assert service["entrypoint"] == ["archivist"]
        args = parser.parse_args(service["command"])
        assert args.command == role
        if role == "worker":
            consumed += args.queues.split(",")
        if role == "api":
            check = " ".join(service["healthcheck"]["test"])
            assert f"127.0.0.1:{args.port}/ready" in check
            assert args.host == "0.0.0.0"
            assert any(str(p).endswith(f":{args.port}") for p in service["ports"])
        if role in ("worker", "beat"):
            health = service["healthcheck"]["test"]
            assert parser.parse_args(health[2:]).command == "health" and health[1] == "archivist"
    assert len(images) == 1
    assert sorted(consumed) == sorted(QUEUES), "one worker consumes every queue"


def test_roles_run_locked_down(services: dict[str, dict[str, Any]]) -> None:
    for role in ROLES:
        service = services[role]
        assert service["read_only"] is True, role
        assert service["cap_drop"] == ["ALL"], role
        assert "no-new-privileges:true" in service["security_opt"], role
        assert "/tmp" in service["tmpfs"], role
        data_dir = env_of(service)["ARCHIVIST_DATA_DIR"]
        assert f"data:{data_dir}" in service["volumes"], role
        assert "user" not in service or service["user"] not in ("0", "root", "0:0"), role


def test_redis_requires_a_password_and_keeps_an_append_only_file(
    services: dict[str, dict[str, Any]],
) -> None:
    redis = services["redis"]
    command = " ".join(redis["command"])
    assert "--appendonly yes" in command
    assert "--maxmemory-policy noeviction" in command
    password_var = re.search(r"--requirepass \"?\$\$(\w+)", command)
    assert password_var, command
    assert REQUIRED_REFERENCE.match(env_of(redis)[password_var.group(1)])
    assert "redis:/data" in redis["volumes"], "the append-only file outlives the container"
    # The healthcheck authenticates (REDISCLI_AUTH), so it fails on a wrong password.
    assert password_var.group(1) == "REDISCLI_AUTH"
    for role in ROLES:
        redis_url = urlsplit(resolved_env(services[role])["REDIS_URL"])
        assert redis_url.hostname == "redis", role
        assert redis_url.password == resolved_env(redis)["REDISCLI_AUTH"], role


def test_postgres_creates_the_roles_the_roles_connect_as(
    services: dict[str, dict[str, Any]],
) -> None:
    postgres = services["postgres"]
    script = next(v for v in postgres["volumes"] if "docker-entrypoint-initdb.d" in v)
    assert (COMPOSE.parent / script.split(":", 1)[0]).is_file()
    app = urlsplit(resolved_env(services["api"])["DATABASE_URL"])
    owner = urlsplit(resolved_env(services["migrate"])["ARCHIVIST_MIGRATION_DATABASE_URL"])
    assert (app.username, owner.username) == ("archivist_app", "archivist_owner")
    assert app.hostname == owner.hostname == "postgres"
    # The init script is handed the same passwords the URLs carry.
    postgres_env = resolved_env(postgres)
    assert postgres_env["ARCHIVIST_DB_APP_PASSWORD"] == app.password
    assert postgres_env["ARCHIVIST_DB_OWNER_PASSWORD"] == owner.password
    for role in ("api", "worker", "beat"):
        assert "ARCHIVIST_MIGRATION_DATABASE_URL" not in env_of(services[role]), role


def test_no_secret_is_written_into_the_compose_file(services: dict[str, dict[str, Any]]) -> None:
    """Every password, key and secret comes from the environment (deploy/.env), and compose
    refuses to start without the ones the stack cannot run without."""
    variables = sentinel_env()
    for name, service in services.items():
        for variable, value in env_of(service).items():
            if SECRET_NAME.search(variable) and value:
                assert REFERENCE.fullmatch(value), f"{name}: {variable}={value}"
            if "://" in value:
                password = urlsplit(interpolate(value, variables)).password
                assert password is None or password in variables.values(), f"{name}: {variable}"
                # ... and a required one: an empty password fails at `up`, not at sign-in.
                with pytest.raises(LookupError):
                    interpolate(value, {**variables, **dict.fromkeys(variables, "")})
    text = COMPOSE.read_text()
    for required in (
        "POSTGRES_PASSWORD",
        "ARCHIVIST_DB_OWNER_PASSWORD",
        "ARCHIVIST_DB_APP_PASSWORD",
        "REDIS_PASSWORD",
        "ARCHIVIST_JWT_SECRET",
    ):
        assert f"${{{required}:?" in text, required


def test_every_setting_the_roles_get_is_one_the_application_reads(
    services: dict[str, dict[str, Any]],
) -> None:
    for role in ROLES:
        for variable in env_of(services[role]):
            assert is_setting(variable), f"{role}: {variable}"


def test_env_example_names_every_variable_and_holds_no_secret() -> None:
    referenced = set(REFERENCE.findall(COMPOSE.read_text()))
    example = example_env()
    assert referenced <= set(example), referenced - set(example)
    for name, value in example.items():
        if SECRET_NAME.search(name):
            assert value == "", f"{name} must be left for the operator to fill in"


# --- the compose tool's own validation ------------------------------------------------------


def compose_tool() -> list[str] | None:
    """podman-compose (a dev dependency; `--dry-run` needs no podman), else `docker compose`."""
    beside_python = Path(sys.executable).parent / "podman-compose"
    podman_compose = (
        str(beside_python) if beside_python.exists() else shutil.which("podman-compose")
    )
    if podman_compose:
        return [podman_compose, "--dry-run"]
    docker = shutil.which("docker")
    if docker:
        probe = subprocess.run([docker, "compose", "version"], capture_output=True, timeout=30)
        if probe.returncode == 0:
            return [docker, "compose"]
    return None


def run_config(tool: list[str], env_file: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*tool, "--env-file", str(env_file), "-f", str(COMPOSE), "config"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=DEPLOY,
    )


@pytest.fixture(scope="module")
def tool() -> list[str]:
    found = compose_tool()
    if found is None:
        pytest.skip("neither podman-compose nor `docker compose` is installed: no `config` check")
    return found


def test_compose_tool_accepts_the_file_with_every_password_set(
    tool: list[str], tmp_path: Path
) -> None:
    values = {
        name: ("filled-" + name.lower() if SECRET_NAME.search(name) else value)
        for name, value in example_env().items()
    }
    env_file = tmp_path / "env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
    result = run_config(tool, env_file)
    assert result.returncode == 0, result.stderr
    assert "filled-redis_password" in result.stdout


def test_compose_tool_refuses_to_start_without_passwords(tool: list[str]) -> None:
    result = run_config(tool, ENV_EXAMPLE)
    assert result.returncode != 0
    assert "set it in deploy/.env" in result.stdout + result.stderr
