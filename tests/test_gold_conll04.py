"""CoNLL04: the canonical form gives back the original BILOU tags and relations exactly (lossless round trip)."""

from __future__ import annotations

import json

import pytest

from pipeline.config import Config
from pipeline.gold import store
from pipeline.gold.format import spans_to_tags
from tests.conftest import gold_docs


@pytest.mark.data
@pytest.mark.parametrize("split", ["train", "dev", "test"])
def test_round_trip_to_the_original_tags(config: Config, split: str) -> None:
    docs = gold_docs(config, "conll04", split)
    original = json.loads(
        (store.data_dir(config) / "conll04" / "tablert_format" / f"conll04_{split}.json").read_text()
    )
    assert len(docs) == len(original)
    for doc, rec in zip(docs, original, strict=True):
        tokens = [doc.text[s:e] for s, e in doc.tokens]
        assert tokens == rec["tokens"]
        starts = {s: k for k, (s, _) in enumerate(doc.tokens)}
        ends = {e: k + 1 for k, (_, e) in enumerate(doc.tokens)}
        spans = [(starts[m.start], ends[m.end], m.orig) for m in doc.mentions]
        assert spans_to_tags(len(tokens), spans, "bilou") == rec["tags"], doc.id
        # relations index entities in left-to-right order, as the mentions are
        assert [(r.head, r.tail, r.orig) for r in doc.relations] == [
            (r["head"], r["tail"], r["type"]) for r in rec["relations"]
        ]


@pytest.mark.data
def test_schema_mapping(config: Config) -> None:
    docs = gold_docs(config, "conll04", "dev")
    labels = {(m.orig, m.label) for d in docs for m in d.mentions}
    assert ("Other", None) in labels and ("Peop", "PERSON") in labels
    assert ("Loc", "COUNTRY") in labels and ("Loc", "LOC") in labels  # sovereign states become COUNTRY
    rels = {(r.orig, r.label) for d in docs for r in d.relations}
    assert ("Kill", None) in rels and ("Work_For", "works_for") in rels
    for d in docs:  # a mapped relation always has schema-allowed argument types
        for r in d.relations:
            if r.label:
                assert config.schema.is_allowed(r.label, d.mentions[r.head].label, d.mentions[r.tail].label)
