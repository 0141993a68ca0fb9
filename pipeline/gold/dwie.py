"""DWIE (Zaporojets et al. 2021), Deutsche Welle news, in the DocRED format of LogiRE/MILR with fine types.

Source: `dwie/docred_format/{dev,test}_with_fine_types.json` (see `pipeline.gold.docred` for the format), plus
`vertexFineTypes`: per entity the aligned official DWIE concept `{concept, tags: ["type::..."], link}`, or null
for the few entities whose alignment was ambiguous.

Text: each document is one token list (its paragraph breaks are "\\n" tokens), joined by single spaces; the
sentences are redone with spaCy's rule-based sentencizer over those tokens (its default punctuation plus
`[sentencizer] extra_punct_chars`), without the whitespace tokens at their edges.

Labels, two sets: `orig` is the mention's coarse DocRED type (`type::location`, `type::organization`, ... the
benchmark's own NER label set); the schema label comes from one fine type per entity, the first tag of
`[fine_type_priority] order` that the entity carries (`type::gpe0` before `type::agency` ... before
`type::location`), mapped by `[entities]`. An entity with no aligned fine types falls back to its coarse type
(the most frequent over its mentions); an aligned entity with none of the listed tags (values, roles, events,
demonyms such as the `gpe0-x` "German") has no schema label. Per entity, `meta["fine_types"]` and
`meta["links"]` (Wikipedia title) are lists indexed by `cluster`.

Relations: entity-level, between the first mentions of the two entities (`pipeline.gold.docred`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.pipeline import Sentencizer
from spacy.tokens import Doc

from pipeline.config import Config
from pipeline.errors import ConfigError
from pipeline.gold.docred import build_document, read_documents
from pipeline.gold.format import GoldDocument, TextBuilder
from pipeline.gold.refine import Mapper
from pipeline.gold.spec import CorpusSpec


def make_sentencizer(extra_punct_chars: Sequence[str]) -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe(
        "sentencizer", config={"punct_chars": [*Sentencizer.default_punct_chars, *extra_punct_chars]}
    )
    return nlp


def split_sentences(nlp: Language, words: Sequence[str]) -> list[tuple[int, int]]:
    """Token ranges `[first, end)` of the sentences of a token list, trimmed of whitespace tokens; a run of
    whitespace tokens alone is no sentence."""
    doc = nlp(Doc(nlp.vocab, words=list(words)))
    ranges = []
    for sent in doc.sents:
        first, end = sent.start, sent.end
        while first < end and not words[first].strip():
            first += 1
        while end > first and not words[end - 1].strip():
            end -= 1
        if first < end:
            ranges.append((first, end))
    return ranges


def choose_fine_type(fine: dict[str, Any] | None, order: Sequence[str]) -> str | None:
    """The first tag of `order` that the entity carries; None when it carries none of them."""
    tags = set(fine.get("tags") or ()) if fine else set()
    return next((tag for tag in order if tag in tags), None)


def _priority(spec: CorpusSpec) -> list[str]:
    order = list(spec.raw.get("fine_type_priority", {}).get("order", ()))
    if not order:
        raise ConfigError(f"configs/gold/{spec.name}.toml: [fine_type_priority] order is missing")
    unmapped = [tag for tag in order if tag not in spec.entities]
    if unmapped:
        raise ConfigError(f"configs/gold/{spec.name}.toml: fine types {unmapped} are not in [entities]")
    return order


def convert(root: Path, split: str, spec: CorpusSpec, config: Config) -> Iterator[GoldDocument]:
    mapper = Mapper(spec, config)
    order = _priority(spec)
    nlp = make_sentencizer(spec.raw.get("sentencizer", {}).get("extra_punct_chars", ()))
    for rec in read_documents(root / spec.splits[split]):
        words = [token for sentence in rec["sents"] for token in sentence]
        builder = TextBuilder()
        builder.add_sentence(words)
        ranges = split_sentences(nlp, words)
        sentence_of_token = [0] * len(words)
        for k, (first, _) in enumerate(ranges):
            # whitespace tokens between two sentences go with the one before; no mention starts on them
            stop = ranges[k + 1][0] if k + 1 < len(ranges) else len(words)
            sentence_of_token[first:stop] = [k] * (stop - first)
        fine_types = rec.get("vertexFineTypes") or [None] * len(rec["vertexSet"])
        chosen = [choose_fine_type(fine, order) for fine in fine_types]
        # the coarse type stands in only where DWIE's own types could not be aligned
        label_keys = [
            Counter(m["type"] for m in entity).most_common(1)[0][0] if fine is None else tag
            for entity, fine, tag in zip(rec["vertexSet"], fine_types, chosen, strict=True)
        ]
        yield build_document(
            rec,
            builder,
            doc_id=f"{spec.name}-{split}-{rec['title']}",
            split=split,
            spec=spec,
            mapper=mapper,
            sentences=[builder.span(first, end) for first, end in ranges],
            sentence_of_token=sentence_of_token,
            label_keys=label_keys,
            meta={
                "title": rec["title"],
                "fine_types": chosen,
                "links": [fine.get("link") if fine else None for fine in fine_types],
            },
        )
