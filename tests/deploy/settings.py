"""What the deployment files may set: only variables the application reads."""

from archivist.core.config import Settings

PLAIN = {"DATABASE_URL", "REDIS_URL"}


def is_setting(name: str) -> bool:
    """`ARCHIVIST_<FIELD>` or `ARCHIVIST_<GROUP>__<FIELD>` naming a field of `Settings`."""
    if name in PLAIN:
        return True
    if not name.startswith("ARCHIVIST_"):
        return False
    group, _, field = name.removeprefix("ARCHIVIST_").lower().partition("__")
    if group not in Settings.model_fields:
        return False
    if not field:
        return True
    model = Settings.model_fields[group].annotation
    return field in getattr(model, "model_fields", {})
