"""Canonicalisation: name keys, country resolution, the within-document rules and merging across documents."""

from __future__ import annotations

import tomllib

import pytest

from pipeline.config import Config
from pipeline.kg.canon import (
    DocumentInput,
    canonicalise_corpus,
    canonicalise_document,
    node_id_for,
    span_of,
)
from pipeline.kg.names import NameTables, acronym_letters, fold, initials, tokens

from .conftest import ROOT
from .test_kg_helpers import Spec, find, mentions_in


@pytest.fixture(scope="module")
def tables() -> NameTables:
    return NameTables.load(Config(ROOT / "configs"))


def entity_ids(text: str, specs: list[Spec], tables: NameTables, part_of=()) -> list[tuple[str, str, str]]:
    """The cross-document key of each mention's entity, in the order of `specs`."""
    mentions = mentions_in(text, specs)
    pairs = [(find(text, h), find(text, t)) for h, t in part_of]
    result = canonicalise_document(DocumentInput("d", text, mentions, pairs), tables)
    return [result.entities[result.index[span_of(m)]].key for m in mentions]


def test_fold_and_tokens_ignore_case_accents_and_dots() -> None:
    assert fold("Türkiye") == "turkiye"
    assert tokens("U.S.") == tokens("US") == ["us"]
    assert tokens("F.B.I.") == ["fbi"]
    assert tokens("the Ministry of Foreign Affairs") == ["the", "ministry", "of", "foreign", "affairs"]
    assert tokens("O'Brien") == ["obrien"]
    # marks of non-Latin scripts are part of the word, not accents to drop
    assert fold("हिन्दी") == "हिन्दी"
    assert fold("Министерство") == "министерство"


def test_acronyms_and_initials(tables: NameTables) -> None:
    s = tables.settings
    assert acronym_letters("FBI", 2, 10) == "FBI"
    assert acronym_letters("F.B.I.", 2, 10) == "FBI"
    assert acronym_letters("FAMa", 2, 10) == "FAMA"
    assert acronym_letters("Iran", 2, 10) is None
    assert acronym_letters("Mitsotakis", 2, 10) is None
    assert "FBI" in initials("Federal Bureau of Investigation", s.acronym_stopwords, s.articles)
    assert "UNMISS" in initials("United Nations Mission in South Sudan", s.acronym_stopwords, s.articles)


@pytest.mark.parametrize(
    ("name", "as_government", "code"),
    [
        ("U.S.", False, "US"),
        ("US", False, "US"),
        ("America", False, "US"),
        ("the United States", False, "US"),
        ("Britain", False, "GB"),
        ("UK", False, "GB"),
        ("Russia", False, "RU"),
        ("Russian Federation", False, "RU"),
        ("South Korea", False, "KR"),
        ("Iran", False, "IR"),
        ("Syria", False, "SY"),
        ("Taiwan", False, "TW"),
        ("Vatican", False, "VA"),
        ("Türkiye", False, "TR"),
        ("People's Republic of China", False, "CN"),
        ("Beijing", True, "CN"),
        ("Washington", True, "US"),
        ("Moscow", True, "RU"),
        ("Kremlin", True, "RU"),
        ("Tehran", True, "IR"),
        ("Beijing", False, None),
        ("Kremlin", False, None),
        ("Atlantis", True, None),
    ],
)
def test_countries_resolve_to_iso_codes(
    tables: NameTables, name: str, as_government: bool, code: str
) -> None:
    assert tables.resolve_country(name, as_government=as_government) == code


def test_alias_table_codes_exist() -> None:
    aliases = tomllib.loads((ROOT / "configs/kg/aliases.toml").read_text(encoding="utf-8"))
    countries = tomllib.loads((ROOT / "configs/countries.toml").read_text(encoding="utf-8"))["countries"]
    for section in ("government_seats", "demonyms"):
        for name, code in aliases[section].items():
            assert code in countries, (section, name, code)


def test_surname_joins_the_full_name(tables: NameTables) -> None:
    text = "Kyriakos Mitsotakis arrived. Later Mitsotakis said Greece would wait."
    ids = entity_ids(text, [("Kyriakos Mitsotakis", "PERSON"), ("Mitsotakis", "PERSON", 1)], tables)
    assert ids[0] == ids[1] == ("PERSON", "", "kyriakos mitsotakis")


def test_headline_surname_joins_a_later_full_name_and_titles_are_ignored(tables: NameTables) -> None:
    text = "Mitsotakis in Ankara. Prime Minister Kyriakos Mitsotakis flew in."
    ids = entity_ids(
        text, [("Mitsotakis", "PERSON"), ("Prime Minister Kyriakos Mitsotakis", "PERSON")], tables
    )
    assert ids[0] == ids[1] == ("PERSON", "", "kyriakos mitsotakis")


def test_two_people_with_one_surname_stay_apart(tables: NameTables) -> None:
    text = "Joe Biden spoke. Hunter Biden did not."
    ids = entity_ids(text, [("Joe Biden", "PERSON"), ("Hunter Biden", "PERSON")], tables)
    assert ids[0] != ids[1]


def test_acronym_and_parenthetical_definition(tables: NameTables) -> None:
    text = (
        "The Federal Bureau of Investigation said on Monday that the FBI had made arrests. The Fiscal "
        "Information and Investigation Service (FIOD) joined, and FIOD agents searched offices."
    )
    specs: list[Spec] = [
        ("Federal Bureau of Investigation", "AGENCY"),
        ("FBI", "AGENCY"),
        ("Fiscal Information and Investigation Service", "AGENCY"),
        ("FIOD", "AGENCY"),
        ("FIOD", "AGENCY", 1),
    ]
    ids = entity_ids(text, specs, tables)
    assert ids[0] == ids[1] == ("AGENCY", "", "federal bureau of investigation")
    assert ids[2] == ids[3] == ids[4] != ids[0]


def test_leading_article_is_ignored(tables: NameTables) -> None:
    text = (
        "the Ministry of Foreign Affairs said the Ministry of Foreign Affairs ... Ministry of Foreign Affairs"
    )
    mentions = [
        find(text, ("the Ministry of Foreign Affairs", "AGENCY")),
        find(text, ("Ministry of Foreign Affairs", "AGENCY", 2)),
    ]
    result = canonicalise_document(DocumentInput("d", text, mentions), tables)
    assert len(result.entities) == 1
    assert result.entities[0].name == "Ministry of Foreign Affairs"


@pytest.mark.parametrize(
    ("text", "specs", "part_of"),
    [
        ("China's Ministry of Foreign Affairs said", [("China", "COUNTRY"), ("Ministry of Foreign Affairs", "AGENCY")], []),
        ("China's Ministry of Foreign Affairs said", [("China's Ministry of Foreign Affairs", "AGENCY")], []),
        ("the Chinese Ministry of Foreign Affairs said", [("Chinese Ministry of Foreign Affairs", "AGENCY")], []),
        ("the Ministry of Foreign Affairs of China said", [("Ministry of Foreign Affairs", "AGENCY"), ("China", "COUNTRY")], []),
        (
            "The Ministry of Foreign Affairs, an arm of Beijing, said",
            [("Ministry of Foreign Affairs", "AGENCY"), ("Beijing", "COUNTRY")],
            [(("Ministry of Foreign Affairs", "AGENCY"), ("Beijing", "COUNTRY"))],
        ),
    ],
)  # fmt: skip
def test_agencies_are_scoped_to_their_country(
    tables: NameTables, text: str, specs: list[Spec], part_of
) -> None:
    ids = entity_ids(text, specs, tables, part_of)
    agency = next(key for key, spec in zip(ids, specs, strict=True) if spec[1] == "AGENCY")
    assert agency == ("AGENCY", "CN", "ministry of foreign affairs")
    assert node_id_for(agency) == "agency:CN:ministry-of-foreign-affairs"


def test_agencies_of_two_countries_are_never_merged(tables: NameTables) -> None:
    text = (
        "Greece's Ministry of Foreign Affairs and Turkey's Ministry of Foreign Affairs met. Later the "
        "Ministry of Foreign Affairs said talks would go on."
    )
    specs: list[Spec] = [
        ("Greece", "COUNTRY"),
        ("Ministry of Foreign Affairs", "AGENCY"),
        ("Turkey", "COUNTRY"),
        ("Ministry of Foreign Affairs", "AGENCY", 1),
        ("Ministry of Foreign Affairs", "AGENCY", 2),
    ]
    ids = entity_ids(text, specs, tables)
    assert ids[1] == ("AGENCY", "GR", "ministry of foreign affairs")
    assert ids[3] == ("AGENCY", "TR", "ministry of foreign affairs")
    assert ids[4] == ids[3]  # the nearest preceding scoped mention


def test_capital_is_a_country_only_when_labelled_country(tables: NameTables) -> None:
    text = "Beijing denied it. A hotel in Beijing hosted China's envoy."
    ids = entity_ids(text, [("Beijing", "COUNTRY"), ("Beijing", "LOC", 1), ("China", "COUNTRY")], tables)
    assert ids[0] == ids[2] == ("COUNTRY", "CN", "")
    assert ids[1] == ("LOC", "", "beijing")


def test_one_word_org_joins_its_longer_name_but_generic_words_do_not(tables: NameTables) -> None:
    text = "Maasdijk Precision exported parts. Maasdijk denied it. National Grid and National agreed."
    specs: list[Spec] = [
        ("Maasdijk Precision", "ORG"),
        ("Maasdijk", "ORG", 1),
        ("National Grid", "ORG"),
        ("National", "ORG", 1),
    ]
    ids = entity_ids(text, specs, tables)
    assert ids[0] == ids[1]
    assert ids[2] != ids[3]


def test_merge_across_documents_with_a_log(tables: NameTables) -> None:
    a = "The Federal Bureau of Investigation (FBI) and Kyriakos Mitsotakis met the U.S. envoy."
    b = "The FBI said Mitsotakis had called the United States and Washington agreed."
    docs = [
        DocumentInput("a", a, mentions_in(a, [("Federal Bureau of Investigation", "AGENCY"), ("FBI", "AGENCY"),
                                               ("Kyriakos Mitsotakis", "PERSON"), ("U.S.", "COUNTRY")])),
        DocumentInput("b", b, mentions_in(b, [("FBI", "AGENCY"), ("Mitsotakis", "PERSON"), ("United States", "COUNTRY"),
                                               ("Washington", "COUNTRY")])),
    ]  # fmt: skip
    canon = canonicalise_corpus(docs, tables)
    assert canon.node_id("b", find(b, ("FBI", "AGENCY"))) == "agency:federal-bureau-of-investigation"
    assert canon.node_id("b", find(b, ("Mitsotakis", "PERSON"))) == "person:kyriakos-mitsotakis"
    assert canon.node_id("b", find(b, ("Washington", "COUNTRY"))) == canon.node_id(
        "a", find(a, ("U.S.", "COUNTRY"))
    )
    us = canon.nodes["country:US"]
    assert us.name == "United States" and us.aliases == {"U.S.": 1, "United States": 1, "Washington": 1}
    log = {(m.level, m.rule, m.a, m.b, m.doc_ids) for m in canon.merges}
    assert ("document", "parenthetical-abbreviation", "Federal Bureau of Investigation", "FBI", ("a",)) in log
    assert ("corpus", "acronym-expansion", "FBI", "Federal Bureau of Investigation", ("a", "b")) in log
    assert ("corpus", "person-name-expansion", "Mitsotakis", "Kyriakos Mitsotakis", ("a", "b")) in log
    assert ("document", "iso-code", "United States", "Washington", ("b",)) in log
    assert ("corpus", "iso-code", "United States", "United States", ("a", "b")) in log


def test_ambiguous_short_names_are_not_expanded(tables: NameTables) -> None:
    texts = {"a": "Joe Biden spoke.", "b": "Hunter Biden spoke.", "c": "Biden spoke."}
    specs = {"a": ("Joe Biden", "PERSON"), "b": ("Hunter Biden", "PERSON"), "c": ("Biden", "PERSON")}
    docs = [DocumentInput(k, t, [find(t, specs[k])]) for k, t in texts.items()]
    canon = canonicalise_corpus(docs, tables)
    assert sorted(canon.nodes) == ["person:biden", "person:hunter-biden", "person:joe-biden"]


def test_canonicalisation_is_deterministic(tables: NameTables) -> None:
    text = "Kyriakos Mitsotakis met Mitsotakis's aides in the Hellenic Police HQ and the Hellenic Police."
    specs: list[Spec] = [("Kyriakos Mitsotakis", "PERSON"), ("Mitsotakis", "PERSON", 1),
                         ("Hellenic Police", "AGENCY"), ("Hellenic Police", "AGENCY", 1)]  # fmt: skip
    first = entity_ids(text, specs, tables)
    assert first == entity_ids(text, list(reversed(specs)), tables)[::-1]
    assert first[2] == ("AGENCY", "GR", "police")
