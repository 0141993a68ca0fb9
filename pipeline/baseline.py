"""The rule-based baseline extractor: the comparison point every model must beat, and a weak labeller.

Entities: spaCy `en_core_web_sm` NER mapped into the news schema, with country names and aliases (pycountry plus
`configs/countries.toml`), capitals used as governments, and an agency gazetteer generated from the PETRARCH and
DWIE name lists. Relations: surface and dependency patterns ("X-based Y", "X's Ministry of ...", "City, Country",
"Prime Minister X of Y") and CAMEO-derived trigger lexicons for the interaction relations.

Reads its settings from `configs/baseline.toml`; sets `doc.ents` and `doc._.relations` on spaCy docs.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from pipeline.config import Config, read_lines
from pipeline.countries import sovereign_names
from pipeline.relations_rules import RelationRules

logger = logging.getLogger(__name__)

NAME = "baseline"
_ARTICLES = {"the", "a", "an"}
_POSSESSIVE = {"'s", "’s", "'", "’"}


@dataclass(frozen=True, slots=True)
class Relation:
    """A relation between two entity spans of a doc, as stored in `doc._.relations`."""

    head: Span
    relation: str
    tail: Span
    score: float
    rule: str
    trigger: Span | None = None


_RELATIONS_KEY = "newsgraph.relations"


def _get_relations(doc: Doc) -> list[Relation] | None:
    rows = doc.user_data.get(_RELATIONS_KEY)
    if rows is None:
        return None
    out = []
    for h0, h1, hl, name, t0, t1, tl, score, rule, trig in rows:
        trigger = Span(doc, trig[0], trig[1], label=trig[2]) if trig else None
        out.append(
            Relation(Span(doc, h0, h1, label=hl), name, Span(doc, t0, t1, label=tl), score, rule, trigger)
        )
    return out


def _set_relations(doc: Doc, value: list[Relation] | None) -> None:
    """Stored as plain rows (token offsets and labels), so `DocBin(store_user_data=True)` keeps them."""
    if value is None:
        doc.user_data.pop(_RELATIONS_KEY, None)
        return
    doc.user_data[_RELATIONS_KEY] = [
        (
            r.head.start,
            r.head.end,
            r.head.label_,
            r.relation,
            r.tail.start,
            r.tail.end,
            r.tail.label_,
            float(r.score),
            r.rule,
            (r.trigger.start, r.trigger.end, r.trigger.label_) if r.trigger is not None else None,
        )
        for r in value
    ]


def register_extensions() -> None:
    """Idempotent: `doc._.relations` (a list of `Relation`), `doc._.entity_scores`, and the model's
    `doc._.windows` (encoder windows used) and `doc._.misaligned` (mentions widened to token boundaries)."""
    if not Doc.has_extension("relations"):
        Doc.set_extension("relations", getter=_get_relations, setter=_set_relations)
    for name in ("entity_scores", "windows", "misaligned"):
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)


class Gazetteers:
    """Country names, aliases and capitals, agency names and agency head words."""

    def __init__(self, config: Config, files: dict[str, str]) -> None:
        countries = config.toml(files["countries"]).get("countries", {})
        self.country_names: dict[str, str] = {}  # lowercased name or alias -> ISO code
        self.country_surface: set[str] = set()  # names as written, for the phrase matcher
        self.capitals: dict[str, str] = {}  # capital -> ISO code
        for name, code in sovereign_names(countries):
            self.country_names[name.lower()] = code
            self.country_surface.add(name)
        for code, entry in countries.items():
            if entry.get("sovereign", True):
                for capital in entry.get("capitals", []):
                    self.capitals[capital.lower()] = code
        self.agencies = read_lines(config.path(files["agencies"]))
        self.agency_names = {a.lower() for a in self.agencies}
        self.agency_heads = [h.lower() for h in read_lines(config.path(files["agency_heads"]))]

    def is_country(self, text: str) -> bool:
        return _strip_article(text).lower() in self.country_names

    def is_capital(self, text: str) -> bool:
        return text.lower() in self.capitals

    def is_agency(self, text: str) -> bool:
        low = _strip_article(text).lower()
        if low in self.agency_names:
            return True
        words = low.replace("-", " ").split()
        joined = f" {' '.join(words)} "
        return any(f" {head} " in joined for head in self.agency_heads)


def _strip_article(text: str) -> str:
    first, _, rest = text.partition(" ")
    return rest if first.lower() in _ARTICLES and rest else text


class BaselineExtractor:
    """spaCy NER + gazetteers + patterns. `__call__` annotates a parsed doc in place and returns it."""

    name = NAME

    def __init__(self, config: Config) -> None:
        settings = config.toml("baseline.toml")
        self.version: str = settings["version"]
        self.schema = config.schema
        self.entity_scores: dict[str, float] = settings["entity_scores"]
        self.label_map: dict[str, str] = settings["label_map"]
        self.gaz = Gazetteers(config, settings["files"])
        self.rules = RelationRules(
            settings, config.toml(settings["files"]["triggers"]), self.schema, self.gaz
        )
        self._matcher: PhraseMatcher | None = None
        register_extensions()

    def matcher(self, doc: Doc) -> PhraseMatcher:
        if self._matcher is None:
            matcher = PhraseMatcher(doc.vocab, attr="ORTH")
            from spacy.lang.en import English

            nlp = English(
                vocab=doc.vocab
            )  # names are tokenised by a blank English tokenizer on the same vocab
            matcher.add("AGENCY", [nlp.make_doc(n) for n in self.gaz.agencies if len(n) > 2])
            matcher.add("COUNTRY", [nlp.make_doc(n) for n in self.gaz.country_surface])
            self._matcher = matcher
        return self._matcher

    def __call__(self, doc: Doc) -> Doc:
        spans, scores = self.entities(doc)
        doc.ents = spans
        doc._.entity_scores = scores
        doc._.relations = self.rules.find(doc)
        return doc

    def pipe(self, docs: Iterable[Doc]) -> Iterable[Doc]:
        for doc in docs:
            yield self(doc)

    # Entities --------------------------------------------------------------------------------------------------

    def entities(self, doc: Doc) -> tuple[list[Span], list[float]]:
        """Schema entities of a parsed doc and a prior score for each."""
        found: list[tuple[Span, float]] = []
        for ent in doc.ents:
            found.extend(self._map_entity(doc, ent))
        for match_id, start, end in self.matcher(doc)(doc):
            label = doc.vocab.strings[match_id]
            span = Span(doc, start, end, label=label)
            found.append((span, self.entity_scores["gazetteer"] + 0.01))  # gazetteer wins ties over spaCy
        found.extend(self.rules.pattern_entities(doc, [s for s, _ in found]))
        best: dict[tuple[int, int], tuple[Span, float]] = {}
        for span, score in found:
            key = (span.start, span.end)
            if key not in best or score > best[key][1]:
                best[key] = (span, score)
        spans = filter_spans([s for s, _ in best.values()])
        spans.sort(key=lambda s: s.start)
        return spans, [round(best[(s.start, s.end)][1], 4) for s in spans]

    def _map_entity(self, doc: Doc, ent: Span) -> list[tuple[Span, float]]:
        base = self.label_map.get(ent.label_)
        if base is None:
            return []
        score = self.entity_scores["spacy"]
        out: list[tuple[Span, float]] = []
        if _is_dateline(ent):
            return [(Span(doc, ent.start, ent.end, label="LOC"), score)]
        for part, owner in _split_possessive(ent, self.gaz):
            part = _trim(part)
            if part is None:
                continue
            if base == "":  # NORP: a demonym is not an entity, but "Chinese Ministry of ..." joins the agency
                continue
            label = self._refine(part, base, owner)
            out.append((Span(doc, part.start, part.end, label=label), score))
        return out

    def _refine(self, span: Span, base: str, is_owner: bool) -> str:
        text = span.text
        if base in ("LOC", "ORG") and self.gaz.is_country(text):
            return "COUNTRY"
        if base == "LOC" and self.gaz.is_capital(text) and (is_owner or _is_actor(span)):
            return "COUNTRY"
        if base == "ORG" and self.gaz.is_agency(text):
            return "AGENCY"
        return base


def _is_dateline(ent: Span) -> bool:
    """ "NAIROBI, March 3 —": an upper-case place opening a paragraph, followed by a comma."""
    doc = ent.doc
    at_start = ent.start == 0 or "\n" in doc[ent.start - 1].text or doc[ent.start - 1].is_space
    followed = ent.end < len(doc) and doc[ent.end].text in (",", "(")
    return at_start and followed and ent.text.isupper() and len(ent.text) > 2


def _split_possessive(ent: Span, gaz: Gazetteers) -> list[tuple[Span, bool]]:
    """ "China's Ministry of Public Security" -> [(China, owner), (Ministry of Public Security, not owner)];
    "Federal Prosecutor's Office" stays whole because its first part is not a country."""
    for i, tok in enumerate(ent):
        if tok.text in _POSSESSIVE and tok.tag_ == "POS" and 0 < i < len(ent) - 1:
            owner = ent[:i]
            if gaz.is_country(_strip_article(owner.text)) or gaz.is_capital(owner.text):
                return [(owner, True), (ent[i + 1 :], False)]
            return [(ent, False)]
    is_owner = ent.end < len(ent.doc) and ent.doc[ent.end].tag_ == "POS"
    return [(ent, is_owner)]


def _trim(span: Span) -> Span | None:
    """Without a leading article, a trailing possessive, punctuation or whitespace."""
    start, end = span.start, span.end
    doc = span.doc
    while start < end and (doc[start].lower_ in _ARTICLES or doc[start].is_punct or doc[start].is_space):
        start += 1
    while end > start and (
        doc[end - 1].text in _POSSESSIVE or doc[end - 1].is_punct or doc[end - 1].is_space
    ):
        end -= 1
    return doc[start:end] if end > start else None


def _is_actor(span: Span) -> bool:
    """A place name acting as a subject ("Beijing has denied", "Washington said") stands for its government."""
    root = span.root
    if root.dep_ in ("nsubj", "nsubjpass", "agent"):
        return True
    if root.dep_ == "pobj" and root.head.lower_ == "by" and root.head.dep_ == "agent":
        return True
    return root.dep_ == "poss"


def token_entity_index(doc: Doc) -> list[int]:
    """For each token, the index of the entity in `doc.ents` that contains it, or -1."""
    index = [-1] * len(doc)
    for n, ent in enumerate(doc.ents):
        for i in range(ent.start, ent.end):
            index[i] = n
    return index


def entity_of(tok: Token, index: Sequence[int], ents: Sequence[Span]) -> Span | None:
    """The entity a token stands for: the one containing it, else one attached as compound, possessor or apposition."""
    if index[tok.i] >= 0:
        return ents[index[tok.i]]
    for child in tok.children:
        if child.dep_ in ("compound", "poss", "appos", "nmod") and index[child.i] >= 0:
            return ents[index[child.i]]
    return None
