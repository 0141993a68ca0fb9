"""CrossRE news and its extension: span -> mention resolution, explanations kept, the relation mapping rules."""

from __future__ import annotations

import json

import pytest

from pipeline.config import Config
from pipeline.gold import store
from pipeline.gold.crossre import RelationMapper
from pipeline.gold.format import GoldMention
from pipeline.gold.spec import load_spec
from tests.conftest import gold_docs

CORPORA = ("crossre-news", "crossre-news-ext")
CASES = [(corpus, split) for corpus in CORPORA for split in ("train", "dev", "test")]


def raw_records(config: Config, corpus: str, split: str) -> list[dict]:
    spec = load_spec(config, corpus)
    path = spec.source(store.data_dir(config)) / spec.splits[split]
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def token_span(doc, mention) -> tuple[int, int]:
    """Inclusive token span of a mention, as CrossRE writes it."""
    starts = [s for s, _ in doc.tokens]
    ends = [e for _, e in doc.tokens]
    return starts.index(mention.start), ends.index(mention.end)


def mention(orig: str, label: str | None) -> GoldMention:
    return GoldMention(start=0, end=1, text="x", orig=orig, label=label, sentence=0)


@pytest.mark.data
@pytest.mark.parametrize(("corpus", "split"), CASES, ids=[f"{c}-{s}" for c, s in CASES])
def test_relations_resolve_to_the_annotated_spans(config: Config, corpus: str, split: str) -> None:
    docs = gold_docs(config, corpus, split)
    records = raw_records(config, corpus, split)
    assert len(docs) == len(records)
    for doc, rec in zip(docs, records, strict=True):
        assert doc.meta["doc_key"] == rec["doc_key"]
        assert [doc.text[s:e] for s, e in doc.tokens] == rec["sentence"]
        assert [(*token_span(doc, m), m.orig) for m in doc.mentions] == [tuple(e) for e in rec["ner"]]
        assert len(doc.relations) == len(rec["relations"]) == len(doc.meta["relation_info"])
        for rel, info, raw in zip(doc.relations, doc.meta["relation_info"], rec["relations"], strict=True):
            s1, e1, s2, e2, label, explanation, uncertain, syntax_ambiguity = raw
            assert token_span(doc, doc.mentions[rel.head]) == (s1, e1)
            assert token_span(doc, doc.mentions[rel.tail]) == (s2, e2)
            assert rel.orig == label
            assert info == {
                "explanation": explanation,
                "uncertain": uncertain,
                "syntax_ambiguity": syntax_ambiguity,
            }


@pytest.mark.data
@pytest.mark.parametrize(("corpus", "split"), CASES, ids=[f"{c}-{s}" for c, s in CASES])
def test_schema_labels_fit_the_schema(config: Config, corpus: str, split: str) -> None:
    for doc in gold_docs(config, corpus, split):
        for rel in doc.relations:
            if rel.label is not None:
                head, tail = doc.mentions[rel.head], doc.mentions[rel.tail]
                assert config.schema.is_allowed(rel.label, head.label, tail.label), (doc.id, rel)


@pytest.mark.data
def test_accusation_cues_become_alleges_and_denials_do_not(config: Config) -> None:
    cues = set(load_spec(config, "crossre-news-ext").raw["cues"]["alleges"])
    opposite_alleges = 0
    for split in ("train", "dev", "test"):
        for doc in gold_docs(config, "crossre-news-ext", split):
            for rel, info in zip(doc.relations, doc.meta["relation_info"], strict=True):
                head, tail = doc.mentions[rel.head], doc.mentions[rel.tail]
                fits = (
                    head.label and tail.label and config.schema.is_allowed("alleges", head.label, tail.label)
                )
                if info["explanation"] in cues and fits:
                    assert rel.label == "alleges", (doc.id, rel)
                    opposite_alleges += rel.orig == "opposite"
                if info["explanation"] in {"denies", "rejects"}:
                    assert rel.label != "alleges", (doc.id, rel)
                if rel.label == "alleges":
                    assert info["explanation"] in cues
    assert opposite_alleges >= 1  # the "condemns" of an `opposite` between two states


def test_relation_rules(config: Config) -> None:
    mapper = RelationMapper(load_spec(config, "crossre-news-ext"), config)
    state, other_state = mention("location", "COUNTRY"), mention("country", "COUNTRY")
    person, org = mention("person", "PERSON"), mention("organisation", "ORG")
    assert mapper.label("opposite", "condemns", state, other_state) == "alleges"
    assert mapper.label("role", "accuses", state, person) == "alleges"  # a cue counts under any label
    assert mapper.label("opposite", "denies", state, other_state) is None
    assert mapper.label("opposite", "", state, other_state) is None
    assert mapper.label("opposite", "condemns", mention("misc", None), state) is None
    assert mapper.label("role", "", person, org) == "works_for"
    assert mapper.label("role", "on_team", person, org) == "works_for"
    assert mapper.label("role", "tells", person, org) is None  # an explanation the mapping does not cover
    assert mapper.label("role", "", person, state) is None
    assert (
        mapper.label("role", "", mention("politician", "PERSON"), mention("politicalparty", "ORG"))
        == "member_of"
    )
    assert mapper.label("part-of", "", state, org) == "member_of"
    assert mapper.label("part-of", "", org, state) == "part_of"
    assert mapper.label("part-of", "", person, org) is None
    assert mapper.label("physical", "", mention("location", "LOC"), state) == "located_in"
    assert mapper.label("physical", "", org, mention("location", "LOC")) is None
    assert mapper.label("win-defeat", "", org, org) is None


def test_news_and_extension_share_the_relation_mapping(config: Config) -> None:
    news, ext = (load_spec(config, corpus).raw for corpus in CORPORA)
    for key in ("relations", "relation_rules", "cues", "entity_rules"):
        assert news[key] == ext[key], key
    assert {k: v for k, v in ext["entities"].items() if k in news["entities"]} == news["entities"]
    assert len(news["relations"]) == 17
