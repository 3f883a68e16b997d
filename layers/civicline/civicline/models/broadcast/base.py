"""The base models of a broadcast's shapes: frozen, strict; wire shapes in camelCase."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

MULTICAST_MAX_RECIPIENTS = 500  # LINE: 1–500 user IDs per multicast
BROADCAST_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class CamelCase(Frozen):
    """Wire models (LINE's fields, queue messages, table items, reports) use camelCase names."""

    model_config = ConfigDict(alias_generator=to_camel)
