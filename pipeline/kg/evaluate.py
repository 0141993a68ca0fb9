"""Canonicalisation scored on the news gold corpus: pairwise merge precision, recall and F1.

Reads the converted gold documents (`pipeline.gold.store`, corpus `newsgold`); each gold mention carries the id
of its entity within the document (`cluster`). The canonicaliser runs on the gold mentions, the document text
and the gold `part_of` relations (used to scope agencies), so the score isolates canonicalisation from
extraction errors. A pair is two mentions of one document; it is predicted when both get one entity, gold when
both have one cluster. Writes nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any

from pipeline.config import Config
from pipeline.kg.canon import DocumentInput, canonicalise_document, span_of
from pipeline.kg.names import NameTables
from pipeline.types import Mention


@dataclass(frozen=True, slots=True)
class PairScore:
    """Pair counts and the metrics derived from them."""

    true_positive: int
    predicted: int
    gold: int

    @property
    def precision(self) -> float:
        return self.true_positive / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.true_positive / self.gold if self.gold else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict[str, float | int]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "true_positive": self.true_positive,
            "predicted_pairs": self.predicted,
            "gold_pairs": self.gold,
        }


def pairwise_counts(predicted: Sequence[object], gold: Sequence[object]) -> tuple[int, int, int]:
    """(true positive, predicted, gold) pairs for one document, given the entity id of each mention."""
    if len(predicted) != len(gold):
        raise ValueError(f"{len(predicted)} predicted ids for {len(gold)} gold mentions")
    tp = pred = true = 0
    for i, j in combinations(range(len(gold)), 2):
        same_pred, same_gold = predicted[i] == predicted[j], gold[i] == gold[j]
        pred += same_pred
        true += same_gold
        tp += same_pred and same_gold
    return tp, pred, true


def pairwise_score(documents: Iterable[tuple[Sequence[object], Sequence[object]]]) -> PairScore:
    """Micro-averaged pairwise score over documents, each given as (predicted ids, gold ids)."""
    tp = pred = gold = 0
    for predicted, truth in documents:
        a, b, c = pairwise_counts(predicted, truth)
        tp, pred, gold = tp + a, pred + b, gold + c
    return PairScore(tp, pred, gold)


def predict_clusters(doc: Any, tables: NameTables) -> list[int]:
    """The canonicaliser's entity index for each gold mention of one gold document."""
    mentions = [Mention(m.text, m.label or m.orig, m.start, m.end) for m in doc.mentions]
    part_of = [
        (mentions[r.head], mentions[r.tail]) for r in doc.relations if (r.label or r.orig) == "part_of"
    ]
    result = canonicalise_document(DocumentInput(doc.id, doc.text, mentions, part_of), tables)
    return [result.index[span_of(m)] for m in mentions]


def score_canonicalisation(
    split: str, config: Config | None = None, data_dir: str | Path | None = None, corpus: str = "newsgold"
) -> dict[str, Any]:
    """Pairwise merge P/R/F1 of within-document canonicalisation on one split of the gold corpus, overall and
    per entity type (pairs whose two gold mentions have that type)."""
    from pipeline.gold import store

    config = config or Config()
    tables = NameTables.load(config)
    docs = store.load(config, corpus, split, data_dir)
    overall: list[tuple[Sequence[object], Sequence[object]]] = []
    by_type: dict[str, list[tuple[Sequence[object], Sequence[object]]]] = {}
    for doc in docs:
        predicted = predict_clusters(doc, tables)
        gold = [m.cluster if m.cluster is not None else f"mention-{i}" for i, m in enumerate(doc.mentions)]
        overall.append((predicted, gold))
        labels = [m.label or m.orig for m in doc.mentions]
        for label in sorted(set(labels)):
            keep = [i for i, lab in enumerate(labels) if lab == label]
            by_type.setdefault(label, []).append(([predicted[i] for i in keep], [gold[i] for i in keep]))
    mentions = Counter(m.label or m.orig for d in docs for m in d.mentions)
    return {
        "corpus": corpus,
        "split": split,
        "documents": len(docs),
        "mentions": sum(mentions.values()),
        **pairwise_score(overall).to_dict(),
        "by_type": {label: pairwise_score(pairs).to_dict() for label, pairs in sorted(by_type.items())},
    }
