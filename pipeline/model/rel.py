"""The relation head: one encoder pass per context window, then every candidate mention pair scored from pooled
span representations (SpERT-style), so the cost grows with sentences, not with pairs.

A context is a sentence, or a sentence and its neighbours (`context_sentences`), so pairs across neighbouring
sentences are covered. Candidates are ordered pairs (head, tail) whose entity types the schema allows for at
least one relation; the head predicts one of the relations or "none". Each pair's features are the max-pooled
sub-word states of the head span, the tail span and the text between them, the [CLS] state, and embeddings of the
two entity types and of their distance in words. Symmetric relations are learned and predicted in the order the
gold stores them and scored in either order by the metrics.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, fields

import torch
from torch import nn

from pipeline.config import Schema
from pipeline.gold.format import GoldDocument
from pipeline.model.ner import SHAPES, split_words, word_shape

NONE = "none"


def relation_decisions(
    logits: torch.Tensor, temperature: float = 1.0, none_bias: float = 0.0
) -> tuple[torch.Tensor, torch.Tensor]:
    """Each pair's relation (an index; 0 is NONE) and its probability, from the head's logits.

    `none_bias` (a log-odds shift, chosen on dev) moves the line between "no relation" and the best relation: at
    -1 a relation is kept when its probability exceeds e^-1 times that of NONE. The score stays the relation's
    own probability, so calibration maps still apply to it."""
    probs = (logits.float() / temperature).softmax(-1)
    if none_bias:
        ids = torch.cat([probs[:, :1] * math.exp(none_bias), probs[:, 1:]], dim=-1).argmax(-1)
    else:
        ids = probs.argmax(-1)
    return probs.gather(1, ids[:, None])[:, 0], ids


_DIST_BUCKETS = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 64)


def distance_bucket(words: int) -> int:
    return next((k for k, b in enumerate(_DIST_BUCKETS) if words <= b), len(_DIST_BUCKETS))


@dataclass(frozen=True)
class PairExample:
    """One context (words with char spans), its entity mentions as word ranges with types, and labelled pairs."""

    doc_id: str
    words: tuple[str, ...]
    spans: tuple[tuple[int, int], ...]
    entities: tuple[tuple[int, int, str], ...]  # word start, word end (exclusive), entity type
    mention_index: tuple[int, ...]  # index of each entity in the source document's mentions
    pairs: tuple[tuple[int, int, str], ...]  # head entity, tail entity, relation or NONE


def allowed_pairs(schema: Schema, head_type: str, tail_type: str) -> bool:
    return any(schema.is_allowed(r, head_type, tail_type) for r in schema.relations)


def contexts(doc: GoldDocument, size: int = 1) -> list[tuple[int, int, int]]:
    """(first sentence, end sentence, char start) of each context window of `size` sentences (1 or 2)."""
    n = len(doc.sentences)
    if size <= 1 or n <= 1:
        return [(k, k + 1, doc.sentences[k][0]) for k in range(n)]
    return [(k, min(n, k + size), doc.sentences[k][0]) for k in range(max(1, n - size + 1))]


def pair_examples(
    doc: GoldDocument,
    schema: Schema,
    size: int = 1,
    labels: str = "schema",
    with_gold: bool = True,
    spans: Sequence[tuple[int, int]] | None = None,
) -> list[PairExample]:
    """Pair examples for every context of a document: gold relations where the context holds both mentions,
    NONE for the other allowed pairs. With `size` 2, a pair inside one sentence is taken from its first window
    only, so each pair is seen once.

    `spans` gives the contexts as char ranges instead (the chunks of the shared encoder pass); pairs are then
    limited to mentions at most `size - 1` sentences apart, each taken from the first context holding both."""
    sentences = doc.sentences or ((0, len(doc.text)),)
    if spans is None:
        ranges = [(sentences[s0][0], sentences[s1 - 1][1]) for s0, s1, _ in contexts(doc, size)]
    else:
        ranges = list(spans)
    sentence_starts = [a for a, _ in sentences]
    gold: dict[tuple[int, int], str] = {}
    if with_gold:
        for r in doc.relations:
            label = r.label if labels == "schema" else r.orig
            if label:
                gold[(r.head, r.tail)] = label
    seen: set[tuple[int, int]] = set()
    out = []
    for c0, c1 in ranges:
        word_spans = split_words(doc.text, c0, c1)
        if not word_spans:
            continue
        starts = {a: k for k, (a, _) in enumerate(word_spans)}
        ends = {b: k + 1 for k, (_, b) in enumerate(word_spans)}
        ents: list[tuple[int, int, str]] = []
        index: list[int] = []
        for i, m in enumerate(doc.mentions):
            label = m.label if labels == "schema" else m.orig
            if label and c0 <= m.start and m.end <= c1 and m.start in starts and m.end in ends:
                ents.append((starts[m.start], ends[m.end], label))
                index.append(i)
        pairs = []
        for a in range(len(ents)):
            for b in range(len(ents)):
                if a == b or (labels == "schema" and not allowed_pairs(schema, ents[a][2], ents[b][2])):
                    continue
                if spans is not None:
                    apart = bisect_right(sentence_starts, doc.mentions[index[a]].start) - bisect_right(
                        sentence_starts, doc.mentions[index[b]].start
                    )
                    if abs(apart) >= size:
                        continue
                key = (index[a], index[b])
                if key in seen:
                    continue
                seen.add(key)
                pairs.append((a, b, gold.get(key, NONE)))
        if pairs:  # a context without a candidate pair is never encoded
            out.append(
                PairExample(
                    doc.id,
                    tuple(doc.text[x:y] for x, y in word_spans),
                    tuple(word_spans),
                    tuple(ents),
                    tuple(index),
                    tuple(pairs),
                )
            )
    return out


class RelationHead(nn.Module):
    def __init__(
        self,
        encoder: nn.Module,
        relations: Sequence[str],
        entity_types: Sequence[str],
        type_dim: int = 32,
        dist_dim: int = 16,
        hidden: int = 384,
        dropout: float = 0.1,
        side: int = 0,
    ) -> None:
        super().__init__()
        self.encoder = encoder
        # sub-words pooled on each side of the pair (0: none); their features follow the others in the MLP input
        self.side = side
        self.relations = [NONE, *[r for r in relations if r != NONE]]
        self.entity_types = list(entity_types)
        size = encoder.config.hidden_size
        self.shape_in = nn.Embedding(len(SHAPES), size, padding_idx=0)
        nn.init.zeros_(self.shape_in.weight)
        self.types = nn.Embedding(len(self.entity_types), type_dim)
        self.dist = nn.Embedding(len(_DIST_BUCKETS) + 1, dist_dim)
        self.mlp = nn.Sequential(
            nn.Dropout(dropout),
            nn.Linear((6 if side else 4) * size + 2 * type_dim + dist_dim + 1, hidden),
            nn.GELU(),
            nn.Dropout(dropout),
            nn.Linear(hidden, len(self.relations)),
        )

    def encode(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, shapes: torch.Tensor
    ) -> torch.Tensor:
        """The encoder's last hidden states; in the shipped model the same pass as the tagger's."""
        embeds = self.encoder.embeddings.word_embeddings(input_ids) + self.shape_in(shapes)
        return self.encoder(inputs_embeds=embeds, attention_mask=attention_mask).last_hidden_state

    def logits(self, batch: PairBatch) -> torch.Tensor:
        """Relation logits for every pair of an encoded batch (one encoder pass per context)."""
        states = self.encode(batch.input_ids, batch.attention_mask, batch.shapes)
        return self.score_pairs(
            states,
            batch.batch_index,
            batch.head_span,
            batch.tail_span,
            batch.between_span,
            batch.head_type,
            batch.tail_type,
            batch.dist,
            batch.order,
            lengths=batch.attention_mask.sum(-1),
        )

    def score_pairs(
        self,
        states: torch.Tensor,  # batch × pieces × hidden
        batch_index: torch.Tensor,  # pairs
        head_span: torch.Tensor,  # pairs × 2: first and end (exclusive) sub-word of the head
        tail_span: torch.Tensor,
        between_span: torch.Tensor,  # empty (first == end) when the mentions touch
        head_type: torch.Tensor,
        tail_type: torch.Tensor,
        dist: torch.Tensor,
        order: torch.Tensor,  # 1.0 when the head comes first in the text
        lengths: torch.Tensor | None = None,  # batch: sub-words of each sequence, [CLS] and [SEP] included
    ) -> torch.Tensor:
        table = _range_max_table(states)
        parts = [
            _range_max(table, batch_index, head_span),
            _range_max(table, batch_index, tail_span),
            _range_max(table, batch_index, between_span),
            states[batch_index, 0],
            self.types(head_type),
            self.types(tail_type),
            self.dist(dist),
            order.unsqueeze(-1),
        ]
        if self.side:
            before, after = side_spans(head_span, tail_span, lengths[batch_index], self.side)
            parts += [_range_max(table, batch_index, before), _range_max(table, batch_index, after)]
        return self.mlp(torch.cat(parts, dim=-1))


def side_spans(
    head_span: torch.Tensor, tail_span: torch.Tensor, lengths: torch.Tensor, side: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """The `side` sub-words before the pair's first mention and after its last one, inside the sequence
    ([CLS] at 0 and [SEP] at length - 1 left out): where "X and Y signed a deal" keeps its verb."""
    lo = torch.minimum(head_span[:, 0], tail_span[:, 0])
    hi = torch.maximum(head_span[:, 1], tail_span[:, 1])
    before = torch.stack([(lo - side).clamp(min=1), lo], dim=-1)
    end = torch.minimum(hi + side, lengths - 1).clamp(min=0)
    after = torch.stack([torch.minimum(hi, end), end], dim=-1)
    return before, after


def _range_max_table(states: torch.Tensor) -> list[torch.Tensor]:
    """Sparse table: level j holds the max over the 2**j sub-words starting at each position, so the max over
    any span is the max of two overlapping entries (exact, and linear in the pairs, not pairs × sub-words)."""
    table = [states]
    width = 1
    while 2 * width <= states.shape[1]:
        prev = table[-1]
        table.append(torch.maximum(prev[:, : prev.shape[1] - width], prev[:, width:]))
        width *= 2
    return table


def _range_max(table: list[torch.Tensor], batch_index: torch.Tensor, spans: torch.Tensor) -> torch.Tensor:
    """Max-pooled states over [start, end) per pair; zeros for an empty span."""
    hidden = table[0].shape[-1]
    if spans.numel() == 0:
        return table[0].new_zeros((0, hidden))
    start, end = spans[:, 0], spans[:, 1]
    length = (end - start).clamp(min=1)
    level = torch.floor(torch.log2(length.double())).long()
    out = table[0].new_zeros((len(spans), hidden))
    for j in level.unique().tolist():
        rows = (level == j).nonzero(as_tuple=True)[0]
        t = table[j]
        b, s, e = batch_index[rows], start[rows], end[rows]
        out[rows] = torch.maximum(t[b, s], t[b, e - (1 << j)])
    empty = end <= start
    return torch.where(empty.unsqueeze(-1), torch.zeros_like(out), out)


@dataclass
class PairBatch:
    input_ids: torch.Tensor
    attention_mask: torch.Tensor
    shapes: torch.Tensor
    batch_index: torch.Tensor
    head_span: torch.Tensor  # pairs × 2 sub-word ranges [first, end)
    tail_span: torch.Tensor
    between_span: torch.Tensor
    head_type: torch.Tensor
    tail_type: torch.Tensor
    dist: torch.Tensor
    order: torch.Tensor
    labels: torch.Tensor
    refs: list[tuple[int, int]]  # (example index within the batch, pair index)

    def to(self, device: str) -> PairBatch:
        """The batch with its tensors on `device` (pinned copies on a GPU)."""
        if device == "cpu":
            return self
        from pipeline.device import to_device

        moved = {f.name: to_device(getattr(self, f.name), device) for f in fields(self) if f.name != "refs"}
        return PairBatch(**moved, refs=self.refs)


def encode_pairs(
    tokenizer,
    examples: Sequence[PairExample],
    relation_index: dict[str, int],
    type_index: dict[str, int],
    max_pieces: int,
) -> PairBatch:
    enc = tokenizer(
        [list(e.words) for e in examples],
        is_split_into_words=True,
        truncation=True,
        max_length=max_pieces,
        padding=True,
        return_tensors="pt",
    )
    shapes = torch.zeros_like(enc["input_ids"])
    cols: dict[str, list] = {k: [] for k in ("b", "h", "t", "w", "ht", "tt", "d", "o", "y")}
    refs = []
    for b, ex in enumerate(examples):
        word_ids = enc.word_ids(b)
        first: dict[int, int] = {}
        last: dict[int, int] = {}
        for pos, w in enumerate(word_ids):
            if w is None:
                continue
            shapes[b, pos] = word_shape(ex.words[w])
            first.setdefault(w, pos)
            last[w] = pos

        def piece_span(
            w0: int, w1: int, first: dict[int, int] = first, last: dict[int, int] = last
        ) -> list[int]:
            inside = [w for w in range(w0, w1) if w in first]
            return [first[inside[0]], last[inside[-1]] + 1] if inside else [0, 0]

        for p, (a, c, label) in enumerate(ex.pairs):
            ha, hb, ht = ex.entities[a]
            ta, tb, tt = ex.entities[c]
            if ha not in first or ta not in first:
                continue  # a mention beyond the truncated window: not scored here
            lo, hi = (hb, ta) if ha < ta else (tb, ha)
            cols["b"].append(b)
            cols["h"].append(piece_span(ha, hb))
            cols["t"].append(piece_span(ta, tb))
            cols["w"].append(piece_span(lo, hi))
            cols["ht"].append(type_index.get(ht, 0))
            cols["tt"].append(type_index.get(tt, 0))
            cols["d"].append(distance_bucket(max(0, hi - lo)))
            cols["o"].append(1.0 if ha < ta else 0.0)
            cols["y"].append(relation_index.get(label, 0))
            refs.append((b, p))

    def tensor(values: list, dtype: torch.dtype) -> torch.Tensor:
        return torch.tensor(values, dtype=dtype) if values else torch.zeros((0,), dtype=dtype)

    def spans(values: list) -> torch.Tensor:
        return torch.tensor(values, dtype=torch.long) if values else torch.zeros((0, 2), dtype=torch.long)

    return PairBatch(
        input_ids=enc["input_ids"],
        attention_mask=enc["attention_mask"],
        shapes=shapes,
        batch_index=tensor(cols["b"], torch.long),
        head_span=spans(cols["h"]),
        tail_span=spans(cols["t"]),
        between_span=spans(cols["w"]),
        head_type=tensor(cols["ht"], torch.long),
        tail_type=tensor(cols["tt"], torch.long),
        dist=tensor(cols["d"], torch.long),
        order=tensor(cols["o"], torch.float32),
        labels=tensor(cols["y"], torch.long),
        refs=refs,
    )
