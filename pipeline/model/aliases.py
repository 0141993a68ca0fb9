"""Document-level typing of the names a news article gives twice: an abbreviation defined in brackets, and the
short form of a name already given in full.

The tagger reads a window of a few sentences, so "The FAMa confirmed the attack" is typed from that sentence
alone, while the article defined "Malian Armed Forces (FAMa)" paragraphs earlier. Reporters follow fixed
conventions when they name a body or a person a second time, and these rules read them:

- **definition**: "Malian Armed Forces (FAMa)": the bracketed abbreviation takes the type of the name before it,
  and so does every other mention with the same text in the document;
- **initials**: an all-capitals abbreviation whose letters are the initials of the capitalised words of one
  organisation's name elsewhere in the document ("NPA" for "National Prosecuting Authority") takes its type;
- **short form**: a one-word mention that is the first word of an organisation's longer name ("Maasdijk" after
  "Maasdijk Precision") or the last word of a person's name ("Quispe" after "Ana Quispe") takes that name's type.

A rule applies only between the named types given (ORG, AGENCY and PERSON in the news schema; never COUNTRY or
LOC, so "China" stays a country beside "Bank of China") and only when the document offers one type for it. The
renamed mention takes the score of the name that gave the type. On news gold dev (16 articles) the rules changed
25 mention types of news-v6 (shipped at the time), 22 to the gold type and 3 away from it (docs/benchmarks.md, session 14).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import replace

from pipeline.gold.format import GoldMention

PEOPLE = frozenset({"PERSON", "PER"})  # person types: the news schema's and CoNLL-2003's
_ABBREVIATION = re.compile(r"[A-Z][A-Za-z&.]*[A-Z][A-Za-z&.]*")


def is_abbreviation(text: str) -> bool:
    """ "FAMa", "AfDB", "U.S.", "FBI": no space, at least two capitals, the first character one of them."""
    return _ABBREVIATION.fullmatch(text) is not None


def _words(text: str) -> list[str]:
    return text.replace("\u2019s", "").replace("'s", "").split()


def _initials(text: str) -> str:
    return "".join(w[0] for w in text.replace("-", " ").split() if w[:1].isupper())


def _source(names: set[tuple[int, str, float]], k: int) -> tuple[str, float] | None:
    """The type and best score of the full names (index, type, score) other than mention k, if they agree on one
    type."""
    found = {(label, score) for j, label, score in names if j != k}
    if len({label for label, _ in found}) != 1:
        return None
    return max(found, key=lambda ls: ls[1])


def alias_types(
    text: str, mentions: Sequence[GoldMention], scores: Sequence[float], types: Collection[str]
) -> tuple[list[GoldMention], list[float]]:
    """`mentions` (in text order, with their `scores`) retyped by the rules of the module docstring; `types` are
    the labels the rules may read and write. Returns new lists; a mention no rule reaches is returned as is."""
    named = set(types)
    if not named or not mentions:
        return list(mentions), list(scores)
    full = {k for k, m in enumerate(mentions) if m.label in named and m.label not in PEOPLE}
    new: dict[int, tuple[str, float]] = {}

    # definitions: NAME (ABBR), the two mentions adjacent in the list and only a bracket between them
    defined: dict[str, set[tuple[int, str, float]]] = {}
    for k in range(len(mentions) - 1):
        name, abbr = mentions[k], mentions[k + 1]
        if (
            k in full
            and text[name.end : abbr.start].strip() == "("
            and text[abbr.end : abbr.end + 1] == ")"
            and is_abbreviation(abbr.text)
            and len(abbr.text) < len(name.text)
        ):
            defined.setdefault(abbr.text, set()).add((k, name.label, scores[k]))
    for k, m in enumerate(mentions):
        if m.label in named | {"LOC"} and (hit := _source(defined.get(m.text, set()), k)):
            new[k] = hit

    # indexes of the full names: by initials, by first word (organisations), by last word (people)
    by_initials: dict[str, set[tuple[int, str, float]]] = {}
    by_first: dict[str, set[tuple[int, str, float]]] = {}
    by_last: dict[str, set[tuple[int, str, float]]] = {}
    for j, other in enumerate(mentions):
        if other.label not in named:
            continue
        whole = _words(other.text)
        person = other.label in PEOPLE
        if not person:
            by_initials.setdefault(_initials(other.text), set()).add((j, other.label, scores[j]))
        if len(whole) >= 2:
            index = by_last if person else by_first
            index.setdefault(whole[-1] if person else whole[0], set()).add((j, other.label, scores[j]))

    for k, m in enumerate(mentions):
        if k in new or m.label not in named | {"LOC"}:
            continue
        # initials of one organisation's name
        if (
            m.text.isupper()
            and is_abbreviation(m.text)
            and (hit := _source(by_initials.get(m.text, set()), k))
        ):
            new[k] = hit
            continue
        # a one-word short form of a longer name (never a place)
        words = _words(m.text)
        if len(words) == 1 and m.label != "LOC":
            longer = by_first.get(words[0], set()) | by_last.get(words[0], set())
            if hit := _source(longer, k):
                new[k] = hit

    out_mentions, out_scores = list(mentions), list(scores)
    for k, (label, score) in new.items():
        if label != mentions[k].label:
            out_mentions[k] = replace(mentions[k], label=label, orig=label)
            out_scores[k] = score
    return out_mentions, out_scores
