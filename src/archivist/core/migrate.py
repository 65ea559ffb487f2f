"""Run Alembic migrations programmatically (as the database owner role).

The scripts ship inside the package (`archivist/migrations`), so an installed `archivist` migrates
without a source checkout or an alembic.ini.
"""

from pathlib import Path

from alembic import command
from alembic.config import Config

import archivist

SCRIPT_LOCATION = Path(archivist.__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    config.attributes["url"] = url
    return config


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)
