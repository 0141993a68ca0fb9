"""CoNLL-2003 English NER and CoNLL++ (its corrected test set): one GoldDocument per `-DOCSTART-` document.

Reads column files (`token POS chunk NE`, one token a line, a blank line between sentences). The tag scheme comes
from the corpus config (`scheme`: "iob1" for the original `eng.*` files, "iob2" for CoNLL++). Each document's
sentences are joined with `TextBuilder` (tokens by one space, sentences by a newline), so token offsets, and with
them the original tag column, can be restored exactly; the POS and chunk columns are kept in `meta`.

Document ids are `<corpus>-<split>-<NNNN>`, numbered from 0 in file order. A corpus whose documents are those of
another (CoNLL++ test is eng.testb with corrected tags) names that corpus in `reviewed_list`; its documents then
use the other corpus's reviewed standoff list, looked up under the other corpus's document ids, which they record
in `meta["review_id"]`.

`read_columns` and `make_document` also serve other column corpora (see `crossner.py`).
"""

from __future__ import annotations

import bisect
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.config import Config
from pipeline.gold.format import GoldDocument, GoldMention, TextBuilder, tags_to_spans
from pipeline.gold.refine import Mapper
from pipeline.gold.spec import CorpusSpec

logger = logging.getLogger(__name__)

DOCSTART = "-DOCSTART-"


@dataclass(frozen=True, slots=True)
class Sentence:
    rows: tuple[tuple[str, ...], ...]  # the columns of each token line
    line: int  # line number of the first token, for messages

    @property
    def tokens(self) -> list[str]:
        return [row[0] for row in self.rows]

    @property
    def tags(self) -> list[str]:
        return [row[-1] for row in self.rows]

    def column(self, k: int) -> list[str]:
        return [row[k] for row in self.rows]


def read_columns(path: Path, sep: str = " ", columns: int | None = None) -> list[list[Sentence]]:
    """Documents, each a list of sentences, from a CoNLL column file.

    `-DOCSTART-` lines separate documents. The original distribution opens each document with one; the copy of
    eng.* we read closes each document with one instead (the first document has none and the file ends with one),
    so both layouts are read by treating the line as a separator and dropping empty documents. A file without any
    is one document. A sentence with a line that does not have `columns` columns is logged and skipped.
    """
    docs: list[list[Sentence]] = [[]]
    rows: list[tuple[str, ...]] = []
    first_line = 0
    bad = False

    def close_sentence() -> None:
        nonlocal rows, bad
        if rows and not bad:
            docs[-1].append(Sentence(tuple(rows), first_line))
        elif bad:
            logger.warning(
                "%s:%d: sentence skipped: a line does not have %s columns", path, first_line, columns
            )
        rows, bad = [], False

    with path.open(encoding="utf-8") as f:
        for lineno, raw in enumerate(f, 1):
            line = raw.rstrip("\r\n")
            if line.startswith(DOCSTART):
                close_sentence()
                docs.append([])
            elif not line.strip():
                close_sentence()
            else:
                if not rows:
                    first_line = lineno
                row = tuple(line.split(sep))
                bad = bad or (columns is not None and len(row) != columns)
                rows.append(row)
    close_sentence()
    return [doc for doc in docs if doc]


def make_document(
    doc_id: str,
    spec: CorpusSpec,
    split: str,
    sentences: Sequence[Sentence],
    mapper: Mapper,
    scheme: str,
    review_id: str | None = None,
    meta: dict[str, Any] | None = None,
) -> GoldDocument:
    """One GoldDocument from tagged sentences. Mentions are mapped with the key
    `(review_id, sentence index, first token, end token)`, token indices counted within the sentence."""
    builder = TextBuilder()
    spans: list[tuple[int, int, int, str]] = []  # sentence, first token, end token (within it), corpus label
    for k, sent in enumerate(sentences):
        builder.add_sentence(sent.tokens)
        spans.extend((k, s, e, orig) for s, e, orig in tags_to_spans(sent.tags, scheme))
    text = builder.text
    mentions = []
    for k, s, e, orig in spans:
        first = builder.sentence_first_token[k]
        start, end = builder.span(first + s, first + e)
        label = mapper.entity(orig, text[start:end], (review_id or doc_id, k, s, e))
        mentions.append(GoldMention(start, end, text[start:end], orig, label, sentence=k))
    return builder.document(doc_id, spec.name, split, mentions, meta=meta)


def sentence_token_span(doc: GoldDocument, mention: GoldMention) -> tuple[int, int, int]:
    """(sentence index, first token, end token) of a mention, tokens counted within its sentence: the key of the
    reviewed lists and of the round trip back to tags."""
    starts = [s for s, _ in doc.tokens]
    first = bisect.bisect_left(starts, mention.start)
    end = bisect.bisect_left(starts, mention.end)  # tokens are separated, so none starts inside the mention
    sentence = mention.sentence if mention.sentence is not None else 0
    sent_first = bisect.bisect_left(starts, doc.sentences[sentence][0])
    return sentence, first - sent_first, end - sent_first


def convert(root: Path, split: str, spec: CorpusSpec, config: Config) -> Iterator[GoldDocument]:
    mapper = Mapper(spec, config)
    scheme = spec.raw.get("scheme", "iob1")
    reviewed = spec.raw.get("reviewed_list", spec.name)
    for n, sentences in enumerate(read_columns(root / spec.splits[split], sep=" ", columns=4)):
        doc_id = f"{spec.name}-{split}-{n:04d}"
        review_id = f"{reviewed}-{split}-{n:04d}"
        meta: dict[str, Any] = {
            "pos": [tag for sent in sentences for tag in sent.column(1)],
            "chunk": [tag for sent in sentences for tag in sent.column(2)],
        }
        if review_id != doc_id:
            meta["review_id"] = review_id
        yield make_document(doc_id, spec, split, sentences, mapper, scheme, review_id, meta)
