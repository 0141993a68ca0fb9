"""The rules that join mentions of one document into entities, each named in the merge log.

In the order `canonicalise_document` applies them:

- `same-name`: equal comparison keys (case, accents, punctuation and a leading article ignored; titles dropped
  from person names); `iso-code`: COUNTRY mentions resolving to one ISO 3166-1 code ("U.S.", "Washington");
  `reviewed-alias`: a name in `configs/kg/aliases.toml`;
- `agency-scope`: an AGENCY mention without a country of its own joins the nearest mention of the same name that
  has one (from "China's ...", "Chinese ...", "... of China", or a `part_of` triple to a country);
- `parenthetical-abbreviation`, `known-as`: "Federal Bureau of Investigation (FBI)", "..., known as the Hawks"
  (patterns in `configs/kg/canon.toml`);
- `acronym`: an acronym and a name whose initials spell it (nearest such name, preceding first);
- `person-short-name`: "Mitsotakis" joins the nearest "Kyriakos Mitsotakis" (any run of its words);
- `name-prefix`: a one-word ORG/AGENCY name that starts a longer one ("Maasdijk" / "Maasdijk Precision").

A join never puts two countries, or agencies of two countries, into one entity (`Clusters.union` refuses it).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pipeline.kg.names import NameTables, acronym_letters, initials, key_of, tokens
from pipeline.types import Mention

# ORG and AGENCY are easily confused by an extractor, so the rules that rest on the text itself (an acronym, a
# definition) may join them; all other joins keep one type.
FAMILY = {"ORG": "ORG/AGENCY", "AGENCY": "ORG/AGENCY"}
_POSSESSIVE_OWNER = re.compile(r"['’]s?\s+$")
_POSSESSIVE_IN_NAME = re.compile(r"['’]s?\s+")
_OF_COUNTRY = re.compile(r"\s+of\s+(?:the\s+)?$", re.IGNORECASE)
_MAX_DEFINITION_GAP = 60

Span = tuple[int, int, str]  # start, end, label: how triples point at entity mentions


def span_of(mention: Mention) -> Span:
    return (mention.start, mention.end, mention.label)


@dataclass(frozen=True, slots=True)
class Merge:
    """Why two surface forms became one entity: the rule, the two forms, and the documents that show it."""

    rule: str
    a: str
    b: str
    doc_ids: tuple[str, ...]
    level: str  # "document" (a rule inside one document) or "corpus" (entities of several documents)
    node_id: str = ""


@dataclass(slots=True)
class MentionInfo:
    """One distinct mention, with the keys the rules compare."""

    pos: int
    mention: Mention
    words: list[str]  # comparison words: article, country prefix and person titles removed
    raw_words: int
    key: str
    scope: str | None = None
    code: str | None = None
    acronym: str | None = None
    aliased: bool = False
    prefix_words: int = 0  # words of a country name or demonym that start the surface


class Clusters:
    """Union-find over the mentions of one document that refuses joins of different countries."""

    def __init__(self, doc_id: str, infos: list[MentionInfo]) -> None:
        self.doc_id = doc_id
        self.infos = infos
        self.parent = list(range(len(infos)))
        self.scope = [i.scope for i in infos]
        self.code = [i.code for i in infos]
        self.labels = [{i.mention.label} for i in infos]
        self.merges: list[tuple[int, Merge]] = []  # (position of a joined mention, merge)

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int, rule: str, cross_type: bool = False) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb or not self._compatible(ra, rb, cross_type):
            return False
        root, child = min(ra, rb), max(ra, rb)
        self.parent[child] = root
        self.scope[root] = self.scope[root] or self.scope[child]
        self.code[root] = self.code[root] or self.code[child]
        self.labels[root] |= self.labels[child]
        ta, tb = self.infos[a].mention.text, self.infos[b].mention.text
        if ta != tb:
            self.merges.append((a, Merge(rule, ta, tb, (self.doc_id,), "document")))
        return True

    def _compatible(self, ra: int, rb: int, cross_type: bool) -> bool:
        for values in (self.scope, self.code):
            if values[ra] and values[rb] and values[ra] != values[rb]:
                return False
        labels = self.labels[ra] | self.labels[rb]
        if len(labels) == 1:
            return True
        same_family = len({FAMILY.get(label, label) for label in labels}) == 1
        return same_family and (cross_type or bool(self.labels[ra] & self.labels[rb]))


def describe(pos: int, mention: Mention, tables: NameTables) -> MentionInfo:
    """The comparison key of one mention; countries resolve to codes, agencies lose a country prefix."""
    settings = tables.settings
    words = tables.strip_article(tokens(mention.text))
    info = MentionInfo(pos, mention, words, len(words), key_of(words, mention.text))
    label = mention.label
    if label == "COUNTRY":
        info.code = tables.resolve_country(mention.text, as_government=True)
        return info
    if label == "PERSON":
        info.words = tables.strip_titles(words)
    elif label == "AGENCY":
        _scope_from_surface(info, tables)
    if label in FAMILY:
        info.acronym = acronym_letters(
            mention.text, settings.acronym_min_letters, settings.acronym_max_letters
        )
    info.key = key_of(info.words, mention.text)
    if target := tables.alias_key(label, info.key):
        info.key, info.words, info.aliased = target, target.split(" "), True
    return info


def _scope_from_surface(info: MentionInfo, tables: NameTables) -> None:
    """Scope an agency whose mention names its country ("China's Ministry of ...", "Chinese Ministry of ...");
    the compared name drops the owner, so it meets "Ministry of ..." scoped to the same country."""
    text = info.mention.text
    for match in _POSSESSIVE_IN_NAME.finditer(text):
        code = tables.resolve_country(text[: match.start()], as_government=True)
        rest = tables.strip_article(tokens(text[match.end() :]))
        if code and rest:
            info.scope, info.words = code, rest
            info.prefix_words = len(text[: match.end()].split())
            return
    if found := tables.country_prefix(info.words):
        code, n = found
        info.scope, info.words, info.prefix_words = code, info.words[n:], n


def scope_from_context(
    infos: list[MentionInfo], text: str, part_of: Sequence[tuple[Mention, Mention]]
) -> None:
    """Scope AGENCY mentions by a country owner right before ("China's"), "of China" right after, or a
    part_of triple whose tail is a country."""
    by_span = {span_of(i.mention): i for i in infos}
    countries = [i for i in infos if i.mention.label == "COUNTRY" and i.code and _grounded(i, text)]
    for info in infos:
        if info.mention.label != "AGENCY" or info.scope or not _grounded(info, text):
            continue
        start, end = info.mention.start, info.mention.end
        for country in countries:
            before = text[country.mention.end : start] if country.mention.end <= start else None
            after = text[end : country.mention.start] if end <= country.mention.start else None
            if (before is not None and _POSSESSIVE_OWNER.fullmatch(before)) or (
                after is not None and _OF_COUNTRY.fullmatch(after)
            ):
                info.scope = country.code
                break
    for head, tail in part_of:
        agency, country = by_span.get(span_of(head)), by_span.get(span_of(tail))
        if agency and country and agency.mention.label == "AGENCY" and not agency.scope and country.code:
            agency.scope = country.code


def _grounded(info: MentionInfo, text: str) -> bool:
    """Whether the mention's offsets slice to its text, so looking around it in the text is meaningful."""
    m = info.mention
    return 0 <= m.start < m.end <= len(text) and text[m.start : m.end] == m.text


def _group_key(info: MentionInfo) -> tuple[str, str, str]:
    if info.mention.label == "COUNTRY" and info.code:
        return ("COUNTRY", info.code, "")
    return (info.mention.label, info.scope or "", info.key)


def merge_same_key(clusters: Clusters) -> None:
    infos = clusters.infos
    scoped_names = {i.key for i in infos if i.mention.label == "AGENCY" and i.scope}
    groups: dict[tuple[str, str, str], list[MentionInfo]] = defaultdict(list)
    for info in infos:
        if info.mention.label == "AGENCY" and not info.scope and info.key in scoped_names:
            continue  # joins the nearest scoped mention in attach_unscoped, not all of them at once
        groups[_group_key(info)].append(info)
    for members in groups.values():
        first = members[0]
        for other in members[1:]:
            if first.mention.label == "COUNTRY" and first.code:
                rule = "iso-code"
            elif first.aliased or other.aliased:
                rule = "reviewed-alias"
            else:
                rule = "same-name"
            clusters.union(first.pos, other.pos, rule)


def _nearest(info: MentionInfo, candidates: Iterable[MentionInfo]) -> MentionInfo | None:
    """The candidate closest before the mention, else the closest after it."""
    before = [c for c in candidates if c.mention.start < info.mention.start]
    if before:
        return max(before, key=lambda c: c.mention.start)
    after = [c for c in candidates if c.mention.start > info.mention.start]
    return min(after, key=lambda c: c.mention.start) if after else None


def attach_unscoped(clusters: Clusters) -> None:
    infos = clusters.infos
    for info in infos:
        if info.mention.label != "AGENCY" or info.scope:
            continue
        scoped = [c for c in infos if c.mention.label == "AGENCY" and c.scope and c.key == info.key]
        if target := _nearest(info, scoped):
            clusters.union(target.pos, info.pos, "agency-scope")


def merge_definitions(clusters: Clusters, text: str, tables: NameTables) -> None:
    """ "Long Name (ACR)", "ACR (Long Name)", "Long Name, known as X": adjacent mentions of one entity."""
    infos = clusters.infos
    for a_pos, a in enumerate(infos):
        if not _grounded(a, text):
            continue
        b = next((c for c in infos[a_pos + 1 :] if c.mention.start >= a.mention.end), None)
        if b is None or not _grounded(b, text) or b.mention.start - a.mention.end > _MAX_DEFINITION_GAP:
            continue
        between = text[a.mention.end : b.mention.start]
        for definition in tables.settings.definitions:
            if not definition.between.fullmatch(between):
                continue
            if definition.after and not definition.after.match(text[b.mention.end : b.mention.end + 20]):
                continue
            clusters.union(a.pos, b.pos, definition.rule, cross_type=True)
            break


def merge_acronyms(clusters: Clusters, tables: NameTables) -> None:
    settings = tables.settings
    infos = clusters.infos
    long_names = [i for i in infos if i.mention.label in FAMILY and not i.acronym and i.raw_words >= 2]
    spelled: dict[int, set[str]] = {}
    for info in long_names:
        options = initials(info.mention.text, settings.acronym_stopwords, settings.articles)
        if info.prefix_words:
            rest = " ".join(info.mention.text.split()[info.prefix_words :])
            options |= initials(rest, settings.acronym_stopwords, settings.articles)
        spelled[info.pos] = options
    for info in infos:
        if info.acronym and info.mention.label in FAMILY:
            candidates = [c for c in long_names if info.acronym in spelled[c.pos]]
            if target := _nearest(info, candidates):
                clusters.union(target.pos, info.pos, "acronym", cross_type=True)


def merge_person_names(clusters: Clusters) -> None:
    infos = [i for i in clusters.infos if i.mention.label == "PERSON" and i.words]
    for info in infos:
        n = len(info.words)
        candidates = [c for c in infos if len(c.words) > n and _contains(c.words, info.words)]
        if target := _nearest(info, candidates):
            clusters.union(target.pos, info.pos, "person-short-name")


def _contains(words: list[str], part: list[str]) -> bool:
    """Whether `part` is a run of consecutive words of `words` (a surname, a given name, or the paternal
    surname of a Spanish double surname: "Salgado" in "Hector Salgado Ibarra")."""
    n = len(part)
    return any(words[i : i + n] == part for i in range(len(words) - n + 1))


def merge_name_prefixes(clusters: Clusters, tables: NameTables) -> None:
    infos = clusters.infos
    for info in infos:
        label = info.mention.label
        if label not in FAMILY or info.acronym or len(info.words) != 1:
            continue
        word = info.words[0]
        if tables.is_generic(word) or tables.is_country_word(info.words):
            continue
        candidates = [
            c for c in infos if c.mention.label == label and len(c.words) >= 2 and c.words[0] == word
        ]
        if target := _nearest(info, candidates):
            clusters.union(target.pos, info.pos, "name-prefix")
