"""Settings: the one place that reads the environment.

Nested groups use `ARCHIVIST_<GROUP>__<FIELD>` (e.g. `ARCHIVIST_AUTH__TOKEN_TTL_SECONDS`); the plain
`DATABASE_URL` and `REDIS_URL` that operators expect are read as well.
"""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

import archivist


class DatabaseSettings(BaseModel):
    # Per API process, twice: the request pool and, as large, the pool of second legs (a
    # hybrid search's semantic leg). Size the server's max_connections for every process.
    pool_size: int = 20
    max_overflow: int = 30
    # Check each connection with one trivial query as it leaves the pool. Off: a connection the
    # driver already knows is closed is still replaced, but one that died silently fails the
    # request that meets it (and the pool is then renewed). Costs one round trip per request...
    pool_pre_ping: bool = True
    # ...except for a connection that was in use this recently (HikariCP's "alive bypass
    # window"): under load, connections come back within milliseconds and a ping would prove
    # little. 0 pings every time.
    pool_pre_ping_skip_seconds: float = 0.5
    # Connections older than this are replaced (servers and proxies drop idle ones).
    pool_recycle_seconds: int = 3600
    # A request waits this long for a connection, then gets 503 with Retry-After.
    pool_timeout_seconds: float = 3.0
    # Role the application connects as; migrations grant it table privileges.
    app_role: str = "archivist_app"
    # TLS to an external server, as libpq names it: sslmode disable|prefer|require|verify-ca|
    # verify-full (empty: what the URL says, else libpq's default). Files are PEM paths.
    sslmode: Literal["", "disable", "allow", "prefer", "require", "verify-ca", "verify-full"] = ""
    sslrootcert: str = ""
    sslcert: str = ""
    sslkey: str = ""


class RedisSettings(BaseModel):
    # TLS, used for a `rediss://` URL: the CA that signed the server's certificate (empty: the
    # system's CAs), and a client certificate and key when the server asks for one. The server's
    # certificate is always verified, its name included.
    tls_ca_file: str = ""
    tls_cert_file: str = ""
    tls_key_file: str = ""


class AuthSettings(BaseModel):
    # Signing key for access tokens. Empty: generated once and kept in the data dir.
    jwt_secret: str = ""
    token_ttl_seconds: int = 24 * 3600
    invite_ttl_seconds: int = 7 * 24 * 3600
    login_failures_per_email: int = 10
    login_failure_window_seconds: int = 300
    login_failures_per_ip: int = 30
    login_ip_window_seconds: int = 60
    # Sign-ups that create an organization, per client address (failed attempts included).
    # Joining by invite is not counted, so a whole office behind one NAT can join at once.
    registrations_per_ip: int = 20
    registration_window_seconds: int = 3600
    # Lifetime of a one-time password-reset token issued by an admin.
    password_reset_ttl_seconds: int = 24 * 3600
    api_requests_per_minute: int = 600
    cookie_name: str = "archivist_session"
    csrf_cookie_name: str = "archivist_csrf"
    csrf_header_name: str = "X-CSRF-Token"
    cookie_secure: bool = False


class S3Settings(BaseModel):
    """An S3-API object store; used when `bucket` is set, else the local folder in the data dir."""

    bucket: str = ""
    endpoint_url: str = ""  # empty: AWS
    region: str = "us-east-1"
    access_key_id: str = ""
    secret_access_key: str = ""
    path_style: bool = True  # MinIO, Ceph and Swift want path-style addressing
    server_side_encryption: str = "AES256"  # empty to disable where the server lacks SSE
    presign_expiry_seconds: int = 300
    create_bucket: bool = False


class EmbeddingSettings(BaseModel):
    # "local" (all-MiniLM-L6-v2 on torch; the API embeds queries with the same model on ONNX
    # Runtime), "onnx" (ONNX Runtime everywhere), "onnx-int8" (the same model quantized), or
    # "openai" (any OpenAI-compatible embeddings server: TEI, vLLM, Ollama, llama.cpp, OpenAI).
    provider: str = "local"
    batch_size: int = 32
    # The server's address, with or without the trailing `/v1` (`http://tei:80` and
    # `http://tei:80/v1` are the same); an address whose API is elsewhere is given whole.
    base_url: str = ""
    api_key: str = ""
    model: str = "all-MiniLM-L6-v2"
    # The model's vector size, which must be the index's (vector(384), the bundled model's).
    # API and worker refuse to start when the model's real vectors, this or the index disagree.
    dim: int = 384
    timeout_seconds: float = 60.0
    retries: int = 2
    # Where the ONNX models are built and kept; empty: `<data_dir>/models`. The container image
    # points it at models built into the image, so no pod builds them (or needs torch).
    models_dir: Path | None = None


class LLMSettings(BaseModel):
    # An OpenAI-compatible chat endpoint, with or without the trailing `/v1` (as the embedding
    # server's); empty: answers are chosen source sentences.
    base_url: str = ""
    api_key: str = ""
    model: str = "gpt-4o-mini"
    timeout_seconds: float = 60.0
    connect_timeout_seconds: float = 5.0
    retries: int = 2
    max_answer_tokens: int = 512
    # "auto" (the configured endpoint, else sentence selection), "local" (the bundled
    # SmolLM2-135M, whose sentences the grounding check mostly removes), "extractive".
    provider: str = "auto"


class ChatSettings(BaseModel):
    sources: int = 6  # passages given to the model
    history_messages: int = 6
    ping_seconds: float = 15.0
    # What happens to an answer's sentences that their source does not support: "strict"
    # removes them (an answer left with none quotes the sources instead), "flag" keeps them
    # marked as unsupported, "off" skips the check.
    grounding: Literal["strict", "flag", "off"] = "strict"
    # Below this score (question-to-best-sentence similarity plus word overlap, see
    # chat/extractive.py) the documents are taken not to answer the question.
    answerable_score: float = 0.77


class IngestionSettings(BaseModel):
    # A document in `processing` (or `queued`) longer than this is re-queued by the sweeper.
    stuck_after_seconds: int = 900
    sweep_interval_seconds: float = 60.0
    max_retries: int = 5
    extraction_timeout_seconds: int = 120
    extraction_memory_mb: int = 1024
    max_uncompressed_mb: int = 200


class BackupSettings(BaseModel):
    # A deleted document's stored file is kept this long, so that a point-in-time restore to
    # any moment within the window finds it again; `files.purge` removes it afterwards.
    deleted_file_retention_days: float = 30.0
    purge_interval_seconds: float = 3600.0


class WorkerSettings(BaseModel):
    # Task threads per worker process. They share one embedding model, whose batches grow with
    # the documents in flight, and overlap database and parsing work with embedding.
    concurrency: int = 16
    queues: str = "primary,docprocessing,kg"


class ServerSettings(BaseModel):
    """How `archivist api` stops on SIGTERM (a rolling update, a scale-down)."""

    # First it answers /ready with 503 for this long while still serving every request, so the
    # load balancer stops sending it new ones before its port closes (Kubernetes removes a pod
    # from its Service only after the readiness probe fails).
    drain_seconds: float = 5.0
    # Then it stops accepting connections and gives requests in flight (uploads, answer streams)
    # this long to finish; whatever is still running after that is cut.
    shutdown_timeout_seconds: int = 20


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ARCHIVIST_", env_nested_delimiter="__", extra="ignore"
    )

    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = Path("./archivist-data")
    database_url: str = Field(
        default="", validation_alias=AliasChoices("DATABASE_URL", "ARCHIVIST_DATABASE_URL")
    )
    # Owner role used for migrations; defaults to database_url when empty.
    migration_database_url: str = ""
    redis_url: str = Field(
        default="", validation_alias=AliasChoices("REDIS_URL", "ARCHIVIST_REDIS_URL")
    )
    cors_origins: list[str] = []
    max_upload_mb: int = 100
    log_level: str = "INFO"
    # The web UI's static export, served at `/`; none when missing. It ships inside the package
    # (scripts/build-web.sh copies web/out there).
    web_dir: Path = Path(archivist.__file__).resolve().parent / "web_static"
    server: ServerSettings = ServerSettings()
    db: DatabaseSettings = DatabaseSettings()
    redis: RedisSettings = RedisSettings()
    auth: AuthSettings = AuthSettings()
    worker: WorkerSettings = WorkerSettings()
    s3: S3Settings = S3Settings()
    embedding: EmbeddingSettings = EmbeddingSettings()
    ingestion: IngestionSettings = IngestionSettings()
    llm: LLMSettings = LLMSettings()
    chat: ChatSettings = ChatSettings()
    backup: BackupSettings = BackupSettings()

    @property
    def storage_dir(self) -> Path:
        return self.data_dir / "objects"


@lru_cache
def get_settings() -> Settings:
    return Settings()
