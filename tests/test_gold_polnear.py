"""PolNeAR: one document per annotation file, one relation per attribution, accusation candidates."""

from __future__ import annotations

import re

import pytest

from pipeline.config import Config
from pipeline.gold.polnear import compile_patterns
from pipeline.gold.spec import load_spec
from tests.conftest import gold_docs

pytestmark = pytest.mark.data

SPLITS = ("train", "dev", "test")
ARTICLES = {"train": 840, "dev": 84, "test": 84}  # polnear/README.txt
# polnear/README.txt: cues matching this pattern (its own list, denials included)
README_CUES = re.compile(r"accus|alleg|deni|deny|criticiz|blam|condemn|reject", re.IGNORECASE)
README_CUE_COUNTS = {"train": 389, "dev": 41, "test": 70}


@pytest.mark.parametrize("split", SPLITS)
def test_articles_and_annotators(config: Config, split: str) -> None:
    docs = gold_docs(config, "polnear", split)
    assert len({d.meta["article"] for d in docs}) == ARTICLES[split]
    assert len({d.id for d in docs}) == len(docs)
    for d in docs:
        assert d.meta["annotator"] and d.id.endswith(f"{d.meta['article']}_{d.meta['annotator']}")


@pytest.mark.parametrize("split", SPLITS)
def test_cue_spans_match_the_readme(config: Config, split: str) -> None:
    docs = gold_docs(config, "polnear", split)
    hits = sum(1 for d in docs for m in d.mentions if m.orig == "Cue" and README_CUES.search(m.text))
    assert hits == README_CUE_COUNTS[split]


@pytest.mark.parametrize("split", SPLITS)
def test_attributions(config: Config, split: str) -> None:
    patterns = compile_patterns(load_spec(config, "polnear"))
    candidates = 0
    for d in gold_docs(config, "polnear", split):
        assert len(d.meta["attributions"]) == len(d.relations)
        for m in d.mentions:
            assert m.orig in ("Source", "Cue", "Content") and m.label is None
            assert m.text == m.text.strip()
        for r, att in zip(d.relations, d.meta["attributions"], strict=True):
            assert r.label is None and r.orig in ("Attribution", "Attribution-no-source")
            assert att["cue"] and all(d.mentions[i].orig == "Cue" for i in att["cue"])
            assert r.head == (att["source"] or att["cue"])[0]
            assert r.tail == (att["content"] or att["cue"])[0]
            if r.orig == "Attribution-no-source":
                assert not att["source"] or d.mentions[r.head].orig == "Source"
            cue = " ".join(d.mentions[i].text for i in att["cue"])
            want = "alleges" if patterns["alleges"].search(cue) else None
            assert att["candidate"] == want
            candidates += want is not None
    assert candidates > 0


def test_denials_are_not_accusations(config: Config) -> None:
    rx = compile_patterns(load_spec(config, "polnear"))["alleges"]
    assert rx.search("accused") and rx.search("has criticised") and rx.search("Slammed")
    assert not rx.search("denied") and not rx.search("rejected") and not rx.search("Islamist")
