"""A Harbor task's Terrarium environment: the simulator its `environment/terrarium.toml` names.

Harbor's own providers build a task's `environment/Dockerfile` (or pull its `docker_image`). Terrarium runs its own
simulators (real apps, seeded, with state capture) and builds no task image, so a task for this provider says
which simulator it runs in instead::

    # environment/terrarium.toml
    simulator = "fossil"   # a simulator of the server (`terrarium simulators list`)
    dataset = "base"       # optional: one of its datasets (variants of its seed data)
    tag = "latest"         # optional: one of its versions
    alias = "forge"        # optional: the environment's name in the session, and its host name
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

DEFINITION_NAME = "terrarium.toml"

__all__ = ["DEFINITION_NAME", "TerrariumDefinition", "load_definition"]


class TerrariumDefinition(BaseModel):
    """What `environment/terrarium.toml` says: the simulator to start, and which of its images."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    simulator: str = Field(min_length=1, description="The simulator's name on the Terrarium server, e.g. fossil")
    dataset: str | None = Field(default=None, description="One of the simulator's datasets; the server's default")
    tag: str | None = Field(default=None, description="One of the simulator's versions; the server's default")
    alias: str | None = Field(default=None, description="The environment's alias in the session")


def load_definition(environment_dir: Path) -> TerrariumDefinition:
    """Reads `environment_dir/terrarium.toml`; a task without one, or with a wrong one, gets an error saying what
    to write."""
    path = environment_dir / DEFINITION_NAME
    if not path.is_file():
        built = [name for name in ("Dockerfile", "docker-compose.yaml") if (environment_dir / name).exists()]
        why = (
            f" It has {' and '.join(built)}: Terrarium starts its own simulators and does not build task images."
            if built
            else ""
        )
        raise FileNotFoundError(
            f"{path} is missing: a task run in Terrarium names its simulator there, e.g. "
            f'`simulator = "fossil"` (optional: dataset, tag, alias).{why}'
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{path} is not valid TOML: {error}") from None
    try:
        return TerrariumDefinition.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(_problem(issue["loc"], issue["type"], issue["msg"]) for issue in error.errors())
        raise ValueError(f"{path}: {problems}") from None


def _problem(location: tuple[int | str, ...], kind: str, message: str) -> str:
    where = ".".join(str(part) for part in location) or "file"
    return f"{where}: {'unknown key (simulator, dataset, tag and alias are)' if kind == 'extra_forbidden' else message}"
