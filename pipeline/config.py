"""Loading of the TOML configuration in `configs/`: the label schema and the settings of each stage.

Reads: `configs/labels.toml`, `configs/pipeline.toml` and the files they name. Writes nothing.
"""

from __future__ import annotations

import hashlib
import os
import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from pipeline.errors import ConfigError

ENV_CONFIG_DIR = "NEWSGRAPH_CONFIG_DIR"


def default_config_dir() -> Path:
    """`$NEWSGRAPH_CONFIG_DIR`, else the `configs/` folder of the source checkout."""
    if env := os.environ.get(ENV_CONFIG_DIR):
        return Path(env)
    return Path(__file__).resolve().parent.parent / "configs"


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise ConfigError(f"{path}: configuration file not found") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: invalid TOML: {e}") from None


def read_lines(path: Path) -> list[str]:
    """Non-empty lines of a name list, without `#` comment lines."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: name list not found") from None
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


@dataclass(frozen=True)
class Schema:
    """Entity types, relation types and their allowed argument types."""

    entity_types: tuple[str, ...]
    relations: dict[str, dict[str, Any]]

    def is_allowed(self, relation: str, head_label: str, tail_label: str) -> bool:
        spec = self.relations[relation]
        if head_label in spec["head"] and tail_label in spec["tail"]:
            return True
        return bool(spec["symmetric"]) and tail_label in spec["head"] and head_label in spec["tail"]

    def is_symmetric(self, relation: str) -> bool:
        return bool(self.relations[relation]["symmetric"])


class Config:
    """All configuration under one folder, loaded lazily and hashed for the run manifest."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root) if root is not None else default_config_dir()
        if not self.root.is_dir():
            raise ConfigError(f"{self.root}: configuration folder not found (set {ENV_CONFIG_DIR})")

    def path(self, name: str) -> Path:
        return self.root / name

    def toml(self, name: str) -> dict[str, Any]:
        return read_toml(self.path(name))

    @cached_property
    def pipeline(self) -> dict[str, Any]:
        return self.toml("pipeline.toml")

    @cached_property
    def schema(self) -> Schema:
        data = self.toml("labels.toml")
        try:
            entity_types = tuple(data["entities"])
            relations = data["relations"]
            for name, spec in relations.items():
                for key in ("head", "tail"):
                    unknown = set(spec[key]) - set(entity_types)
                    if unknown:
                        raise ConfigError(
                            f"labels.toml: relation {name!r} {key} has unknown types {sorted(unknown)}"
                        )
                spec.setdefault("symmetric", False)
        except KeyError as e:
            raise ConfigError(f"labels.toml: missing key {e}") from None
        return Schema(entity_types=entity_types, relations=relations)

    def digest(self) -> str:
        """sha256 over every file in the configuration folder, so a manifest pins the exact settings."""
        h = hashlib.sha256()
        for path in sorted(p for p in self.root.rglob("*") if p.is_file()):
            h.update(path.relative_to(self.root).as_posix().encode())
            h.update(b"\0")
            h.update(path.read_bytes())
        return h.hexdigest()
