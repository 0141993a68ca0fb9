"""Scores for `newsgraph evaluate {ner,relations,triples}`: predictions against gold, both as canonical gold
documents (`pipeline.gold.format.GoldDocument`). Reads and writes nothing; returns result dicts that
`format_table` renders as markdown.

The rules, following the "Metrics" section of the schema document:

- **Documents** are paired by id. A gold document with no predicted document counts as an empty prediction (all
  its items are false negatives). A predicted id that is not in gold raises `DataError`: it means the predictions
  were made on another split or corpus, and counting them as false positives would hide that. An id repeated on
  either side raises `DataError`. NER and relation scores compare character offsets, so for them a predicted
  document whose text is not empty and differs from the gold text also raises `DataError`.
- **Labels**: `labels="schema"` scores the news-schema `label` and ignores, on both sides, mentions and relations
  whose label is None (corpus types without a schema counterpart); `labels="orig"` scores the corpus's own `orig`.
- **Sets**: each side of a document is a set of items, so an item annotated or predicted twice counts once.
- **NER**: an item is (start, end, type); exact span and type.
- **Relations**: `mode="strict"`: an item is (head start, end and type; tail start, end and type; relation);
  `mode="boundaries"`: the same without the two entity types. A relation counts whatever its arguments' labels are;
  under `labels="schema"` an argument without a schema label has type None. The two arguments of a relation
  named in `symmetric` are put in a canonical order, so (A, r, B) and (B, r, A) are one item: they match either
  way round and count once when predicted both ways. By default `symmetric` is the schema's symmetric relations
  for `labels="schema"` and none for `labels="orig"` (pass a corpus's own symmetric labels explicitly).
- **Document-level triples**: a triple is (document, head entity, relation, tail entity), counted once however
  many mentions express it. A gold entity is a mention's `cluster` where it has one (document-level corpora), else
  the mention's normalised text; its names are the normalised texts of all its mentions. Normalising is casefolding,
  collapsing whitespace and dropping a leading "the ". A predicted triple is (normalised head text, relation,
  normalised tail text), deduplicated (in either order for symmetric relations, as are gold triples). A predicted
  argument matches a gold entity when its name is one of the entity's names; a predicted triple can be paired with
  a gold triple whose relation is the same and whose head and tail match (either way round for symmetric
  relations). Each gold triple pairs with at most one predicted triple and vice versa; true positives are the size
  of a maximum such pairing, so the score does not depend on the order of the triples even when a name is shared
  by two gold entities.
- **Numbers**: micro P = tp / (tp + fp), R = tp / (tp + fn), F1 = 2PR / (P + R), each 0 where its denominator is
  0, over all items; per type the same within one type; macro is the unweighted mean of the per-type P, R and F1
  over the types that occur in gold or in the predictions (the CoNLL/seqeval convention), 0 when there are none.
  They are computed exactly and rounded to `ndigits` (default 4) only in the returned dicts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pipeline.config import Config
from pipeline.errors import DataError
from pipeline.gold.format import GoldDocument, GoldMention, GoldRelation

LabelSet = Literal["schema", "orig"]
RelationMode = Literal["strict", "boundaries"]


@dataclass
class Counts:
    """True positives, false positives and false negatives of one set of items."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Counts) -> None:
        self.tp, self.fp, self.fn = self.tp + other.tp, self.fp + other.fp, self.fn + other.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def metrics(self, ndigits: int | None = 4) -> dict[str, float | int]:
        return {
            "precision": _round(self.precision, ndigits),
            "recall": _round(self.recall, ndigits),
            "f1": _round(self.f1, ndigits),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
        }


def _round(value: float, ndigits: int | None) -> float:
    return value if ndigits is None else round(value, ndigits)


def summarize(per_type: Mapping[str, Counts], documents: int, ndigits: int | None = 4) -> dict[str, Any]:
    """Micro, macro and per-type scores from the counts of each type that occurs in gold or predictions."""
    total = Counts()
    for counts in per_type.values():
        total.add(counts)
    types = sorted(per_type)
    n = len(types)
    macro = {
        name: _round(sum(getattr(per_type[t], name) for t in types) / n if n else 0.0, ndigits)
        for name in ("precision", "recall", "f1")
    }
    return {
        "micro": total.metrics(ndigits),
        "macro": macro,
        "per_type": {t: per_type[t].metrics(ndigits) for t in types},
        "documents": documents,
    }


# Pairing documents and reading labels


def _pair(
    gold: Sequence[GoldDocument], pred: Sequence[GoldDocument], same_text: bool
) -> list[tuple[GoldDocument, GoldDocument | None]]:
    gold_by_id: dict[str, GoldDocument] = {}
    for doc in gold:
        if doc.id in gold_by_id:
            raise DataError(f"gold: document id {doc.id!r} appears more than once")
        gold_by_id[doc.id] = doc
    pred_by_id: dict[str, GoldDocument] = {}
    for doc in pred:
        if doc.id in pred_by_id:
            raise DataError(f"predictions: document id {doc.id!r} appears more than once")
        pred_by_id[doc.id] = doc
    unknown = [i for i in pred_by_id if i not in gold_by_id]
    if unknown:
        shown = ", ".join(repr(i) for i in unknown[:3])
        raise DataError(
            f"predictions: {len(unknown)} document id(s) not in gold ({shown}"
            f"{', ...' if len(unknown) > 3 else ''}); expected predictions for the gold split being scored"
        )
    if same_text:
        for doc in pred_by_id.values():
            gold_text = gold_by_id[doc.id].text
            if doc.text and doc.text != gold_text:
                raise DataError(
                    f"predictions: document {doc.id!r} has another text than gold ({len(doc.text)} vs "
                    f"{len(gold_text)} characters), so its offsets cannot be compared"
                )
    return [(doc, pred_by_id.get(doc.id)) for doc in gold]


def _check_labels(labels: str) -> None:
    if labels not in ("schema", "orig"):
        raise ValueError(f"labels must be 'schema' or 'orig', not {labels!r}")


def _label(obj: GoldMention | GoldRelation, labels: str) -> str | None:
    return obj.label if labels == "schema" else obj.orig


def _arguments(doc: GoldDocument, index: int, rel: GoldRelation) -> tuple[GoldMention, GoldMention]:
    n = len(doc.mentions)
    if not (0 <= rel.head < n and 0 <= rel.tail < n):
        raise DataError(
            f"{doc.id}: relation {index} joins mentions {rel.head} and {rel.tail}; expected indices below {n}"
        )
    return doc.mentions[rel.head], doc.mentions[rel.tail]


def default_symmetric(labels: str, config: Config | None = None) -> frozenset[str]:
    """The symmetric relations of a label set: the schema's for "schema", none for "orig"."""
    if labels != "schema":
        return frozenset()
    schema = (config or Config()).schema
    return frozenset(r for r in schema.relations if schema.is_symmetric(r))


def _ordered(a: Hashable, b: Hashable, symmetric: bool) -> tuple[Hashable, Hashable]:
    # repr gives one total order over argument keys, even ones holding None, which is all a canonical order needs
    return (b, a) if symmetric and repr(b) < repr(a) else (a, b)


def _count(gold_items: set[tuple], pred_items: set[tuple], per_type: dict[str, Counts]) -> None:
    """Add the items of one document to the counts of their type (the first element of each item)."""
    for item in gold_items | pred_items:
        counts = per_type[item[0]]
        if item in gold_items and item in pred_items:
            counts.tp += 1
        elif item in gold_items:
            counts.fn += 1
        else:
            counts.fp += 1


# NER


def _entity_items(doc: GoldDocument | None, labels: str) -> set[tuple]:
    if doc is None:
        return set()
    return {(t, m.start, m.end) for m in doc.mentions if (t := _label(m, labels)) is not None}


def score_ner(
    gold: Sequence[GoldDocument],
    pred: Sequence[GoldDocument],
    labels: LabelSet = "schema",
    *,
    ndigits: int | None = 4,
) -> dict[str, Any]:
    """Exact span-and-type NER scores: micro, macro over types, per type."""
    _check_labels(labels)
    per_type: dict[str, Counts] = defaultdict(Counts)
    pairs = _pair(gold, pred, same_text=True)
    for g, p in pairs:
        _count(_entity_items(g, labels), _entity_items(p, labels), per_type)
    return summarize(per_type, len(pairs), ndigits)


# Mention-level relations


def relation_item(
    doc: GoldDocument, i: int, labels: str, mode: str, symmetric: Collection[str]
) -> tuple | None:
    """The comparable form of relation `i` of `doc` (None when it has no label in this label set)."""
    rel = doc.relations[i]
    name = _label(rel, labels)
    if name is None:
        return None
    head, tail = _arguments(doc, i, rel)
    a: tuple = (head.start, head.end)
    b: tuple = (tail.start, tail.end)
    if mode == "strict":
        a, b = (*a, _label(head, labels)), (*b, _label(tail, labels))
    return (name, *_ordered(a, b, name in symmetric))


def _relation_items(
    doc: GoldDocument | None, labels: str, mode: str, symmetric: Collection[str]
) -> set[tuple]:
    if doc is None:
        return set()
    items = (relation_item(doc, i, labels, mode, symmetric) for i in range(len(doc.relations)))
    return {item for item in items if item is not None}


def score_relations(
    gold: Sequence[GoldDocument],
    pred: Sequence[GoldDocument],
    labels: LabelSet = "schema",
    mode: RelationMode = "strict",
    symmetric: Collection[str] | None = None,
    *,
    config: Config | None = None,
    ndigits: int | None = 4,
) -> dict[str, Any]:
    """Mention-level relation scores, strict or boundaries: micro, macro over relation types, per type."""
    _check_labels(labels)
    if mode not in ("strict", "boundaries"):
        raise ValueError(f"mode must be 'strict' or 'boundaries', not {mode!r}")
    sym = frozenset(symmetric) if symmetric is not None else default_symmetric(labels, config)
    per_type: dict[str, Counts] = defaultdict(Counts)
    pairs = _pair(gold, pred, same_text=True)
    for g, p in pairs:
        _count(_relation_items(g, labels, mode, sym), _relation_items(p, labels, mode, sym), per_type)
    return summarize(per_type, len(pairs), ndigits)


# Document-level triples


def normalize_name(text: str) -> str:
    """Casefolded, whitespace collapsed, without a leading "the " (so "The  Kremlin" == "kremlin")."""
    words = text.casefold().split()
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    return " ".join(words)


def _gold_entity(m: GoldMention) -> tuple:
    return ("cluster", m.cluster) if m.cluster is not None else ("name", normalize_name(m.text))


def _gold_triples(
    doc: GoldDocument, labels: str, symmetric: Collection[str]
) -> tuple[set[tuple], dict[str, set[tuple]]]:
    """The document's gold triples (relation, head entity, tail entity) and each name's entities."""
    names: dict[str, set[tuple]] = defaultdict(set)
    for m in doc.mentions:
        names[normalize_name(m.text)].add(_gold_entity(m))
    triples: set[tuple] = set()
    for i, rel in enumerate(doc.relations):
        name = _label(rel, labels)
        if name is not None:
            head, tail = _arguments(doc, i, rel)
            triples.add((name, *_ordered(_gold_entity(head), _gold_entity(tail), name in symmetric)))
    return triples, names


def _pred_triples(doc: GoldDocument | None, labels: str, symmetric: Collection[str]) -> set[tuple]:
    if doc is None:
        return set()
    triples: set[tuple] = set()
    for i, rel in enumerate(doc.relations):
        name = _label(rel, labels)
        if name is not None:
            head, tail = _arguments(doc, i, rel)
            pair = _ordered(normalize_name(head.text), normalize_name(tail.text), name in symmetric)
            triples.add((name, *pair))
    return triples


def _max_pairing(candidates: Mapping[tuple, list[tuple]]) -> dict[tuple, tuple]:
    """A maximum one-to-one pairing of predicted to gold triples (augmenting paths), as gold -> predicted."""
    owner: dict[tuple, tuple] = {}

    def assign(p: tuple, seen: set[tuple]) -> bool:
        for g in candidates[p]:
            if g not in seen:
                seen.add(g)
                if g not in owner or assign(owner[g], seen):
                    owner[g] = p
                    return True
        return False

    for p in sorted(candidates, key=repr):
        assign(p, set())
    return owner


def score_triples(
    gold: Sequence[GoldDocument],
    pred: Sequence[GoldDocument],
    labels: LabelSet = "schema",
    symmetric: Collection[str] | None = None,
    *,
    config: Config | None = None,
    ndigits: int | None = 4,
) -> dict[str, Any]:
    """Document-level triple scores (entities matched by name or cluster alias): micro, macro, per relation."""
    _check_labels(labels)
    sym = frozenset(symmetric) if symmetric is not None else default_symmetric(labels, config)
    per_type: dict[str, Counts] = defaultdict(Counts)
    pairs = _pair(gold, pred, same_text=False)
    for g, p in pairs:
        gold_triples, names = _gold_triples(g, labels, sym)
        pred_triples = _pred_triples(p, labels, sym)
        candidates: dict[tuple, list[tuple]] = {}
        for rel, h, t in pred_triples:
            found = {(rel, *_ordered(x, y, rel in sym)) for x in names.get(h, ()) for y in names.get(t, ())}
            candidates[(rel, h, t)] = sorted(found & gold_triples, key=repr)
        matched = _max_pairing(candidates)
        for rel, *_ in gold_triples:
            per_type[rel].fn += 1
        for rel, *_ in pred_triples:
            per_type[rel].fp += 1
        for rel, *_ in matched:
            per_type[rel].tp += 1
            per_type[rel].fn -= 1
            per_type[rel].fp -= 1
    return summarize(per_type, len(pairs), ndigits)


# Reporting


def _is_result(obj: Any) -> bool:
    return isinstance(obj, Mapping) and isinstance(obj.get("micro"), Mapping) and "precision" in obj["micro"]


def _rows(prefix: str, result: Mapping[str, Any]) -> Iterable[str]:
    micro = result["micro"]
    support = micro["tp"] + micro["fn"]
    rows = [("micro", micro, support), ("macro", result["macro"], support)]
    rows += [(t, m, m["tp"] + m["fn"]) for t, m in result["per_type"].items()]
    for name, m, n in rows:
        yield f"| {prefix}{name} | {m['precision']:.4f} | {m['recall']:.4f} | {m['f1']:.4f} | {n} |"


def format_table(results: Mapping[str, Any], title: str) -> str:
    """A markdown table (metric, P, R, F1, support) of one result dict or of a mapping name -> result.

    Rows are micro, macro and each type; support is the number of gold items (for macro, of all types).
    """
    named = {"": results} if _is_result(results) else dict(results)
    documents = {r.get("documents") for r in named.values()}
    heading = f"**{title}**"
    if len(documents) == 1 and (n := documents.pop()) is not None:
        heading += f" ({n} documents)"
    lines = [heading, "", "| metric | P | R | F1 | support |", "|---|---:|---:|---:|---:|"]
    for name, result in named.items():
        lines.extend(_rows(f"{name} / " if name else "", result))
    return "\n".join(lines) + "\n"
