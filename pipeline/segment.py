"""Sentences and tokens with spaCy. Texts longer than a piece size are processed in pieces cut at paragraph
(else line, else space) boundaries and joined back into one `Doc` whose text equals the input, so nothing is
truncated whatever spaCy's `max_length`.

Two segmenters over the same tokenizer:
- `parser`: the pipeline with its dependency parser, whose arcs give the sentences (the baseline's patterns read
  the arcs, and the canonical gold corpora are cut this way);
- `senter`: only the pipeline's own sentence recogniser (shipped disabled in `en_core_web_sm`), with a break after
  every line break, since a cleaned article keeps one paragraph per line. The model reads nothing but sentences
  and tokens, so it takes this one: 10 to 12 times faster than tok2vec + parser on the news gold dev articles,
  with the same tokens (`scripts/segmenter_check.py`; docs/benchmarks.md, "Speed on CPU").
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from pipeline.errors import ConfigError

logger = logging.getLogger(__name__)


SEGMENTERS = ("parser", "senter")


@Language.component("newsgraph_line_breaks")
def line_breaks(doc: Doc) -> Doc:
    """A sentence starts after every line break (cleaned text keeps one paragraph per line)."""
    for tok in doc[:-1]:
        if "\n" in (tok.text if tok.is_space else tok.whitespace_):
            doc[tok.i + 1].is_sent_start = True
    return doc


@lru_cache(maxsize=4)
def load_nlp(name: str, segmenter: str = "parser") -> Language:
    """The installed spaCy pipeline `name` (a package name or a path), loaded once per process: whole for the
    `parser` segmenter, else its tokenizer and sentence recogniser only (see the module's docstring)."""
    if segmenter not in SEGMENTERS:
        raise ConfigError(f"unknown segmenter {segmenter!r}; expected one of {', '.join(SEGMENTERS)}")
    try:
        nlp = spacy.load(name)
    except OSError as e:
        raise ConfigError(f"cannot load spaCy pipeline {name!r}: {e}") from None
    if segmenter == "parser":
        return nlp
    if "senter" not in nlp.component_names:
        raise ConfigError(f"spaCy pipeline {name!r} has no senter component; use segmenter 'parser'")
    for pipe in [p for p in nlp.component_names if p != "senter"]:
        nlp.remove_pipe(pipe)
    nlp.enable_pipe("senter")
    nlp.add_pipe("newsgraph_line_breaks", after="senter")
    return nlp


def split_text(text: str, max_chars: int) -> list[str]:
    """Pieces of at most `max_chars` whose concatenation is `text`, cut after a blank line if possible."""
    if len(text) <= max_chars:
        return [text]
    pieces: list[str] = []
    start = 0
    while len(text) - start > max_chars:
        window_end = start + max_chars
        cut = -1
        for sep in ("\n\n", "\n", ". ", " "):
            pos = text.rfind(sep, start + max_chars // 2, window_end)
            if pos != -1:
                cut = pos + len(sep)
                break
        if cut == -1:
            cut = window_end  # one unbroken run of characters: cut it, the tokens on both sides stay whole
        pieces.append(text[start:cut])
        start = cut
    pieces.append(text[start:])
    return pieces


def segment(
    nlp: Language,
    texts: Iterable[str],
    *,
    max_chars: int = 100_000,
    batch_size: int = 32,
    disable: Iterable[str] = (),
) -> Iterator[Doc]:
    """One parsed `Doc` per text, in order; long texts are parsed in pieces and joined."""
    buffered = (
        (piece, (n, len(pieces)))
        for n, text in enumerate(texts)
        for pieces in [split_text(text, max_chars)]
        for piece in pieces
    )
    parts: list[Doc] = []
    for doc, (_, n_pieces) in nlp.pipe(
        buffered, as_tuples=True, batch_size=batch_size, disable=list(disable)
    ):
        parts.append(doc)
        if len(parts) == n_pieces:
            yield parts[0] if n_pieces == 1 else join_docs(parts)
            parts = []


def join_docs(parts: list[Doc]) -> Doc:
    joined = Doc.from_docs(parts, ensure_whitespace=False)
    expected = "".join(p.text for p in parts)
    if joined.text != expected:
        raise RuntimeError("joining document pieces changed the text; offsets would be wrong")
    return joined


def sentence_spans(doc: Doc) -> list[tuple[int, int]]:
    """Character spans of the sentences, whitespace-only sentences left out."""
    return [(s.start_char, s.end_char) for s in doc.sents if s.text.strip()]
