"""KnowledgeNet (Mesquita et al. 2019), training folds 1-4: one document per passage.

Source: `knowledgenet_train_folds1-4.jsonl`, one row per (passage, property, fact): fold, documentId,
passageStart/End (offsets in the source document), property, passageText, isFact and, for a fact, the subject and
object Start/End (offsets in the source document too, so passageStart is subtracted) /Text/Uri. A split is one fold.

All rows of one passage become one GoldDocument, id `knowledgenet-<documentId>-<passageStart>-<passageEnd>`:
- text: the passage; sentences: the whole passage as one span (KnowledgeNet does not split sentences); no tokens.
- mentions: the distinct subject and object spans, in text order; `orig` is an argument role
  ("HEADQUARTERS.subject"), chosen as the corpus file says when a span has several; all roles and the Wikidata URI
  are in meta["mention_roles"] and meta["mention_uris"], aligned with the mentions.
- relations: the facts, in file order, subject -> object with the property as `orig`, or object -> subject for the
  properties marked `inverse` in the corpus file (their indices in meta["inverted_relations"]).
- meta["properties"]: the properties the passage was annotated for (KnowledgeNet annotates one property at a time,
  so only these are exhaustive); meta["properties_without_facts"]: those annotated as stating no fact (negatives).
  A passage annotated only with such properties is kept, with no mentions or relations.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pipeline.config import Config
from pipeline.errors import ConfigError, DataError
from pipeline.gold.format import GoldDocument, GoldMention, GoldRelation
from pipeline.gold.refine import Mapper
from pipeline.gold.spec import CorpusSpec

logger = logging.getLogger(__name__)

ARGUMENTS = ("subject", "object")


def convert(root: Path, split: str, spec: CorpusSpec, config: Config) -> Iterator[GoldDocument]:
    entry = spec.splits[split]
    try:
        path, fold = root / entry["file"], int(entry["fold"])
    except (TypeError, KeyError, ValueError):
        raise ConfigError(
            f"configs/gold/{spec.name}.toml: [splits.{split}] needs `file` and `fold`"
        ) from None
    passages: dict[tuple[str, int, int], list[dict[str, Any]]] = {}
    where: dict[tuple[str, int, int], str] = {}
    with path.open(encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            row = json.loads(line)
            if row["fold"] != fold:
                continue
            key = (row["documentId"], row["passageStart"], row["passageEnd"])
            where.setdefault(key, f"{path}:{lineno}")
            passages.setdefault(key, []).append(row)
    converter = PassageConverter(spec, config)
    for key, rows in passages.items():
        yield converter.document(rows, split, where[key])


class PassageConverter:
    """The rows of one passage -> one GoldDocument, with the corpus file's label mapping and rules."""

    def __init__(self, spec: CorpusSpec, config: Config) -> None:
        self.spec = spec
        self.mapper = Mapper(spec, config)
        self.pronouns = {w.lower() for w in spec.raw.get("mention_rules", {}).get("pronouns", [])}
        self.inverse: set[str] = set()
        for prop, rule in spec.raw.get("relation_rules", {}).items():
            spec.relation_label(prop)  # raises for a rule on a property the mapping does not know
            if set(rule) - {"inverse"}:
                raise ConfigError(
                    f"configs/gold/{spec.name}.toml: [relation_rules.{prop}] takes only `inverse`"
                )
            if rule.get("inverse"):
                self.inverse.add(prop)

    def mention_label(self, roles: list[str], text: str) -> tuple[str, str | None]:
        """(orig, schema label) of a span: its first role, in alphabetical order, with a schema type, else its first."""
        if text.lower() in self.pronouns:
            return roles[0], None
        for role in roles:
            if (label := self.mapper.entity(role, text)) is not None:
                return role, label
        return roles[0], None

    def document(self, rows: list[dict[str, Any]], split: str, where: str) -> GoldDocument:
        first = rows[0]
        text, offset = first["passageText"], first["passageStart"]
        doc_id = f"{self.spec.name}-{first['documentId']}-{first['passageStart']}-{first['passageEnd']}"
        facts: list[tuple[dict[str, Any], tuple[int, int], tuple[int, int]]] = []
        roles: dict[tuple[int, int], set[str]] = {}
        uris: dict[tuple[int, int], str | None] = {}  # Wikidata URI, where a row links the span
        skipped = 0
        for row in rows:
            if row["passageText"] != text:
                raise DataError(f"{where}: passage {doc_id} has two different texts")
            if not row["isFact"]:
                continue
            args = []
            for arg in ARGUMENTS:
                start, end = row[f"{arg}Start"] - offset, row[f"{arg}End"] - offset
                if not (0 <= start < end <= len(text) and text[start:end] == row[f"{arg}Text"]):
                    break
                args.append((start, end))
            if len(args) != len(ARGUMENTS):
                logger.warning(
                    "%s: %s fact in %s does not slice to its text; skipped", where, row["property"], doc_id
                )
                skipped += 1
                continue
            for arg, span in zip(ARGUMENTS, args, strict=True):
                roles.setdefault(span, set()).add(f"{row['property']}.{arg}")
                uris[span] = uris.get(span) or row[f"{arg}Uri"]
            facts.append((row, args[0], args[1]))

        mentions: list[GoldMention] = []
        index: dict[tuple[int, int], int] = {}
        mention_roles: list[list[str]] = []
        for start, end in sorted(roles):
            ordered = sorted(roles[(start, end)])
            orig, label = self.mention_label(ordered, text[start:end])
            index[(start, end)] = len(mentions)
            mentions.append(GoldMention(start, end, text[start:end], orig=orig, label=label, sentence=0))
            mention_roles.append(ordered)

        relations: list[GoldRelation] = []
        inverted: list[int] = []
        for row, subject, obj in facts:
            prop = row["property"]
            head, tail = index[subject], index[obj]
            if prop in self.inverse:
                head, tail = tail, head
                inverted.append(len(relations))
            head_label, tail_label = mentions[head].label, mentions[tail].label
            # Mapper.relation checks argument types only when it is given both; a mention without one fails.
            label = self.mapper.relation(prop, head_label, tail_label) if head_label and tail_label else None
            relations.append(GoldRelation(head=head, tail=tail, orig=prop, label=label))

        properties = sorted({row["property"] for row in rows})
        with_facts = {row["property"] for row in rows if row["isFact"]}
        meta: dict[str, Any] = {
            "document_id": first["documentId"],
            "passage_start": first["passageStart"],
            "passage_end": first["passageEnd"],
            "fold": first["fold"],
            "properties": properties,
            "properties_without_facts": [p for p in properties if p not in with_facts],
            "mention_roles": mention_roles,
            "mention_uris": [uris[(m.start, m.end)] for m in mentions],
            "inverted_relations": inverted,
        }
        if skipped:
            meta["skipped_facts"] = skipped
        return GoldDocument(
            id=doc_id,
            dataset=self.spec.name,
            split=split,
            text=text,
            sentences=((0, len(text)),),
            mentions=tuple(mentions),
            relations=tuple(relations),
            meta=meta,
        )
