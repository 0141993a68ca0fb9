"""Document-level relation corpora in the DocRED format: Re-DocRED here, and the shared code DWIE uses.

Source: a JSON list of documents `{title, sents: [[token]], vertexSet: [[{name, pos, sent_id, type}]],
labels: [{h, t, r, evidence}]}`; `pos` is a token span `[first, end)` within sentence `sent_id`, a vertexSet entry
is one entity (its mentions), `h`/`t` are entity indices.

Text: tokens joined by one space and sentences by `[text] sentence_separator` of the corpus file (one space for
Re-DocRED, whose sentences run on within a paragraph); sentences come from `sents`.
Mentions: every vertexSet mention, in text order (start, end, entity); `cluster` is the entity's vertexSet index
and `orig` the mention's own DocRED type.
Relations: entity-level, as the corpus annotates them: one GoldRelation per label, between the first mention (in
text order) of entity `h` and the first mention of entity `t`. A label repeated in the corpus stays repeated, so
the relation count is the corpus's triple count.
Inverse properties: where the schema relation runs from the corpus tail to the corpus head (a country's P35
"head of state" is a person; in the schema the person `leads` the country), the mapping table names the
property with the suffix `^-1` (`"P35^-1" = "leads"`). Such a label is stored with head and tail swapped and
`orig = "P35^-1"`, so that both `(head, orig, tail)` and `(head, label, tail)` read true; swap back to score
in the corpus's own direction.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from pipeline.config import Config
from pipeline.errors import DataError
from pipeline.gold.format import GoldDocument, GoldMention, GoldRelation, TextBuilder
from pipeline.gold.refine import Mapper
from pipeline.gold.spec import CorpusSpec

INVERSE = "^-1"


def read_documents(path: Path) -> list[dict[str, Any]]:
    try:
        with path.open(encoding="utf-8") as f:
            records = json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        raise DataError(f"{path}: not a DocRED JSON file: {e}") from None
    if not isinstance(records, list):
        raise DataError(f"{path}: expected a JSON list of documents, found {type(records).__name__}")
    return records


def build_document(
    rec: dict[str, Any],
    builder: TextBuilder,
    *,
    doc_id: str,
    split: str,
    spec: CorpusSpec,
    mapper: Mapper,
    sentences: Sequence[tuple[int, int]],
    sentence_of_token: Sequence[int],
    meta: dict[str, Any],
    label_keys: Sequence[str | None] | None = None,
) -> GoldDocument:
    """One GoldDocument from a DocRED record whose tokens are already in `builder`.

    `sentences` are character spans and `sentence_of_token` maps each document token to its sentence index. The
    schema label of a mention is the mapping of its own DocRED type, or, given `label_keys`, of its entity's key
    (None: no schema label).
    """
    text = builder.text
    first_token = builder.sentence_first_token
    placed = []
    for cluster, entity in enumerate(rec["vertexSet"]):
        for m in entity:
            sent_id = m.get("sent_id", 0)
            first, end = m["pos"]
            if not 0 <= sent_id < len(first_token) or not 0 <= first < end:
                raise DataError(f"{doc_id}: entity {cluster} has a mention outside the text: {m!r}")
            first += first_token[sent_id]
            end += first_token[sent_id]
            if end > len(builder.tokens):
                raise DataError(f"{doc_id}: entity {cluster} has a mention past the last token: {m!r}")
            start_char, end_char = builder.span(first, end)
            placed.append((start_char, end_char, cluster, first, m))
    placed.sort(key=lambda p: p[:3])
    mentions = []
    first_mention: dict[int, int] = {}
    for i, (start, end, cluster, first, m) in enumerate(placed):
        first_mention.setdefault(cluster, i)
        surface = text[start:end]
        key = label_keys[cluster] if label_keys is not None else m["type"]
        mentions.append(
            GoldMention(
                start=start,
                end=end,
                text=surface,
                orig=m["type"],
                label=mapper.entity(key, surface) if key else None,
                sentence=sentence_of_token[first],
                cluster=cluster,
            )
        )
    relations = [
        _relation(lab, first_mention, mentions, spec, mapper, doc_id) for lab in rec.get("labels", ())
    ]
    return GoldDocument(
        id=doc_id,
        dataset=spec.name,
        split=split,
        text=text,
        sentences=tuple(sentences),
        mentions=tuple(mentions),
        relations=tuple(relations),
        tokens=tuple(builder.tokens),
        meta=meta,
    )


def _relation(
    lab: dict[str, Any],
    first_mention: dict[int, int],
    mentions: list[GoldMention],
    spec: CorpusSpec,
    mapper: Mapper,
    doc_id: str,
) -> GoldRelation:
    try:
        head, tail = first_mention[lab["h"]], first_mention[lab["t"]]
    except KeyError:
        raise DataError(f"{doc_id}: relation {lab!r} names an entity without mentions") from None
    orig = lab["r"]
    if spec.relations.get(orig + INVERSE):
        head, tail, orig = tail, head, orig + INVERSE
    label = mapper.relation(orig, mentions[head].label, mentions[tail].label)
    return GoldRelation(head=head, tail=tail, orig=orig, label=label)


def convert(root: Path, split: str, spec: CorpusSpec, config: Config) -> Iterator[GoldDocument]:
    """Re-DocRED (and any plain DocRED-format corpus): entity labels straight from the mapping table."""
    mapper = Mapper(spec, config)
    separator = spec.raw.get("text", {}).get("sentence_separator", " ")
    for n, rec in enumerate(read_documents(root / spec.splits[split])):
        builder = TextBuilder(separator)
        sentence_of_token: list[int] = []
        for k, sentence in enumerate(rec["sents"]):
            builder.add_sentence(sentence)
            sentence_of_token.extend([k] * len(sentence))
        yield build_document(
            rec,
            builder,
            doc_id=f"{spec.name}-{split}-{n}",
            split=split,
            spec=spec,
            mapper=mapper,
            sentences=builder.sentences,
            sentence_of_token=sentence_of_token,
            meta={"title": rec.get("title", ""), "index": n},
        )
