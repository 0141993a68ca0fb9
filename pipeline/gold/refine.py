"""Label refinements that the corpus mapping tables name in `[entity_rules]`.

A table maps a corpus label to one schema label; some corpora need one more step that depends on the mention:
- `country_names`: a place whose name is a sovereign state (pycountry names plus the aliases in
  `configs/countries.toml`) becomes COUNTRY; other places keep the mapped label.
- `reviewed_list`: mentions listed in `configs/gold/<corpus>.reviewed.tsv` (document id, sentence index, first
  token, end token, label; offsets only, no text) take the listed label. A corpus config may name another corpus's
  list (`reviewed_list = "conll2003"`) when its documents are that corpus's. The list is the reviewed result of
  gazetteer candidates, e.g. CoNLL-2003 ORG mentions that are government bodies (AGENCY).
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path
from typing import Any

from pipeline.config import Config, read_toml
from pipeline.countries import sovereign_names
from pipeline.errors import ConfigError
from pipeline.gold.spec import CorpusSpec


@cache
def _country_names(countries_path: str) -> frozenset[str]:
    return frozenset(
        name.lower() for name, _ in sovereign_names(read_toml(Path(countries_path)).get("countries", {}))
    )


def is_country_name(config: Config, text: str) -> bool:
    low = text.lower()
    if low.startswith("the "):
        low = low[4:]
    return low in _country_names(str(config.path("countries.toml")))


def read_reviewed(config: Config, corpus: str) -> dict[tuple[str, int, int, int], str]:
    """(document id, sentence, first token, end token) -> label from the corpus's reviewed standoff list."""
    path = config.path("gold") / f"{corpus}.reviewed.tsv"
    if not path.is_file():
        return {}
    table: dict[tuple[str, int, int, int], str] = {}
    with path.open(encoding="utf-8") as f:
        for n, row in enumerate(csv.reader(f, delimiter="\t"), 1):
            if not row or row[0].startswith("#"):
                continue
            try:
                doc, sent, start, end, label = row[:5]
                table[(doc, int(sent), int(start), int(end))] = label
            except ValueError:
                raise ConfigError(f"{path}:{n}: expected doc, sentence, start, end, label") from None
    return table


UNCHECKED: Any = object()  # Mapper.relation without argument labels: no type check


class Mapper:
    """Corpus labels -> schema labels for one corpus, with its `[entity_rules]`."""

    def __init__(self, spec: CorpusSpec, config: Config) -> None:
        self.spec = spec
        self.config = config
        self.rules: dict[str, list[str]] = {}
        for orig, rule in spec.raw.get("entity_rules", {}).items():
            self.rules[orig] = [rule] if isinstance(rule, str) else list(rule)
            unknown = set(self.rules[orig]) - {"country_names", "reviewed_list"}
            if unknown:
                raise ConfigError(f"configs/gold/{spec.name}.toml: unknown entity rule(s) {sorted(unknown)}")
        wants_list = any("reviewed_list" in rules for rules in self.rules.values())
        # A corpus that re-annotates another's documents (CoNLL++ test) may share that corpus's list.
        list_name = spec.raw.get("reviewed_list", spec.name)
        self.reviewed = read_reviewed(config, list_name) if wants_list else {}

    def entity(self, orig: str, text: str, key: tuple[str, int, int, int] | None = None) -> str | None:
        """Schema label of one mention. `key` (doc id, sentence, first token, end token) finds reviewed labels;
        a reviewed label wins over every other rule."""
        rules = self.rules.get(orig, [])
        if "reviewed_list" in rules and key is not None and key in self.reviewed:
            return self.reviewed[key] or None
        if "country_names" in rules and is_country_name(self.config, text):
            return "COUNTRY"
        return self.spec.entity_label(orig)

    def relation(self, orig: str, head: str | None = UNCHECKED, tail: str | None = UNCHECKED) -> str | None:
        """Schema label of one relation; None when unmapped or, when the arguments' schema labels are given,
        when the schema does not allow it between them (an argument without a schema label never does)."""
        label = self.spec.relation_label(orig)
        if label is None or (head is UNCHECKED and tail is UNCHECKED):
            return label
        if head is None or tail is None or not self.config.schema.is_allowed(label, head, tail):
            return None
        return label
