from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


class Health(BaseModel):
    status: Literal["healthy", "unhealthy"]
    timestamp: datetime
    services: dict[str, str] = Field(
        description='Each dependency ("database", "redis", "object_store", "index"): "ok" or'
        ' "error: <reason>"'
    )
