"""KnowledgeNet folds 1-4: one document per passage, README totals, offsets, CEO inversion, negatives."""

from __future__ import annotations

import json
from collections import defaultdict

import pytest

from pipeline.config import Config
from pipeline.gold import store
from pipeline.gold.knowledgenet import PassageConverter
from pipeline.gold.spec import load_spec
from tests.conftest import gold_docs

FOLDS = ("fold1", "fold2", "fold3", "fold4")
# README: rows per fold, and totals over folds 1-4.
README_ROWS = {"fold1": 3311, "fold2": 3423, "fold3": 3349, "fold4": 3316}
README_DOCUMENTS, README_PASSAGES, README_FACTS = 3977, 5728, 10895


def raw_rows(config: Config) -> list[dict]:
    spec = load_spec(config, "knowledgenet")
    path = spec.source(store.data_dir(config)) / spec.splits["fold1"]["file"]
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def restored(doc, i: int) -> tuple[str, str]:
    """(subject text, object text) of relation i in KnowledgeNet's own direction."""
    rel = doc.relations[i]
    head, tail = doc.mentions[rel.head].text, doc.mentions[rel.tail].text
    return (tail, head) if i in doc.meta["inverted_relations"] else (head, tail)


@pytest.mark.data
def test_totals_and_rows_match_the_readme(config: Config) -> None:
    documents, passages, facts = set(), 0, 0
    for fold in FOLDS:
        docs = gold_docs(config, "knowledgenet", fold)
        relations = sum(len(d.relations) for d in docs)
        negatives = sum(len(d.meta["properties_without_facts"]) for d in docs)
        assert relations + negatives == README_ROWS[fold], fold
        assert all(d.meta["fold"] == int(fold[-1]) for d in docs)
        assert not any("skipped_facts" in d.meta for d in docs)
        documents.update(d.meta["document_id"] for d in docs)
        passages += len(docs)
        facts += relations
    assert (len(documents), passages, facts) == (README_DOCUMENTS, README_PASSAGES, README_FACTS)


@pytest.mark.data
def test_rows_of_a_passage_merge_into_one_document(config: Config) -> None:
    by_passage: dict[str, list[dict]] = defaultdict(list)
    for row in raw_rows(config):
        if row["fold"] == 2:
            by_passage[f"knowledgenet-{row['documentId']}-{row['passageStart']}-{row['passageEnd']}"].append(
                row
            )
    docs = {d.id: d for d in gold_docs(config, "knowledgenet", "fold2")}
    assert docs.keys() == by_passage.keys()
    merged = 0
    for doc_id, rows in by_passage.items():
        doc = docs[doc_id]
        facts = [r for r in rows if r["isFact"]]
        assert doc.text == rows[0]["passageText"] and doc.sentences == ((0, len(doc.text)),)
        assert doc.meta["properties"] == sorted({r["property"] for r in rows})
        assert set(doc.meta["properties_without_facts"]) == {r["property"] for r in rows if not r["isFact"]}
        spans = {
            (r[f"{a}Start"] - r["passageStart"], r[f"{a}End"] - r["passageStart"])
            for r in facts
            for a in ("subject", "object")
        }
        assert [(m.start, m.end) for m in doc.mentions] == sorted(spans)
        assert [restored(doc, i) for i in range(len(doc.relations))] == [
            (r["subjectText"], r["objectText"]) for r in facts
        ]
        assert [rel.orig for rel in doc.relations] == [r["property"] for r in facts]
        merged += len(doc.meta["properties"]) > 1
    assert merged > 0
    assert any(not d.relations and d.meta["properties_without_facts"] for d in docs.values())


@pytest.mark.data
@pytest.mark.parametrize("fold", FOLDS)
def test_ceo_is_stored_person_leads_organisation(config: Config, fold: str) -> None:
    inverse = {
        p for p, rule in load_spec(config, "knowledgenet").raw["relation_rules"].items() if rule["inverse"]
    }
    assert inverse == {"CEO"}
    leads = 0
    for doc in gold_docs(config, "knowledgenet", fold):
        inverted = set(doc.meta["inverted_relations"])
        for i, rel in enumerate(doc.relations):
            assert (i in inverted) == (rel.orig == "CEO")
            head, tail = doc.mentions[rel.head], doc.mentions[rel.tail]
            if rel.orig == "CEO":
                assert "CEO.object" in doc.meta["mention_roles"][rel.head]
                assert "CEO.subject" in doc.meta["mention_roles"][rel.tail]
            if rel.label == "leads":
                assert (head.label, tail.label) == ("PERSON", "ORG")
                leads += 1
            if rel.label is not None:
                assert config.schema.is_allowed(rel.label, head.label, tail.label)
    assert leads > 0


@pytest.mark.data
def test_pronouns_have_no_schema_type(config: Config) -> None:
    pronouns = set(load_spec(config, "knowledgenet").raw["mention_rules"]["pronouns"])
    docs = gold_docs(config, "knowledgenet", "fold1")
    seen = 0
    for doc in docs:
        for m, roles in zip(doc.mentions, doc.meta["mention_roles"], strict=True):
            assert m.orig in roles and roles == sorted(roles)
            if m.text.lower() in pronouns:
                assert m.label is None
                seen += 1
    assert seen > 0


def test_passage_converter_on_hand_written_rows(config: Config) -> None:
    text = "Ann Lee runs Acme Corp in Ohio."
    base = {
        "fold": 1,
        "documentId": "7",
        "passageStart": 100,
        "passageEnd": 100 + len(text),
        "passageText": text,
    }

    def fact(prop: str, subject: str, obj: str) -> dict:
        s, o = text.index(subject) + 100, text.index(obj) + 100
        return {
            **base,
            "property": prop,
            "isFact": True,
            **{"subjectStart": s, "subjectEnd": s + len(subject), "subjectText": subject, "subjectUri": None},
            **{"objectStart": o, "objectEnd": o + len(obj), "objectText": obj, "objectUri": "Q1"},
        }

    rows = [
        fact("CEO", "Acme Corp", "Ann Lee"),
        fact("HEADQUARTERS", "Acme Corp", "Ohio"),
        {**base, "property": "FOUNDED_BY", "isFact": False},
    ]
    doc = PassageConverter(load_spec(config, "knowledgenet"), config).document(rows, "fold1", "test")
    doc.check()
    assert doc.id == "knowledgenet-7-100-131"
    assert [(m.text, m.orig, m.label) for m in doc.mentions] == [
        ("Ann Lee", "CEO.object", "PERSON"),
        ("Acme Corp", "CEO.subject", "ORG"),
        ("Ohio", "HEADQUARTERS.object", "LOC"),
    ]
    assert doc.meta["mention_roles"][1] == ["CEO.subject", "HEADQUARTERS.subject"]
    assert doc.meta["mention_uris"] == ["Q1", None, "Q1"]
    assert [(r.head, r.tail, r.orig, r.label) for r in doc.relations] == [
        (0, 1, "CEO", "leads"),
        (1, 2, "HEADQUARTERS", "based_in"),
    ]
    assert doc.meta["inverted_relations"] == [0]
    assert doc.meta["properties"] == ["CEO", "FOUNDED_BY", "HEADQUARTERS"]
    assert doc.meta["properties_without_facts"] == ["FOUNDED_BY"]
