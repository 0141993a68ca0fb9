"""The canonical gold format: one document per JSONL line.

Offsets are character offsets into `GoldDocument.text`, half-open `[start, end)`. A mention keeps the corpus's own
label (`orig`) and its label in the news schema (`label`, None where the schema has no counterpart, e.g. MISC).
A relation names its arguments by mention index; `orig` is the corpus's relation label and `label` the schema's
(None where unmapped). Document-level corpora (DWIE, Re-DocRED) also give each mention its entity `cluster`, and
their relations point at the first mention of each cluster.

Corpora that come tokenised keep their tokens as `[start, end)` offsets, so a conversion can be undone exactly
(the round-trip checks) and token-level metrics can be computed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pipeline.errors import DataError


@dataclass(frozen=True, slots=True)
class GoldMention:
    start: int
    end: int
    text: str
    orig: str  # the corpus's own label
    label: str | None = None  # the news-schema label, None where unmapped
    sentence: int | None = None  # index into GoldDocument.sentences
    cluster: int | None = None  # entity id within the document (document-level corpora)


@dataclass(frozen=True, slots=True)
class GoldRelation:
    head: int  # index into GoldDocument.mentions
    tail: int
    orig: str
    label: str | None = None


@dataclass(frozen=True, slots=True)
class GoldDocument:
    id: str
    dataset: str
    split: str
    text: str
    sentences: tuple[tuple[int, int], ...] = ()
    mentions: tuple[GoldMention, ...] = ()
    relations: tuple[GoldRelation, ...] = ()
    tokens: tuple[tuple[int, int], ...] = ()  # token offsets, for corpora that come tokenised
    meta: dict[str, Any] = field(default_factory=dict)

    def check(self) -> None:
        """Raise DataError unless every offset is in range and every mention slices exactly to its text."""
        n = len(self.text)
        for kind, spans in (("sentence", self.sentences), ("token", self.tokens)):
            for s, e in spans:
                if not 0 <= s <= e <= n:
                    raise DataError(f"{self.id}: {kind} span [{s}, {e}) outside the text (length {n})")
        for i, m in enumerate(self.mentions):
            if not 0 <= m.start < m.end <= n:
                raise DataError(f"{self.id}: mention {i} [{m.start}, {m.end}) outside the text (length {n})")
            if self.text[m.start : m.end] != m.text:
                raise DataError(
                    f"{self.id}: mention {i} [{m.start}, {m.end}) slices to "
                    f"{self.text[m.start : m.end]!r}, not {m.text!r}"
                )
            if m.sentence is not None and not 0 <= m.sentence < len(self.sentences):
                raise DataError(
                    f"{self.id}: mention {i} names sentence {m.sentence} of {len(self.sentences)}"
                )
        for i, r in enumerate(self.relations):
            if not (0 <= r.head < len(self.mentions) and 0 <= r.tail < len(self.mentions)):
                raise DataError(f"{self.id}: relation {i} names a mention that does not exist")

    def to_record(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "dataset": self.dataset,
            "split": self.split,
            "text": self.text,
            "sentences": [list(s) for s in self.sentences],
            "tokens": [list(t) for t in self.tokens],
            "mentions": [
                {
                    "start": m.start,
                    "end": m.end,
                    "text": m.text,
                    "label": m.label,
                    "orig": m.orig,
                    "sentence": m.sentence,
                    "cluster": m.cluster,
                }
                for m in self.mentions
            ],
            "relations": [
                {"head": r.head, "tail": r.tail, "label": r.label, "orig": r.orig} for r in self.relations
            ],
            "meta": self.meta,
        }

    @classmethod
    def from_record(cls, rec: dict[str, Any]) -> GoldDocument:
        return cls(
            id=rec["id"],
            dataset=rec["dataset"],
            split=rec["split"],
            text=rec["text"],
            sentences=tuple((s, e) for s, e in rec.get("sentences", ())),
            tokens=tuple((s, e) for s, e in rec.get("tokens", ())),
            mentions=tuple(GoldMention(**m) for m in rec.get("mentions", ())),
            relations=tuple(GoldRelation(**r) for r in rec.get("relations", ())),
            meta=rec.get("meta") or {},
        )


class TextBuilder:
    """Builds a document's text from tokens, one sentence at a time, recording token and sentence offsets.

    Tokens are joined by one space and sentences by `sentence_sep`, so every token keeps its exact surface form
    and a mention over tokens `[i, j)` is `text[tokens[i][0]:tokens[j - 1][1]]`.
    """

    def __init__(self, sentence_sep: str = "\n") -> None:
        self.sep = sentence_sep
        self.parts: list[str] = []
        self.length = 0
        self.tokens: list[tuple[int, int]] = []
        self.sentences: list[tuple[int, int]] = []
        self.sentence_first_token: list[int] = []

    def add_sentence(self, tokens: Sequence[str]) -> int:
        """Append one sentence; returns the index of its first token in the document."""
        if self.sentences:
            self.parts.append(self.sep)
            self.length += len(self.sep)
        first = len(self.tokens)
        start = self.length
        for k, tok in enumerate(tokens):
            if k:
                self.parts.append(" ")
                self.length += 1
            self.tokens.append((self.length, self.length + len(tok)))
            self.parts.append(tok)
            self.length += len(tok)
        self.sentences.append((start, self.length))
        self.sentence_first_token.append(first)
        return first

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def document(
        self,
        doc_id: str,
        spec_name: str,
        split: str,
        mentions: Sequence[GoldMention],
        relations: Sequence[GoldRelation] = (),
        meta: dict[str, Any] | None = None,
    ) -> GoldDocument:
        """The built text as a canonical document with its sentence and token offsets."""
        return GoldDocument(
            id=doc_id,
            dataset=spec_name,
            split=split,
            text=self.text,
            sentences=tuple(self.sentences),
            tokens=tuple(self.tokens),
            mentions=tuple(mentions),
            relations=tuple(relations),
            meta=meta or {},
        )

    def span(self, first_token: int, end_token: int) -> tuple[int, int]:
        """Character span of document tokens `[first_token, end_token)`."""
        return self.tokens[first_token][0], self.tokens[end_token - 1][1]


def tags_to_spans(tags: Sequence[str], scheme: str = "iob2") -> list[tuple[int, int, str]]:
    """Token spans `(start, end_exclusive, type)` from BIO tags.

    `scheme` is "iob2" (every span starts with B-), "iob1" (B- only between two adjacent spans of one type, as in
    the original CoNLL-2003 files) or "bilou" (B/I/L/U, as in the TablERT CoNLL04 files). An I- tag that cannot
    continue the open span starts a new one, as seqeval and conlleval read it.
    """
    spans: list[tuple[int, int, str]] = []
    start, kind = None, None
    for i, tag in enumerate([*tags, "O"]):
        prefix, _, typ = tag.partition("-")
        if scheme == "bilou":
            prefix = {"U": "B", "L": "I"}.get(prefix, prefix)
        begins = prefix == "B" or (prefix == "I" and (kind != typ or start is None))
        if kind is not None and (tag == "O" or begins):
            spans.append((start, i, kind))
            start, kind = None, None
        if tag != "O" and begins:
            start, kind = i, typ
        if scheme == "bilou" and tag[:1] in "UL" and kind is not None:
            spans.append((start, i + 1, kind))
            start, kind = None, None
    return spans


def spans_to_tags(n: int, spans: Iterable[tuple[int, int, str]], scheme: str = "iob2") -> list[str]:
    """The inverse of `tags_to_spans` for non-overlapping spans."""
    tags = ["O"] * n
    ordered = sorted(spans)
    prev_end, prev_type = -1, None
    for s, e, typ in ordered:
        if scheme == "bilou":
            if e - s == 1:
                tags[s] = f"U-{typ}"
            else:
                tags[s] = f"B-{typ}"
                tags[s + 1 : e - 1] = [f"I-{typ}"] * (e - s - 2)
                tags[e - 1] = f"L-{typ}"
        else:
            first = "B" if scheme == "iob2" or (s == prev_end and typ == prev_type) else "I"
            tags[s] = f"{first}-{typ}"
            tags[s + 1 : e] = [f"I-{typ}"] * (e - s - 1)
        prev_end, prev_type = e, typ
    return tags
