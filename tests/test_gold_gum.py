"""GUM + GENTLE: the README's totals, named mentions only, Reddit documents kept without text."""

from __future__ import annotations

from collections import Counter

import pytest

from pipeline.config import Config
from pipeline.gold.gum import has_text
from tests.conftest import gold_docs

pytestmark = pytest.mark.data

SPLITS = ("train", "dev", "test", "test2")
# gum/README.txt
TOTAL = {"documents": 281, "sentences": 15492, "tokens": 268089}
NEWS = {"documents": 24, "sentences": 765, "tokens": 17182}
NEWS_PER_SPLIT = {"train": 20, "dev": 2, "test": 2, "test2": 0}
ALL_MENTIONS = {"person": 22172, "place": 6751, "organization": 3309}
LINKED = {
    "news": {"organization": 507, "person": 420, "place": 393},
    "other": {"organization": 1261, "person": 4055, "place": 3078},
}


@pytest.fixture(scope="module")
def docs(config: Config) -> dict[str, list]:
    return {split: gold_docs(config, "gum", split) for split in SPLITS}


def test_totals_and_news_genre_match_the_readme(docs: dict[str, list]) -> None:
    every = [d for split in SPLITS for d in docs[split]]
    assert len(every) == TOTAL["documents"] == len({d.meta["name"] for d in every})
    assert sum(len(d.sentences) for d in every) == TOTAL["sentences"]
    assert sum(len(d.tokens) for d in every) == TOTAL["tokens"]
    news = [d for d in every if d.meta["genre"] == "news"]
    assert len(news) == NEWS["documents"]
    assert sum(len(d.sentences) for d in news) == NEWS["sentences"]
    assert sum(len(d.tokens) for d in news) == NEWS["tokens"]
    for split in SPLITS:
        assert sum(d.meta["genre"] == "news" for d in docs[split]) == NEWS_PER_SPLIT[split]


def test_entity_brackets_match_the_readme(docs: dict[str, list]) -> None:
    every = [d for split in SPLITS for d in docs[split]]
    mentions = Counter()
    linked = {"news": Counter(), "other": Counter()}
    for d in every:
        mentions.update(d.meta["entity_mentions"])
        linked["news" if d.meta["genre"] == "news" else "other"].update(d.meta["linked_mentions"])
    assert {k: mentions[k] for k in ALL_MENTIONS} == ALL_MENTIONS
    for genre, want in LINKED.items():
        assert {k: linked[genre][k] for k in want} == want


def test_reddit_documents_are_kept_without_text(docs: dict[str, list]) -> None:
    for split in SPLITS:
        for d in docs[split]:
            assert has_text(d) == (d.meta["genre"] != "reddit"), d.id
            if not has_text(d):
                assert not d.mentions and d.tokens
    assert sum(not has_text(d) for split in SPLITS for d in docs[split]) > 0


def test_text_tokens_sentences(docs: dict[str, list]) -> None:
    for split in SPLITS:
        for d in docs[split]:
            prev = 0
            for s, e in d.tokens:
                assert prev <= s < e
                prev = e
            for k in range(1, len(d.sentences)):
                assert d.sentences[k - 1][1] < d.sentences[k][0]
                assert d.text[d.sentences[k - 1][1] : d.sentences[k][0]] in (" ", "\n")
            assert d.sentences[0][0] == 0 and d.sentences[-1][1] == len(d.text)


def test_named_mentions_only(config: Config, docs: dict[str, list]) -> None:
    labels = Counter()
    for split in SPLITS:
        for d in docs[split]:
            for m in d.mentions:
                labels[(m.orig, m.label)] += 1
                assert not m.text.lower().startswith("the "), m.text
                assert not m.text.endswith("'s")
                s, e = d.sentences[m.sentence]
                assert s <= m.start < m.end <= e
                if m.label is not None:
                    assert m.label in config.schema.entity_types
    assert {label for (orig, label) in labels if orig == "person"} == {"PERSON"}
    assert {label for (orig, label) in labels if orig == "organization"} == {"ORG"}
    assert {label for (orig, label) in labels if orig == "place"} == {"LOC", "COUNTRY"}
    assert {label for (orig, label) in labels if orig not in ("person", "organization", "place")} == {None}
    # far fewer than all person/place/organization brackets: pronouns and common nouns are left out
    named = sum(n for (orig, _), n in labels.items() if orig in ALL_MENTIONS)
    assert 0.1 * sum(ALL_MENTIONS.values()) < named < 0.5 * sum(ALL_MENTIONS.values())


def test_links_name_clusters(docs: dict[str, list]) -> None:
    for split in SPLITS:
        for d in docs[split]:
            clusters = {str(m.cluster) for m in d.mentions}
            assert set(d.meta["links"]) <= clusters
