"""CrossRE (Bassignana & Plank 2022) and its CrossRE 2.0 news extension: one sentence per document.

Source: JSON lines `{doc_key, sentence, ner, relations}` (`crossre_data/news-*.json`, `crossre_extension/news-*.json`);
entities are token spans `[start, end_inclusive, type]` and relations `[s1, e1, s2, e2, label, explanation,
uncertain, syntax_ambiguity]` name their arguments by span, resolved here to mention indices. Tokens are joined by
single spaces. The explanation ("Exp" sub-type, e.g. "rejects") and the two flags survive in
`meta["relation_info"]`, a list aligned with `relations`.

A relation's schema label comes from, in order: the `[cues]` table (explanation -> schema relation, any CrossRE
label), then the `[relations]` mapping refined by `[relation_rules.<label>]` (`explanations`, `by_orig_types`,
`by_types`); the result must fit the schema's argument types for the two mentions, else it is None.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pipeline.config import Config
from pipeline.errors import ConfigError, DataError
from pipeline.gold.format import GoldDocument, GoldMention, GoldRelation, TextBuilder
from pipeline.gold.refine import Mapper
from pipeline.gold.spec import CorpusSpec


class RelationMapper:
    """CrossRE relation -> schema relation, from the corpus file's `[relations]`, `[relation_rules]` and `[cues]`."""

    def __init__(self, spec: CorpusSpec, config: Config) -> None:
        self.spec = spec
        self.schema = config.schema
        where = f"configs/gold/{spec.name}.toml"
        self.cues: dict[str, str] = {}
        for label, cues in spec.raw.get("cues", {}).items():
            for cue in cues:
                if cue in self.cues:
                    raise ConfigError(
                        f"{where}: cue {cue!r} is listed under {self.cues[cue]!r} and {label!r}"
                    )
                self.cues[cue] = label
        self.rules: dict[str, dict[str, Any]] = spec.raw.get("relation_rules", {})
        targets = set(self.cues.values())
        for orig, rule in self.rules.items():
            spec.relation_label(orig)  # raises for a rule on a label the mapping does not know
            unknown = set(rule) - {"explanations", "by_types", "by_orig_types"}
            if unknown:
                raise ConfigError(f"{where}: unknown key(s) {sorted(unknown)} in [relation_rules.{orig}]")
            for table in ("by_types", "by_orig_types"):
                for pair, label in rule.get(table, {}).items():
                    if len(pair.split()) != 2:
                        raise ConfigError(
                            f"{where}: [relation_rules.{orig}.{table}] key {pair!r} is not 'HEAD TAIL'"
                        )
                    targets.add(label)
        unknown_labels = sorted(label for label in targets if label and label not in self.schema.relations)
        if unknown_labels:
            raise ConfigError(f"{where}: {unknown_labels} are not schema relations")

    def label(self, orig: str, explanation: str, head: GoldMention, tail: GoldMention) -> str | None:
        """Schema label of one relation between two mentions, or None."""
        if explanation in self.cues:
            label: str | None = self.cues[explanation] or None
        else:
            rule = self.rules.get(orig, {})
            label = self.spec.relation_label(orig)
            if explanation and explanation not in rule.get("explanations", ()):
                label = None
            elif (pair := f"{head.orig} {tail.orig}") in rule.get("by_orig_types", {}):
                label = rule["by_orig_types"][pair] or None
            elif (pair := f"{head.label} {tail.label}") in rule.get("by_types", {}):
                label = rule["by_types"][pair] or None
        if label is None or head.label is None or tail.label is None:
            return None
        return label if self.schema.is_allowed(label, head.label, tail.label) else None


def convert(root: Path, split: str, spec: CorpusSpec, config: Config) -> Iterator[GoldDocument]:
    mapper = Mapper(spec, config)
    relations = RelationMapper(spec, config)
    path = root / spec.splits[split]
    with path.open(encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if line.strip():
                yield make_document(json.loads(line), f"{path}:{lineno}", spec, split, mapper, relations)


def make_document(
    rec: dict[str, Any], where: str, spec: CorpusSpec, split: str, mapper: Mapper, relations: RelationMapper
) -> GoldDocument:
    """One CrossRE line as a GoldDocument; `where` (file:line) names the record in errors."""
    builder = TextBuilder()
    builder.add_sentence(rec["sentence"])
    text = builder.text
    doc_id = f"{spec.name}-{rec['doc_key']}"
    mentions: list[GoldMention] = []
    index: dict[tuple[int, int], int] = {}  # inclusive token span -> mention index
    for first, last, orig in rec["ner"]:
        if (first, last) in index:
            raise DataError(f"{where}: two entities on tokens [{first}, {last}]")
        index[(first, last)] = len(mentions)
        start, end = builder.span(first, last + 1)
        mentions.append(
            GoldMention(
                start=start,
                end=end,
                text=text[start:end],
                orig=orig,
                label=mapper.entity(orig, text[start:end], (doc_id, 0, first, last + 1)),
                sentence=0,
            )
        )
    gold_relations: list[GoldRelation] = []
    info: list[dict[str, Any]] = []
    for s1, e1, s2, e2, orig, explanation, uncertain, syntax_ambiguity in rec["relations"]:
        try:
            head, tail = index[(s1, e1)], index[(s2, e2)]
        except KeyError:
            raise DataError(f"{where}: relation {orig!r} names a span that is not an entity") from None
        label = relations.label(orig, explanation, mentions[head], mentions[tail])
        gold_relations.append(GoldRelation(head=head, tail=tail, orig=orig, label=label))
        info.append(
            {"explanation": explanation, "uncertain": uncertain, "syntax_ambiguity": syntax_ambiguity}
        )
    meta = {"doc_key": rec["doc_key"], "relation_info": info}
    return builder.document(doc_id, spec.name, split, mentions, gold_relations, meta)
