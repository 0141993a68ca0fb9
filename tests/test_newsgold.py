"""The news gold corpus: the inline annotation format, its checks, and the corpus as committed."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from pipeline.config import Config
from pipeline.gold.newsgold import check_article, parse_article, read_split, to_gold

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "data" / "news_gold"
# staged train folders (data/news_gold/incoming*/) and their article counts
INCOMING = {
    "incoming": 24,
    "incoming2": 24,
    "incoming3": 48,
    "incoming4": 48,
    "incoming5": 48,
    "incoming6": 48,
}

ARTICLE = """id: ng-t01
date: 2026-03-14
dateline: GENEVA
topic: sanctions
title: Toy

[GENEVA]{LOC gva}, March 14 (Newsgraph) - The [European Union]{ORG eu} froze the assets of
four officials of [Kalvar]{COUNTRY kal}'s [Port Authority]{AGENCY kpa} on Thursday.

[Anna Roth]{PERSON roth}, a spokeswoman for the [European Commission]{AGENCY ec}, met [Kalvar]{COUNTRY kal}'s envoy.

== relations
eu coerces kpa | froze the assets of
kpa part_of kal | Kalvar's Port Authority
roth works_for ec | a spokeswoman for the European Commission
roth meets kal | met Kalvar's envoy
"""


def _parse(text: str):
    return parse_article(text, "toy.txt")


def test_parse_strips_markup_and_keeps_offsets(config: Config) -> None:
    a = _parse(ARTICLE)
    assert not check_article(a, config)
    assert "[" not in a.text and "{" not in a.text
    assert a.text.split("\n\n")[0].startswith(
        "GENEVA, March 14 (Newsgraph) - The European Union froze the assets of four"
    )
    for start, end, _, _ in a.mentions:
        assert a.text[start:end] in {
            "GENEVA",
            "European Union",
            "Kalvar",
            "Port Authority",
            "Anna Roth",
            "European Commission",
        }
    doc = to_gold(a, "dev", "newsgold", config)
    doc.check()
    assert len(doc.relations) == 4
    meets = next(r for r in doc.relations if r.label == "meets")
    # the nearest mention of Kalvar to the evidence is the second one, in the second paragraph
    assert doc.mentions[meets.tail].start > doc.text.index("\n\n")
    part = next(r for r in doc.relations if r.label == "part_of")
    assert doc.mentions[part.tail].start < doc.text.index("\n\n")
    assert len({m.cluster for m in doc.mentions if m.text == "Kalvar"}) == 1


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("eu coerces kpa | froze the assets of", "eu coerces kpa | Kalvar"), "occurs 2 times"),
        (
            (
                "roth meets kal | met Kalvar's envoy",
                "roth meets kal | met Kalvar's envoy\nkal meets roth | Anna Roth, a",
            ),
            "duplicate relation",
        ),
        (("kpa part_of kal", "kal part_of kpa"), "not allowed"),
        (("eu coerces kpa", "eu coerces eu"), "links an entity to itself"),
        (("{COUNTRY kal}'s envoy", "{LOC kal}'s envoy"), "is both"),
        (("eu coerces kpa", "eu sanctions kpa"), "unknown relation"),
        (("roth works_for ec", "roth works_for nobody"), "no mention of entity"),
        (("== relations", ""), "no '== relations'"),
        (("froze the assets", "froze the [assets"), "stray bracket"),
        (("{LOC gva}", "{PLACE gva}"), "unknown type"),
    ],
)
def test_checks_catch_annotation_errors(config: Config, edit: tuple[str, str], message: str) -> None:
    a = _parse(ARTICLE.replace(*edit))
    errors = check_article(a, config)
    assert any(message in e for e in errors), errors


def test_split_is_fixed_and_disjoint() -> None:
    split = read_split(CORPUS)
    assert len(split) == 96
    test = [a for a, s in split.items() if s == "test"]
    assert len(test) >= 30
    assert all(int(a[3:]) % 3 == 0 for a in test)  # the rule written in split.toml before any article existed


@pytest.mark.parametrize(
    "split",
    ["train", "dev", "test", "incoming", "incoming2", "incoming3", "incoming4", "incoming5", "incoming6"],
)
def test_corpus_converts_and_checks(config: Config, split: str) -> None:
    from pipeline.gold import store

    docs = store.load(config, "newsgold", split)
    assert docs and all(d.split == split for d in docs)
    for d in docs:
        d.check()
        for r in d.relations:  # allowed types, no self-links
            head, tail = d.mentions[r.head], d.mentions[r.tail]
            assert config.schema.is_allowed(r.label, head.label, tail.label)
            assert head.cluster != tail.cluster


def test_incoming_articles_are_new_and_train_only() -> None:
    """The staged train articles (data/news_gold/incoming*/) are numbered after the corpus, listed in no split and
    in one folder only."""
    split = read_split(CORPUS)
    folders = {name: sorted(p.stem for p in (CORPUS / name).glob("*.txt")) for name in INCOMING}
    assert {name: len(ids) for name, ids in folders.items()} == INCOMING
    staged = [a for ids in folders.values() for a in ids]
    assert len(set(staged)) == len(staged) and not set(staged) & set(split)
    assert all(int(a[3:]) > 96 for a in staged)


def test_articles_match_their_checksums() -> None:
    lines = (CORPUS / "checksums.txt").read_text(encoding="utf-8").split("\n")
    listed = dict(reversed(line.split("  ", 1)) for line in lines if line)
    files = sorted((CORPUS / "articles").glob("*.txt"))
    assert len(files) == len(listed) == 96
    for path in files:
        assert hashlib.sha256(path.read_bytes()).hexdigest() == listed[f"articles/{path.name}"], path.name


def test_corpus_meets_the_size_targets(config: Config) -> None:
    from collections import Counter

    from pipeline.gold import store

    docs = [d for split in ("train", "dev", "test") for d in store.load(config, "newsgold", split)]
    mentions = Counter(m.label for d in docs for m in d.mentions)
    relations = Counter(r.label for d in docs for r in d.relations)
    assert len(docs) >= 80 and sum(mentions.values()) >= 2000 and sum(relations.values()) >= 700
    assert min(mentions.values()) >= 150 and set(mentions) == set(config.schema.entity_types)
    assert min(relations.values()) >= 25 and set(relations) == set(config.schema.relations)
    assert sum(1 for d in docs if d.split == "test") >= 30


def test_scraped_pages_are_built_from_the_articles() -> None:
    from pipeline.gold.newspages import build_pages

    pages = build_pages(CORPUS)
    assert len(pages) == 96
    for aid, page in pages.items():
        assert (CORPUS / "scraped" / f"{aid}.txt").read_text(encoding="utf-8") == page


def test_agreement_finds_the_first_pass_in_staged_batches(config: Config, tmp_path: Path) -> None:
    from pipeline.errors import DataError
    from pipeline.gold.newsgold import agreement, first_pass

    (tmp_path / "incoming2").mkdir()
    (tmp_path / "incoming2" / "ng-t01.txt").write_text(ARTICLE, encoding="utf-8")
    second = tmp_path / "second_pass_staged"
    second.mkdir()
    assert first_pass(tmp_path, "ng-t01.txt") == tmp_path / "incoming2" / "ng-t01.txt"
    with pytest.raises(DataError, match="no second-pass articles"):
        agreement(config, tmp_path, "second_pass_staged")
    # the second annotator missed the meeting and typed the envoy's country as LOC
    other = ARTICLE.replace("roth meets kal | met Kalvar's envoy\n", "").replace(
        "[Kalvar]{COUNTRY kal}'s envoy", "[Kalvar]{LOC kal2}'s envoy"
    )
    (second / "ng-t01.txt").write_text(other, encoding="utf-8")
    result = agreement(config, tmp_path, "second_pass_staged")
    assert result["articles"] == {"n": 1}
    assert (result["mentions"]["micro"]["tp"], result["mentions"]["micro"]["fn"]) == (6, 1)
    assert (result["relations"]["micro"]["tp"], result["relations"]["micro"]["fn"]) == (3, 1)
    assert result["relations"]["micro"]["fp"] == 0
    (second / "ng-t02.txt").write_text(ARTICLE.replace("ng-t01", "ng-t02"), encoding="utf-8")
    with pytest.raises(DataError, match="no first annotation"):
        agreement(config, tmp_path, "second_pass_staged")
    (second / "ng-t02.txt").unlink()
    (second / "ng-t01.txt").write_text(other.replace("froze the assets", "froze assets"), encoding="utf-8")
    with pytest.raises(DataError, match="changed the article text"):
        agreement(config, tmp_path, "second_pass_staged")


def test_staged_second_pass_reproduces_its_agreement_file(config: Config) -> None:
    """data/news_gold/second_pass_staged/ against the staged batches gives agreement-staged.json (second_pass/ no
    longer gives agreement.json: that was measured before adjudication corrected the first pass)."""
    import json

    from pipeline.gold.newsgold import agreement

    recorded = json.loads((CORPUS / "agreement-staged.json").read_text(encoding="utf-8"))
    result = agreement(config, CORPUS, "second_pass_staged")
    assert result["articles"]["n"] == len(recorded["articles"]["ids"]) == 12
    for key in ("mentions", "relations", "triples"):
        assert {k: result[key]["micro"][k] for k in ("tp", "fp", "fn")} == {
            k: recorded[key][k] for k in ("tp", "fp", "fn")
        }
