"""What each corpus is and how its labels map into the news schema: `configs/gold/<corpus>.toml`.

A corpus file names its converter module, the source files of each split (relative to the corpus folder under the
data directory), the label mapping (`[entities]`, `[relations]`: corpus label -> schema label, "" for none) and the
counts its README publishes (`[counts.<split>]`), which the converted data must reproduce exactly.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from types import ModuleType
from typing import Any

from pipeline.config import Config
from pipeline.errors import ConfigError


@dataclass(frozen=True)
class CorpusSpec:
    name: str
    folder: str  # the corpus folder under the data directory
    converter: str  # module path of the converter
    splits: dict[str, Any]  # split -> source file(s) relative to the folder (str, list or table)
    entities: dict[str, str]
    relations: dict[str, str]
    counts: dict[str, dict[str, Any]]
    raw: dict[str, Any]

    def entity_label(self, orig: str) -> str | None:
        """The schema label for a corpus entity label; None where the schema has none."""
        if orig not in self.entities:
            raise ConfigError(f"configs/gold/{self.name}.toml: entity label {orig!r} is not mapped")
        return self.entities[orig] or None

    def relation_label(self, orig: str) -> str | None:
        if orig not in self.relations:
            raise ConfigError(f"configs/gold/{self.name}.toml: relation label {orig!r} is not mapped")
        return self.relations[orig] or None

    @cached_property
    def module(self) -> ModuleType:
        return importlib.import_module(self.converter)

    def source(self, data_dir: Path) -> Path:
        """The corpus folder: under the data directory, or in this repository for `in_repo = true` corpora."""
        if self.raw.get("in_repo"):
            return Path(__file__).resolve().parents[2] / self.folder
        return data_dir / self.folder


def corpus_names(config: Config) -> list[str]:
    return sorted(p.stem for p in config.path("gold").glob("*.toml"))


def load_spec(config: Config, name: str) -> CorpusSpec:
    path = config.path("gold") / f"{name}.toml"
    if not path.is_file():
        known = ", ".join(corpus_names(config))
        raise ConfigError(f"unknown corpus {name!r}; known: {known}")
    data = config.toml(f"gold/{name}.toml")
    schema = config.schema
    try:
        spec = CorpusSpec(
            name=name,
            folder=data["folder"],
            converter=data["converter"],
            splits=dict(data["splits"]),
            entities=dict(data.get("entities", {})),
            relations=dict(data.get("relations", {})),
            counts=dict(data.get("counts", {})),
            raw=data,
        )
    except KeyError as e:
        raise ConfigError(f"{path}: missing key {e}") from None
    for orig, label in spec.entities.items():
        if label and label not in schema.entity_types:
            raise ConfigError(f"{path}: entity {orig!r} maps to {label!r}, not a schema type")
    for orig, label in spec.relations.items():
        if label and label not in schema.relations:
            raise ConfigError(f"{path}: relation {orig!r} maps to {label!r}, not a schema relation")
    return spec
