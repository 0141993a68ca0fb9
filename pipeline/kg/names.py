"""Names as the knowledge graph compares them: normalised keys, acronyms, and the reviewed name tables.

Reads `configs/kg/canon.toml` (rule settings), `configs/kg/aliases.toml` (the reviewed alias table) and
`configs/countries.toml` (country names, aliases and capitals, shared with the baseline). Writes nothing.

Country codes are ISO 3166-1 alpha-2 throughout, as in `configs/countries.toml` (whose one user-assigned code,
XK for Kosovo, has no alpha-3 in pycountry); the alpha-3 code is added as a property where pycountry has one.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import pycountry

from pipeline.config import Config
from pipeline.countries import sovereign_names
from pipeline.errors import ConfigError

_APOSTROPHES = "'’ʼ`´"
_SPLIT_WORDS = re.compile(r"[\s\-‐‑–—/]+")


def fold(text: str) -> str:
    """Case- and compatibility-folded text with accents removed from Latin letters only.

    Accents are dropped only where the base letter is ASCII, so "Türkiye" meets "Turkiye" while scripts whose
    marks carry meaning (Devanagari vowel signs, Cyrillic й) keep them.
    """
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    out: list[str] = []
    for char in decomposed:
        if unicodedata.combining(char) and out and out[-1].isascii():
            continue
        out.append(char)
    return unicodedata.normalize("NFC", "".join(out))


def tokens(text: str) -> list[str]:
    """Folded word tokens: runs of letters, digits and marks; apostrophes join ("O'Brien" -> "obrien").

    A run of single letters is one token, so "U.S." and "US", "F.B.I." and "FBI" give the same key.
    """
    words: list[str] = []
    current: list[str] = []
    for char in fold(text):
        if char in _APOSTROPHES:
            continue
        if unicodedata.category(char)[0] in "LNM":
            current.append(char)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    return _join_initials(words)


def _join_initials(words: list[str]) -> list[str]:
    out: list[str] = []
    run: list[str] = []
    for word in [*words, ""]:
        if len(word) == 1:
            run.append(word)
            continue
        if len(run) >= 2:
            out.append("".join(run))
        else:
            out.extend(run)
        run = []
        if word:
            out.append(word)
    return out


def key_of(words: list[str] | tuple[str, ...], surface: str) -> str:
    """The comparison key of a tokenised name; a name with no letters or digits keys on a hash of its text."""
    if words:
        return " ".join(words)
    return "~" + hashlib.sha256(surface.encode("utf-8")).hexdigest()[:12]


def slug(key: str) -> str:
    """The key as an id segment: tokens joined by '-', which no token contains, so it is one-to-one."""
    return key.replace(" ", "-")


def acronym_letters(surface: str, min_letters: int, max_letters: int) -> str | None:
    """The letters of an acronym ("FBI", "F.B.I.", "FAMa"), upper-cased, or None for other names."""
    compact = surface.replace(".", "").strip()
    if not compact.isalpha() or not min_letters <= len(compact) <= max_letters:
        return None
    upper = sum(char.isupper() for char in compact)
    if upper < 2 or upper * 2 < len(compact):
        return None
    return compact.upper()


def initials(surface: str, stopwords: frozenset[str], articles: frozenset[str]) -> set[str]:
    """Acronyms a long name can have: initials of every word, of the words not in `stopwords`, and of the
    capitalised words; upper-cased. Empty for one-word names."""
    words = [w.strip("()[]{}.,;:\"'’") for w in _SPLIT_WORDS.split(surface.strip())]
    words = [w for w in words if w]
    if words and fold(words[0]) in articles:
        words = words[1:]
    if len(words) < 2:
        return set()
    options = (
        words,
        [w for w in words if fold(w) not in stopwords],
        [w for w in words if w[0].isupper()],
    )
    return {"".join(w[0] for w in option).upper() for option in options if len(option) >= 2}


@dataclass(frozen=True, slots=True)
class Definition:
    """A textual pattern saying that two adjacent mentions name one entity."""

    rule: str
    between: re.Pattern[str]
    after: re.Pattern[str] | None


@dataclass(frozen=True)
class CanonSettings:
    """The rule settings of `configs/kg/canon.toml`, folded for comparison."""

    articles: frozenset[str]
    acronym_stopwords: frozenset[str]
    acronym_min_letters: int
    acronym_max_letters: int
    person_titles: tuple[tuple[str, ...], ...]  # longest first
    generic_words: frozenset[str]
    definitions: tuple[Definition, ...]

    @classmethod
    def from_toml(cls, data: dict[str, Any], where: str) -> CanonSettings:
        try:
            titles = {tuple(tokens(t)) for t in data["person_titles"]}
            definitions = tuple(
                Definition(
                    rule=d["rule"],
                    between=re.compile(d["between"], re.IGNORECASE),
                    after=re.compile(d["after"], re.IGNORECASE) if d.get("after") else None,
                )
                for d in data.get("definitions", [])
            )
            return cls(
                articles=frozenset(fold(a) for a in data["articles"]),
                acronym_stopwords=frozenset(fold(w) for w in data["acronym_stopwords"]),
                acronym_min_letters=int(data["acronym_min_letters"]),
                acronym_max_letters=int(data["acronym_max_letters"]),
                person_titles=tuple(sorted((t for t in titles if t), key=lambda t: (-len(t), t))),
                generic_words=frozenset(" ".join(tokens(w)) for w in data["generic_words"]),
                definitions=definitions,
            )
        except KeyError as e:
            raise ConfigError(f"{where}: missing key {e}") from None
        except re.error as e:
            raise ConfigError(f"{where}: invalid regular expression: {e}") from None


class NameTables:
    """Everything the canonicaliser looks names up in: settings, countries, demonyms and reviewed aliases."""

    def __init__(self, settings: CanonSettings, countries: dict[str, Any], aliases: dict[str, Any]) -> None:
        self.settings = settings
        self.country_names: dict[str, str] = {}  # key -> code: names and aliases of sovereign states
        self.seats: dict[
            str, str
        ] = {}  # key -> code: capitals and seats of government (COUNTRY mentions only)
        self.territories: dict[str, str] = {}  # key -> code: other ISO 3166-1 entries, tried last
        self.display: dict[str, str] = {}  # code -> preferred name
        self.demonyms: dict[str, str] = {}  # key -> code
        self.entity_aliases: dict[
            tuple[str, str], str
        ] = {}  # (label, alias key) -> key of the name it stands for
        self._load_countries(countries)
        self._load_aliases(aliases)

    @classmethod
    def load(cls, config: Config | None = None) -> NameTables:
        config = config or Config()
        settings = CanonSettings.from_toml(config.toml("kg/canon.toml"), "kg/canon.toml")
        countries = config.toml("countries.toml").get("countries", {})
        return cls(settings, countries, config.toml("kg/aliases.toml"))

    def _load_countries(self, countries: dict[str, Any]) -> None:
        for name, code in sovereign_names(countries):
            self.country_names.setdefault(key_of(tokens(name), name), code)
        for code, entry in sorted(countries.items()):
            if entry.get("name"):
                self.display[code] = entry["name"]
            if entry.get("sovereign", True):
                for capital in entry.get("capitals", []):
                    self.seats.setdefault(key_of(tokens(capital), capital), code)
            else:
                for name in [entry.get("name", ""), *entry.get("aliases", [])]:
                    if name:
                        self.territories.setdefault(key_of(tokens(name), name), code)
        for country in pycountry.countries:
            code = country.alpha_2
            self.display.setdefault(code, getattr(country, "common_name", None) or country.name)
            for attr in ("name", "common_name", "official_name"):
                if value := getattr(country, attr, None):
                    self.territories.setdefault(key_of(tokens(value), value), code)

    def _load_aliases(self, aliases: dict[str, Any]) -> None:
        for name, code in aliases.get("government_seats", {}).items():
            self.seats.setdefault(key_of(tokens(name), name), code)
        for name, code in aliases.get("demonyms", {}).items():
            self.demonyms[key_of(tokens(name), name)] = code
        for label, table in aliases.get("entities", {}).items():
            for alias, target in table.items():
                self.entity_aliases[(label, key_of(tokens(alias), alias))] = key_of(tokens(target), target)

    def resolve_country(self, surface: str, as_government: bool) -> str | None:
        """The ISO code of a country name; capitals and seats of government count only `as_government`."""
        words = self.strip_article(tokens(surface))
        key = key_of(words, surface)
        if code := self.country_names.get(key):
            return code
        if as_government and (code := self.seats.get(key)):
            return code
        return self.territories.get(key)

    def country_prefix(self, words: list[str]) -> tuple[str, int] | None:
        """(code, number of words) when a name starts with a country name or demonym followed by more words:
        "Chinese Ministry of Foreign Affairs", "U.S. Department of State"."""
        for n in range(min(3, len(words) - 1), 0, -1):
            key = " ".join(words[:n])
            code = self.demonyms.get(key) or self.country_names.get(key)
            if code and any(w not in self.settings.acronym_stopwords for w in words[n:]):
                return code, n
        return None

    def country_name(self, code: str) -> str:
        return self.display.get(code, code)

    @staticmethod
    def alpha3(code: str) -> str | None:
        country = pycountry.countries.get(alpha_2=code)
        return country.alpha_3 if country else None

    def strip_article(self, words: list[str]) -> list[str]:
        if len(words) > 1 and words[0] in self.settings.articles:
            return words[1:]
        return words

    def strip_titles(self, words: list[str]) -> list[str]:
        """A person's name words without leading titles ("President Xi Jinping" -> xi jinping)."""
        changed = True
        while changed:
            changed = False
            for title in self.settings.person_titles:
                if len(words) > len(title) and tuple(words[: len(title)]) == title:
                    words = words[len(title) :]
                    changed = True
                    break
        return words

    def alias_key(self, label: str, key: str) -> str | None:
        """The key of the name a reviewed alias stands for, or None if `key` is no listed alias."""
        target = self.entity_aliases.get((label, key))
        return target if target is not None and target != key else None

    def is_generic(self, word: str) -> bool:
        return word in self.settings.generic_words

    def is_country_word(self, words: list[str]) -> bool:
        key = " ".join(words)
        return key in self.demonyms or key in self.country_names
