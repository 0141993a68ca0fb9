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

import numpy as np
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
        return self.tag(self.encode(input_ids, attention_mask, shapes), shapes)

    def encode(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, shapes: torch.Tensor
    ) -> torch.Tensor:
        """The encoder's last hidden states (batch × sub-words × hidden), shape embeddings added to the input."""
        embeds = self.encoder.embeddings.word_embeddings(input_ids) + self.shape_in(shapes)
        return self.encoder(inputs_embeds=embeds, attention_mask=attention_mask).last_hidden_state

    def tag(self, hidden: torch.Tensor, shapes: torch.Tensor) -> torch.Tensor:
        """Tag logits from encoded states (so another head can share the same encoder pass)."""
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
        self.last: list[list[int]] = []  # ... and of its last piece, or -1
        for b, ex in enumerate(examples):
            word_ids = enc.word_ids(b)
            first = [-1] * len(ex.words)
            last = [-1] * len(ex.words)
            self.last.append(last)
            for pos, w in enumerate(word_ids):
                if w is None:
                    continue
                self.shapes[b, pos] = word_shape(ex.words[w])
                last[w] = pos
                if first[w] == -1:
                    first[w] = pos
                    if tag_index is not None and ex.tags:
                        self.labels[b, pos] = tag_index[ex.tags[w]]
            self.first.append(first)


def piece_counts(tokenizer, examples: Sequence[Example]) -> list[list[int]]:
    """Sub-words of each word of each example (at least 1), from one call of the (Rust) tokenizer over the
    distinct words. A fast tokenizer's backend is called directly: the wrapper's conversion of each word's
    encoding to Python lists took most of the time."""
    flat = [w for ex in examples for w in ex.words]
    distinct = list(dict.fromkeys(flat))
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is not None:
        backend.no_truncation()  # the wrapper sets both again before each of its own calls
        backend.no_padding()
        lengths = [len(e.ids) for e in backend.encode_batch(distinct, add_special_tokens=False)]
    else:
        lengths = (
            [len(ids) for ids in tokenizer(distinct, add_special_tokens=False)["input_ids"]] if flat else []
        )
    size = {w: max(1, n) for w, n in zip(distinct, lengths, strict=True)}
    counts = [size[w] for w in flat]
    out, at = [], 0
    for ex in examples:
        out.append(counts[at : at + len(ex.words)])
        at += len(ex.words)
    return out


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


def transitions(tags: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Log-space masks of valid BIO moves: `start[j]` (tag j may open a sequence) and `move[i, j]` (tag j may
    follow tag i). `I-X` may only follow `B-X` or `I-X`; everything else is allowed."""
    n = len(tags)
    start = np.zeros(n)
    move = np.zeros((n, n))
    for j, t in enumerate(tags):
        if t.startswith("I-"):
            start[j] = -np.inf
            for i, prev in enumerate(tags):
                if prev[2:] != t[2:] or prev == "O":
                    move[i, j] = -np.inf
    return start, move


def viterbi(log_probs: np.ndarray, start: np.ndarray, move: np.ndarray) -> list[int]:
    """The most probable tag sequence (words × tags log-probabilities) among the valid BIO sequences.

    Reading each word's most probable tag on its own yields sequences such as B-ORG I-ORG I-AGENCY, which
    decode as two names of different types cut in the middle of one; the constrained path keeps one type."""
    n = len(log_probs)
    if n == 0:
        return []
    score = log_probs[0] + start
    back = np.zeros((n, log_probs.shape[1]), dtype=np.int64)
    for w in range(1, n):
        total = score[:, None] + move
        back[w] = total.argmax(0)
        score = total[back[w], np.arange(total.shape[1])] + log_probs[w]
    path = [int(score.argmax())]
    for w in range(n - 1, 0, -1):
        path.append(int(back[w, path[-1]]))
    return path[::-1]


def span_type(log_probs: np.ndarray, tags: Sequence[str], a: int, b: int) -> str:
    """The entity type under which words [a, b) are most probable as one name (B- then I- tags)."""
    best, best_type = -np.inf, ""
    index = {t: k for k, t in enumerate(tags)}
    for t in tags:
        if not t.startswith("B-"):
            continue
        label = t[2:]
        inside = index.get(f"I-{label}")
        score = log_probs[a, index[t]] + (log_probs[a + 1 : b, inside].sum() if inside is not None else 0.0)
        if score > best:
            best, best_type = score, label
    return best_type


TRAILING = frozenset(
    ["of", "and", "the", "for", "in", "on", "at", "to", "de", "la", "le", "du", "des", "del", "pour", "et"]
)


def trim_trailing(words: Sequence[str], spans: Sequence[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Spans without trailing lowercase function words: a name does not end in "of" or "and" ("Ministry of
    Public Security of China" cut between two names leaves `Ministry of Public Security of`)."""
    out = []
    for a, b, label in spans:
        while b - a > 1 and words[b - 1] in TRAILING:
            b -= 1
        out.append((a, b, label))
    return out


def merge_adjacent(
    spans: Sequence[tuple[int, int, str]],
    touching: Sequence[bool],
    log_probs: np.ndarray,
    tags: Sequence[str],
) -> list[tuple[int, int, str]]:
    """Names that follow each other with only a space between (`touching[w]`: word w is separated from word
    w - 1 by one space) joined into one, typed by `span_type`. The schema annotates the longest proper name,
    and a modifier inside a name stays inside ("Istanbul Police Department", not LOC + AGENCY); the news gold
    corpus has one pair of space-separated names in 2,189 training mentions."""
    out: list[tuple[int, int, str]] = []
    for a, b, label in spans:
        if out and out[-1][1] == a and touching[a]:
            a0 = out.pop()[0]
            out.append((a0, b, span_type(log_probs, tags, a0, b)))
        else:
            out.append((a, b, label))
    return out


def to_mentions(text: str, spans: Sequence[tuple[int, int]], tags: Sequence[str]) -> list[GoldMention]:
    out = []
    for a, b, label in decode(tags):
        start, end = spans[a][0], spans[b - 1][1]
        out.append(GoldMention(start=start, end=end, text=text[start:end], orig=label, label=label))
    return out
