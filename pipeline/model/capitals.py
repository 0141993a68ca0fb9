"""Capitals that stand for their governments ("Kampala has not commented", "accused Juba of ...") typed COUNTRY, as
the schema asks; the city as a place ("a hotel in Kampala") stays LOC.

The tagger learns this from context, and it does so for the capitals it saw often in training (Moscow, Beijing,
Washington). For rarer ones it falls back to LOC, or even PERSON or ORG, as in "Chisinau accused Moscow". Reporters
use a few fixed constructions for a capital as an actor, and this rule reads them from the words next to the
mention. A predicted LOC, PERSON or ORG mention whose text is a capital (and not also a country's name, as
Singapore is) becomes COUNTRY when one of these holds:
- the word before it is a verb of accusing or pressing ("accused", "condemned", "urged", ...);
- it is followed by a possessive ("Hanoi's request") or by a verb or modal ("Juba rejected", "Kampala has"). The
  word before it must not be a preposition or article that makes it a place ("a court in Madrid said").

A capital joined by "and" or "or" to one the rule retyped is retyped too ("urged Ankara and Baghdad").

On the news gold corpus outside its test split (train, both incoming sets and dev), 486 mentions are such
capitals. Read with every one of them typed LOC, the rule retypes 131 (2 of them through "and"), all annotated
COUNTRY: 66% of the 199 COUNTRY ones and none of the 287 LOC ones (`docs/benchmarks.md`, session 14).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import replace
from functools import cache
from pathlib import Path

from pipeline.gold.format import GoldMention

#: A verb or modal right after the capital: the capital is the subject.
ACTOR_VERBS = frozenset(
    [
        "said",
        "says",
        "say",
        "has",
        "have",
        "had",
        "is",
        "was",
        "were",
        "will",
        "would",
        "could",
        "can",
        "may",
        "might",
        "must",
        "should",
        "did",
        "does",
        "do",
        "denied",
        "denies",
        "deny",
        "dismissed",
        "dismisses",
        "rejected",
        "rejects",
        "accused",
        "accuses",
        "condemned",
        "condemns",
        "lifted",
        "listed",
        "calls",
        "called",
        "gave",
        "gives",
        "ordered",
        "orders",
        "signed",
        "signs",
        "reacted",
        "supported",
        "supports",
        "hopes",
        "hoped",
        "wants",
        "wanted",
        "insists",
        "insisted",
        "responded",
        "urged",
        "urges",
        "warned",
        "warns",
        "welcomed",
        "welcomes",
        "announced",
        "announces",
        "agreed",
        "agrees",
        "imposed",
        "imposes",
        "expelled",
        "expels",
        "recalled",
        "recalls",
        "remained",
        "remains",
        "refused",
        "refuses",
        "threatened",
        "threatens",
        "blamed",
        "blames",
        "argued",
        "argues",
        "claims",
        "claimed",
        "demanded",
        "demands",
        "protested",
        "protests",
        "summoned",
        "summons",
        "suspended",
        "suspends",
        "approved",
        "approves",
        "regards",
        "considers",
        "views",
        "sees",
        "came",
        "sent",
        "sends",
        "stripped",
        "confirmed",
        "confirms",
        "criticised",
        "criticized",
        "declined",
        "declines",
    ]
)
#: A verb right before the capital whose object is a government.
ACTOR_OBJECT_VERBS = frozenset(
    [
        "accused",
        "accusing",
        "accuse",
        "accuses",
        "condemned",
        "condemning",
        "criticised",
        "criticized",
        "criticising",
        "pressuring",
        "pressured",
        "press",
        "notified",
        "urged",
        "urging",
        "warned",
        "warning",
        "supported",
        "blamed",
        "blaming",
        "sanctioned",
    ]
)
#: A word right before the capital that makes it a place.
PLACE_BEFORE = frozenset(
    [
        "in",
        "to",
        "from",
        "at",
        "the",
        "a",
        "an",
        "of",
        "near",
        "outside",
        "visited",
        "visit",
        "via",
        "into",
        "around",
        "across",
        "for",
        "by",
        "on",
    ]
)
_POSSESSIVE = re.compile(r"(’|')s\b")
_EDGE = "\"'“”‘’,.;:()"


@cache
def capital_names(countries_path: str) -> frozenset[str]:
    """Capitals of sovereign states in `configs/countries.toml`, without those that are also a country's name or
    alias (Singapore, Luxembourg)."""
    from pipeline.config import read_toml
    from pipeline.countries import sovereign_names

    countries = read_toml(Path(countries_path)).get("countries", {})
    names = {name for name, _ in sovereign_names(countries)}
    capitals = {
        c for entry in countries.values() if entry.get("sovereign", True) for c in entry.get("capitals", [])
    }
    return frozenset(capitals - names)


def acts_as_government(text: str, mention: GoldMention) -> bool:
    """Whether the words next to `mention` make the capital an actor (the constructions of the module docstring)."""
    before = text[max(0, mention.start - 40) : mention.start].split()
    prev = before[-1].strip(_EDGE).lower() if before else ""
    if prev in ACTOR_OBJECT_VERBS:
        return True
    if prev in PLACE_BEFORE:
        return False
    after = text[mention.end : mention.end + 40]
    if _POSSESSIVE.match(after):
        return True
    words = after.split()
    return bool(words) and words[0].strip(_EDGE).lower() in ACTOR_VERBS


def capital_governments(
    text: str, mentions: Sequence[GoldMention], capitals: Collection[str]
) -> list[GoldMention]:
    """`mentions` (in text order) with capitals acting as governments typed COUNTRY; scores are left alone."""
    out = list(mentions)
    for k, m in enumerate(mentions):
        if m.label not in ("LOC", "PERSON", "ORG") or m.text not in capitals:
            continue
        joined = (
            k > 0
            and out[k - 1].label == "COUNTRY"
            and out[k - 1].text in capitals
            and text[out[k - 1].end : m.start].strip() in ("and", "or")
        )
        if joined or acts_as_government(text, m):
            out[k] = replace(m, label="COUNTRY", orig="COUNTRY")
    return out
