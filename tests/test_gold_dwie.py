"""DWIE: entities as clusters, entity-level relations on first mentions, fine types -> schema labels."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from pipeline.config import Config
from pipeline.gold import store
from pipeline.gold.dwie import choose_fine_type
from pipeline.gold.format import GoldDocument
from pipeline.gold.spec import load_spec
from tests.conftest import gold_docs

pytestmark = pytest.mark.data

# dwie/README.txt: entities per split, and its "project-label projection" of the entities into the schema
ENTITIES = {"dev": 2785, "test": 2623}
PROJECTION = {
    "dev": {"COUNTRY": 267, "AGENCY": 42, "ORG": 431, "PERSON": 432, "LOC": 326},
    "test": {"COUNTRY": 311, "AGENCY": 53, "ORG": 374, "PERSON": 407, "LOC": 318},
}
SPLITS = list(ENTITIES)


def raw_records(config: Config, split: str) -> list[dict]:
    spec = load_spec(config, "dwie")
    path = spec.source(store.data_dir(config)) / spec.splits[split]
    return json.loads(path.read_text(encoding="utf-8"))


def entity_labels(doc: GoldDocument) -> dict[int, str | None]:
    labels: dict[int, set[str | None]] = {}
    for m in doc.mentions:
        labels.setdefault(m.cluster, set()).add(m.label)
    assert all(len(v) == 1 for v in labels.values()), f"{doc.id}: one entity, several schema labels"
    return {k: next(iter(v)) for k, v in labels.items()}


@pytest.mark.parametrize("split", SPLITS)
def test_entities_are_clusters(config: Config, split: str) -> None:
    docs = gold_docs(config, "dwie", split)
    assert sum(len({m.cluster for m in d.mentions}) for d in docs) == ENTITIES[split]
    for doc in docs:
        clusters = {m.cluster for m in doc.mentions}
        assert clusters == set(range(len(clusters)))
        assert len(doc.meta["fine_types"]) == len(doc.meta["links"]) == len(clusters)
        assert list(doc.mentions) == sorted(doc.mentions, key=lambda m: (m.start, m.end, m.cluster))


@pytest.mark.parametrize("split", SPLITS)
def test_relations_join_the_first_mentions_of_their_entities(config: Config, split: str) -> None:
    docs = gold_docs(config, "dwie", split)
    for doc, rec in zip(docs, raw_records(config, split), strict=True):
        assert doc.meta["title"] == rec["title"]
        first: dict[int, int] = {}
        for i, m in enumerate(doc.mentions):
            first.setdefault(m.cluster, i)
        for r in doc.relations:
            assert r.head == first[doc.mentions[r.head].cluster]
            assert r.tail == first[doc.mentions[r.tail].cluster]
        got = Counter(
            (doc.mentions[r.head].cluster, doc.mentions[r.tail].cluster, r.orig) for r in doc.relations
        )
        assert got == Counter((lab["h"], lab["t"], lab["r"]) for lab in rec["labels"])


@pytest.mark.parametrize("split", SPLITS)
def test_text_tokens_and_sentences(config: Config, split: str) -> None:
    for doc, rec in zip(gold_docs(config, "dwie", split), raw_records(config, split), strict=True):
        words = rec["sents"][0]
        assert doc.text == " ".join(words)
        assert [doc.text[s:e] for s, e in doc.tokens] == words
        assert len(doc.sentences) >= 2
        ends = [0]
        for s, e in doc.sentences:
            assert ends[-1] <= s < e and not doc.text[s].isspace() and not doc.text[e - 1].isspace()
            ends.append(e)
        for m in doc.mentions:
            s, e = doc.sentences[m.sentence]
            assert s <= m.start < e, f"{doc.id}: mention {m.text!r} outside its sentence"


@pytest.mark.parametrize("split", SPLITS)
def test_fine_types_decide_the_schema_label(config: Config, split: str) -> None:
    spec = load_spec(config, "dwie")
    order = spec.raw["fine_type_priority"]["order"]
    for doc, rec in zip(gold_docs(config, "dwie", split), raw_records(config, split), strict=True):
        labels = entity_labels(doc)
        for cluster, fine in enumerate(rec["vertexFineTypes"]):
            chosen = choose_fine_type(fine, order)
            assert doc.meta["fine_types"][cluster] == chosen
            if chosen is not None:
                assert labels[cluster] == (spec.entities[chosen] or None)
            elif fine is not None:
                assert labels[cluster] is None  # aligned, but no decisive tag: values, roles, demonyms ...
            if fine is not None and "type::gpe0" in fine["tags"]:
                assert labels[cluster] == "COUNTRY"
            if fine is not None and {"type::agency", "type::ministry", "type::court"} & set(fine["tags"]):
                assert labels[cluster] == "AGENCY"


@pytest.mark.parametrize("split", SPLITS)
def test_schema_labels_reproduce_the_readme_projection(config: Config, split: str) -> None:
    """The README's projection maps DWIE's tags only; ours also maps the `police` tag and, for entities whose
    fine types could not be aligned, the coarse type. Without those the figures are the README's."""
    got: Counter[str | None] = Counter()
    tags_only: Counter[str | None] = Counter()
    for doc in gold_docs(config, "dwie", split):
        for cluster, label in entity_labels(doc).items():
            got[label] += 1
            fine = doc.meta["fine_types"][cluster]
            if fine is not None and fine != "type::police":
                tags_only[label] += 1
    tags_only.pop(None, None)
    assert dict(tags_only) == PROJECTION[split]
    for label, want in PROJECTION[split].items():
        assert abs(got[label] - want) <= 3, (label, got[label], want)


@pytest.mark.parametrize("split", SPLITS)
def test_relation_labels(config: Config, split: str) -> None:
    docs = gold_docs(config, "dwie", split)
    labelled = Counter()
    for doc in docs:
        for r in doc.relations:
            if r.orig.endswith("-x"):
                assert r.label is None  # the tail is a demonym, no schema entity
            if r.label is not None:
                head, tail = doc.mentions[r.head].label, doc.mentions[r.tail].label
                assert config.schema.is_allowed(r.label, head, tail), (doc.id, r)
                labelled[r.label] += 1
    structural = {"based_in", "located_in", "part_of", "member_of", "works_for", "leads", "citizen_of"}
    assert structural <= set(labelled)
    assert sum(labelled.values()) > 0.4 * sum(len(d.relations) for d in docs)
