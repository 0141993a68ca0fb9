"""The transformer NER tagger: MiniLM encoder + word-shape features + a BIO tag layer, word-level decisions.

The encoder's tokenizer lowercases everything, so capitalisation, the strongest single cue for names, is lost
before the model sees the text. It comes back as a word-shape embedding (lower, Title, UPPER, mixed, digits,
punctuation, ...) added to the input embeddings of every sub-word of the word (initialised to zero, so training
starts from the pretrained encoder unchanged) and concatenated to the output before the tag layer.

A word's tag is read at its first sub-word. Sequences longer than the window are cut into overlapping windows;
each word takes its prediction from the window in which it sits furthest from an edge, and the number of windows
is reported, so nothing is silently truncated.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import nn

from pipeline.gold.format import GoldDocument, GoldMention, spans_to_tags, tags_to_spans

SHAPES = ("pad", "lower", "title", "upper", "mixed", "digit", "alnum", "punct", "other")
_WORD_RE = re.compile(
    r"(?:[^\W\d_]\.){2,}"  # U.S., U.N.
    r"|\w+(?:['’](?![sS]\b)\w+)*"  # words, O'Brien, don't (not a possessive 's); hyphens split: Madrid-based
    r"|['’][sS]\b"  # the possessive 's, a word of its own, as in the annotation
    r"|[^\w\s]",
    re.UNICODE,
)


def word_shape(word: str) -> int:
    if word.isalpha():
        if word.islower():
            return 1
        if word.isupper():
            return 3 if len(word) > 1 else 2
        if word[0].isupper() and word[1:].islower():
            return 2
        return 4
    if word.isdigit():
        return 5
    if any(c.isalnum() for c in word):
        return 6 if word[:1].isupper() or any(c.isdigit() for c in word) else 4
    if all(not c.isalnum() for c in word):
        return 7
    return 8


def split_words(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Word spans of `text[start:end]` for texts that come untokenised."""
    end = len(text) if end is None else end
    return [(m.start() + start, m.end() + start) for m in _WORD_RE.finditer(text[start:end])]


@dataclass(frozen=True)
class Example:
    """One sequence of words (a sentence) with BIO tags; `spans` are the words' char offsets in `doc_id`'s text."""

    doc_id: str
    words: tuple[str, ...]
    spans: tuple[tuple[int, int], ...]
    tags: tuple[str, ...] = ()


def examples_from_doc(doc: GoldDocument, labels: str = "schema") -> list[Example]:
    """Sentence examples with BIO tags from a canonical document (its tokens, else regex words)."""
    if doc.tokens:
        word_spans = list(doc.tokens)
    else:
        word_spans = []
        for s, e in doc.sentences or [(0, len(doc.text))]:
            word_spans.extend(split_words(doc.text, s, e))
    starts = {s: k for k, (s, _) in enumerate(word_spans)}
    ends = {e: k + 1 for k, (_, e) in enumerate(word_spans)}
    spans = []
    for m in doc.mentions:
        label = m.label if labels == "schema" else m.orig
        if label and m.start in starts and m.end in ends:
            spans.append((starts[m.start], ends[m.end], label))
    spans = _non_overlapping(spans)
    tags = spans_to_tags(len(word_spans), spans, "iob2")
    out = []
    for s0, s1 in doc.sentences or [(0, len(doc.text))]:
        idx = [k for k, (a, b) in enumerate(word_spans) if a >= s0 and b <= s1]
        if idx:
            out.append(
                Example(
                    doc.id,
                    tuple(doc.text[word_spans[k][0] : word_spans[k][1]] for k in idx),
                    tuple(word_spans[k] for k in idx),
                    tuple(tags[k] for k in idx),
                )
            )
    return out


def _non_overlapping(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Keep the longest of nested or overlapping spans (BIO cannot express nesting)."""
    kept: list[tuple[int, int, str]] = []
    for s in sorted(spans, key=lambda x: (-(x[1] - x[0]), x[0])):
        if all(s[1] <= k[0] or s[0] >= k[1] for k in kept):
            kept.append(s)
    return sorted(kept)


class NerTagger(nn.Module):
    def __init__(
        self, encoder: nn.Module, tags: Sequence[str], shape_dim: int = 32, dropout: float = 0.1
    ) -> None:
        super().__init__()
        self.encoder = encoder
        self.tags = list(tags)
        hidden = encoder.config.hidden_size
        self.shape_in = nn.Embedding(len(SHAPES), hidden, padding_idx=0)
        nn.init.zeros_(self.shape_in.weight)
        self.shape_out = nn.Embedding(len(SHAPES), shape_dim, padding_idx=0)
        self.dropout = nn.Dropout(dropout)
        self.out = nn.Linear(hidden + shape_dim, len(self.tags))

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, shapes: torch.Tensor
    ) -> torch.Tensor:
        embeds = self.encoder.embeddings.word_embeddings(input_ids) + self.shape_in(shapes)
        hidden = self.encoder(inputs_embeds=embeds, attention_mask=attention_mask).last_hidden_state
        features = torch.cat([hidden, self.shape_out(shapes)], dim=-1)
        return self.out(self.dropout(features))


class Encoded:
    """A batch of examples as sub-word tensors, with the index of each word's first sub-word."""

    def __init__(
        self, tokenizer, examples: Sequence[Example], tag_index: dict[str, int] | None, max_len: int
    ):
        enc = tokenizer(
            [list(e.words) for e in examples],
            is_split_into_words=True,
            truncation=True,
            max_length=max_len,
            padding=True,
            return_tensors="pt",
        )
        self.input_ids = enc["input_ids"]
        self.attention_mask = enc["attention_mask"]
        self.shapes = torch.zeros_like(self.input_ids)
        self.labels = torch.full_like(self.input_ids, -100)
        self.first: list[list[int]] = []  # per example: sub-word position of each word's first piece, or -1
        for b, ex in enumerate(examples):
            word_ids = enc.word_ids(b)
            first = [-1] * len(ex.words)
            for pos, w in enumerate(word_ids):
                if w is None:
                    continue
                self.shapes[b, pos] = word_shape(ex.words[w])
                if first[w] == -1:
                    first[w] = pos
                    if tag_index is not None and ex.tags:
                        self.labels[b, pos] = tag_index[ex.tags[w]]
            self.first.append(first)


def windows(n_pieces: Sequence[int], max_pieces: int, stride: int) -> list[tuple[int, int]]:
    """Word ranges [a, b) covering all words, each within `max_pieces` sub-words, overlapping by ~`stride`."""
    out: list[tuple[int, int]] = []
    a = 0
    n = len(n_pieces)
    while a < n:
        total, b = 0, a
        while b < n and total + n_pieces[b] <= max_pieces:
            total += n_pieces[b]
            b += 1
        b = max(b, a + 1)
        out.append((a, b))
        if b >= n:
            break
        back, k = 0, b
        while k > a + 1 and back + n_pieces[k - 1] <= stride:
            back += n_pieces[k - 1]
            k -= 1
        a = k
    return out


def decode(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    return tags_to_spans(tags, "iob2")


def to_mentions(text: str, spans: Sequence[tuple[int, int]], tags: Sequence[str]) -> list[GoldMention]:
    out = []
    for a, b, label in decode(tags):
        start, end = spans[a][0], spans[b - 1][1]
        out.append(GoldMention(start=start, end=end, text=text[start:end], orig=label, label=label))
    return out
