"""CrossNER politics: one document per sentence, lossless IOB2 round trip, and its types mapped into the schema."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import Config
from pipeline.gold import store
from pipeline.gold.conll2003 import sentence_token_span
from pipeline.gold.format import spans_to_tags
from pipeline.gold.refine import is_country_name
from pipeline.gold.spec import load_spec
from tests.conftest import gold_docs

CORPUS = "crossner-politics"
SPLITS = ["train", "dev", "test"]


def _original_sentences(path: Path) -> list[tuple[list[str], list[str]]]:
    sentences, tokens, tags = [], [], []
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if line.strip():
            token, tag = line.split("\t")
            tokens.append(token)
            tags.append(tag)
        elif tokens:
            sentences.append((tokens, tags))
            tokens, tags = [], []
    return sentences


@pytest.mark.data
@pytest.mark.parametrize("split", SPLITS)
def test_round_trip_is_lossless(config: Config, split: str) -> None:
    docs = gold_docs(config, CORPUS, split)
    spec = load_spec(config, CORPUS)
    original = _original_sentences(spec.source(store.data_dir(config)) / spec.splits[split])
    assert len(docs) == len(original)
    for doc, (tokens, tags) in zip(docs, original, strict=True):
        assert len(doc.sentences) == 1
        assert [doc.text[s:e] for s, e in doc.tokens] == tokens
        spans = [
            (first, end, m.orig) for m in doc.mentions for _, first, end in [sentence_token_span(doc, m)]
        ]
        assert spans_to_tags(len(tokens), spans, "iob2") == tags, doc.id


@pytest.mark.data
@pytest.mark.parametrize("split", SPLITS)
def test_mapping_into_the_schema(config: Config, split: str) -> None:
    docs = gold_docs(config, CORPUS, split)
    assert [d.id for d in docs] == [f"{CORPUS}-{split}-{n:04d}" for n in range(len(docs))]
    for doc in docs:
        for m in doc.mentions:
            assert (m.label is None) == (m.orig in {"election", "event", "misc"}), (doc.id, m)
            if m.orig == "location":
                assert (m.label == "COUNTRY") == is_country_name(config, m.text), (doc.id, m)
            if m.orig in {"politician", "person"}:
                assert m.label == "PERSON"
            if m.orig in {"organisation", "politicalparty"}:
                assert m.label == "ORG"
