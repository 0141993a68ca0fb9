"""The label schema in configs/ agrees with itself and with the output JSON Schemas."""

from __future__ import annotations

import pytest

from pipeline.config import Config
from pipeline.errors import ConfigError
from pipeline.records import json_schema

RELATIONS = {
    "based_in",
    "part_of",
    "located_in",
    "member_of",
    "works_for",
    "leads",
    "citizen_of",
    "alleges",
    "cooperates_with",
    "meets",
    "attacks",
    "coerces",
}


def test_schema_types(config: Config) -> None:
    schema = config.schema
    assert set(schema.entity_types) == {"ORG", "AGENCY", "COUNTRY", "PERSON", "LOC"}
    assert set(schema.relations) == RELATIONS
    assert {r for r in RELATIONS if schema.is_symmetric(r)} == {"cooperates_with", "meets"}
    assert schema.is_allowed("based_in", "ORG", "LOC") and not schema.is_allowed("based_in", "LOC", "ORG")
    assert schema.is_allowed("meets", "PERSON", "COUNTRY") and schema.is_allowed("attacks", "COUNTRY", "LOC")
    for spec in schema.relations.values():
        assert spec.get("wikidata") or spec.get("plover")


def test_output_schemas_use_the_same_labels(config: Config) -> None:
    assert set(json_schema("entity")["properties"]["label"]["enum"]) == set(config.schema.entity_types)
    assert set(json_schema("triple")["properties"]["relation"]["enum"]) == set(config.schema.relations)


def test_missing_config_folder_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        Config(tmp_path / "nope")
    (tmp_path / "labels.toml").write_text("[entities.X]\n[relations.r]\nhead = ['Y']\ntail = ['X']\n")
    with pytest.raises(ConfigError, match="unknown types"):
        Config(tmp_path).schema  # noqa: B018


def test_config_digest_changes_with_content(tmp_path) -> None:
    (tmp_path / "a.toml").write_text("x = 1\n")
    first = Config(tmp_path).digest()
    (tmp_path / "a.toml").write_text("x = 2\n")
    assert Config(tmp_path).digest() != first
