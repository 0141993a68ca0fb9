"""Re-DocRED (DocRED format): entity clusters, entity-level relations, inverse properties, schema labels."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from pipeline.config import Config
from pipeline.gold import store
from pipeline.gold.docred import INVERSE
from pipeline.gold.spec import load_spec
from tests.conftest import gold_docs

pytestmark = pytest.mark.data

ENTITIES = {"dev": 9684, "test": 9779}  # re-docred/README.txt
SPLITS = list(ENTITIES)


def raw_records(config: Config, split: str) -> list[dict]:
    spec = load_spec(config, "redocred")
    path = spec.source(store.data_dir(config)) / spec.splits[split]
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("split", SPLITS)
def test_entities_and_mentions(config: Config, split: str) -> None:
    docs = gold_docs(config, "redocred", split)
    assert sum(len({m.cluster for m in d.mentions}) for d in docs) == ENTITIES[split]
    for doc, rec in zip(docs, raw_records(config, split), strict=True):
        assert doc.meta["title"] == rec["title"]
        assert len(doc.sentences) == len(rec["sents"])
        assert [doc.text[s:e] for s, e in doc.tokens] == [t for sent in rec["sents"] for t in sent]
        assert len(doc.mentions) == sum(len(e) for e in rec["vertexSet"])
        for m in doc.mentions:
            s, e = doc.sentences[m.sentence]
            assert s <= m.start < m.end <= e
            assert m.orig in {"PER", "ORG", "LOC", "TIME", "NUM", "MISC"}
            if m.orig in ("TIME", "NUM", "MISC"):
                assert m.label is None
            if m.label == "COUNTRY":
                assert m.orig == "LOC"


@pytest.mark.parametrize("split", SPLITS)
def test_relations_are_the_corpus_triples(config: Config, split: str) -> None:
    """Each corpus triple once, between first mentions; inverse properties swapped back give the corpus's."""
    for doc, rec in zip(gold_docs(config, "redocred", split), raw_records(config, split), strict=True):
        first: dict[int, int] = {}
        for i, m in enumerate(doc.mentions):
            first.setdefault(m.cluster, i)
        got = Counter()
        for r in doc.relations:
            head, tail = doc.mentions[r.head].cluster, doc.mentions[r.tail].cluster
            assert r.head == first[head] and r.tail == first[tail]
            if r.orig.endswith(INVERSE):
                got[(tail, head, r.orig.removesuffix(INVERSE))] += 1
            else:
                got[(head, tail, r.orig)] += 1
        assert got == Counter((lab["h"], lab["t"], lab["r"]) for lab in rec["labels"])


@pytest.mark.parametrize("split", SPLITS)
def test_schema_labels(config: Config, split: str) -> None:
    labelled = Counter()
    for doc in gold_docs(config, "redocred", split):
        for r in doc.relations:
            if r.label is None:
                continue
            head, tail = doc.mentions[r.head], doc.mentions[r.tail]
            assert config.schema.is_allowed(r.label, head.label, tail.label), (doc.id, r)
            labelled[r.label] += 1
            if r.label == "leads":
                assert r.orig.endswith(INVERSE) and head.label == "PERSON"  # P35/P6/P488 run state -> person
    structural = {"based_in", "part_of", "located_in", "member_of", "works_for", "leads", "citizen_of"}
    assert structural <= set(labelled)
