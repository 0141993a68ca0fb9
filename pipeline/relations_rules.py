"""Relation patterns of the baseline extractor (see `pipeline.baseline`).

Structural relations come from surface patterns over entity spans; interaction relations from trigger words
(CAMEO-derived lexicons in `configs/triggers.toml`) and the dependency parse: the actor is the trigger's
subject (or passive agent), the target its object or prepositional object. Negated and hedged triggers are skipped.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from spacy.tokens import Doc, Span, Token

from pipeline.config import Schema

if TYPE_CHECKING:
    from pipeline.baseline import Gazetteers, Relation


class RelationRules:
    """Finds `Relation`s in a doc whose entities are already set."""

    def __init__(
        self, settings: dict[str, Any], triggers: dict[str, Any], schema: Schema, gaz: Gazetteers
    ) -> None:
        self.scores: dict[str, float] = settings["rules"]
        self.p: dict[str, Any] = settings["patterns"]
        self.schema = schema
        self.gaz = gaz
        self.verb_triggers: dict[str, str] = {}
        self.noun_triggers: dict[str, str] = {}
        for relation, entry in triggers.get("relations", triggers).items():
            if relation not in schema.relations or not isinstance(entry, dict):
                continue
            for lemma in entry.get("verbs", []):
                self.verb_triggers.setdefault(lemma.lower(), relation)
            for phrase in entry.get("phrases", []):
                if " " not in phrase:  # multiword phrases are left to the model; single nouns are triggers
                    self.noun_triggers.setdefault(phrase.lower(), relation)
        self.leader_titles = sorted((t.lower() for t in self.p["leader_titles"]), key=len, reverse=True)
        self.worker_titles = sorted((t.lower() for t in self.p["worker_titles"]), key=len, reverse=True)
        self.hedges = {w.lower() for w in self.p["hedge_words"]}
        self.negations = {w.lower() for w in self.p["negation_words"]}

    # Entities that only a pattern reveals ---------------------------------------------------------------------

    def pattern_entities(self, doc: Doc, known: Sequence[Span]) -> list[tuple[Span, float]]:
        """The name after "X-based <organisation noun>": "Madrid-based campaigner Safeguard Defenders" is an ORG,
        whether spaCy missed it or took it for a person."""
        org_nouns = {w.lower() for w in self.p["org_nouns"]}
        others = {i for s in known if s.label_ != "PERSON" for i in range(s.start, s.end)}
        out: list[tuple[Span, float]] = []
        for based in self._based_hyphen_tokens(doc):
            i = based.i + 1
            limit = min(len(doc), i + self.p["max_based_gap_tokens"])
            saw_org_noun = False
            while i < limit and doc[i].pos_ != "PROPN":
                if doc[i].is_sent_start or i in others or doc[i].pos_ in ("VERB", "AUX", "PUNCT"):
                    break
                saw_org_noun = saw_org_noun or doc[i].lemma_.lower() in org_nouns
                i += 1
            if i >= limit or i in others or doc[i].pos_ != "PROPN" or not saw_org_noun:
                continue
            j = i
            while (
                j < len(doc)
                and doc[j].pos_ == "PROPN"
                and j not in others
                and (doc[j].is_title or doc[j].is_upper)
            ):
                j += 1
            if j > i:
                out.append((Span(doc, i, j, label="ORG"), self.p["org_pattern_score"]))
        return out

    def _based_hyphen_tokens(self, doc: Doc) -> Iterator[Token]:
        words = {w.lower() for w in self.p["based_words"]}
        for tok in doc:
            if tok.lower_ in words and tok.i >= 2 and doc[tok.i - 1].text in ("-", "–"):
                yield tok

    # Relations -------------------------------------------------------------------------------------------------

    def find(self, doc: Doc) -> list[Relation]:
        from pipeline.baseline import token_entity_index

        index = token_entity_index(doc)
        ents = list(doc.ents)
        found: list[Relation] = []
        found += self._based_in(doc, index, ents)
        found += self._possessive_and_of(doc, index, ents)
        found += self._located_in(doc, ents)
        found += self._titles(doc, index, ents)
        found += self._membership(doc, index, ents)
        found += self._interactions(doc, index, ents)
        return self._dedupe(found)

    def _make(
        self, head: Span, relation: str, tail: Span, rule: str, trigger: Span | None = None
    ) -> list[Relation]:
        from pipeline.baseline import Relation

        if head == tail or head.sent != tail.sent and rule != "interaction_noun":
            return []
        if not self.schema.is_allowed(relation, head.label_, tail.label_):
            return []
        return [
            Relation(
                head=head, relation=relation, tail=tail, score=self.scores[rule], rule=rule, trigger=trigger
            )
        ]

    def _dedupe(self, found: list[Relation]) -> list[Relation]:
        best: dict[tuple[Any, ...], Relation] = {}
        for r in found:
            a, b = (r.head.start, r.head.end), (r.tail.start, r.tail.end)
            if self.schema.is_symmetric(r.relation):
                a, b = min(a, b), max(a, b)
            key = (a, r.relation, b)
            if key not in best or r.score > best[key].score:
                best[key] = r
        return sorted(best.values(), key=lambda r: (r.head.start, r.tail.start, r.relation))

    def _based_in(self, doc: Doc, index: list[int], ents: list[Span]) -> list[Relation]:
        out: list[Relation] = []
        for based in self._based_hyphen_tokens(doc):
            place_i = index[based.i - 2]
            if place_i < 0:
                continue
            place = ents[place_i]
            for ent in ents[place_i + 1 :]:
                if ent.start - based.i > self.p["max_based_gap_tokens"] or ent.sent != place.sent:
                    break
                if ent.label_ in ("ORG", "AGENCY"):
                    out += self._make(
                        ent, "based_in", place, "based_in_hyphen", trigger=doc[based.i - 1 : based.i + 1]
                    )
                    break
        lemmas = {w.lower() for w in self.p["based_lemmas"]}
        for tok in doc:
            if tok.lemma_.lower() not in lemmas or doc[tok.i - 1].text in ("-", "–"):
                continue
            places = [
                entity
                for prep in tok.children
                if prep.lower_ == "in"
                for obj in prep.children
                if obj.dep_ == "pobj"
                for entity in [self._ent(obj, index, ents)]
                if entity is not None
            ]
            heads = [e for e in self._subjects(tok, index, ents)]
            if tok.dep_ in ("acl", "relcl", "amod") and (h := self._ent(tok.head, index, ents)) is not None:
                heads.append(h)
            for head in heads:
                for place in places:
                    out += self._make(
                        head, "based_in", place, "based_in_phrase", trigger=doc[tok.i : tok.i + 1]
                    )
        return out

    def _possessive_and_of(self, doc: Doc, index: list[int], ents: list[Span]) -> list[Relation]:
        """ "China's Ministry of Public Security" and "the Ministry of Defence of Ukraine" -> part_of."""
        out: list[Relation] = []
        for a, b in zip(ents, ents[1:], strict=False):
            between = doc[a.end : b.start]
            if b.label_ not in ("AGENCY", "ORG"):
                continue
            if len(between) == 1 and between[0].tag_ == "POS" and a.label_ in ("COUNTRY", "AGENCY", "ORG"):
                out += self._make(b, "part_of", a, "part_of_possessive")
        for a, b in zip(ents, ents[1:], strict=False):
            between = doc[a.end : b.start]
            if (
                a.label_ == "AGENCY"
                and [t.lower_ for t in between] in (["of"], ["of", "the"])
                and b.label_ == "COUNTRY"
            ):
                out += self._make(a, "part_of", b, "part_of_of")
        return out

    def _located_in(self, doc: Doc, ents: list[Span]) -> list[Relation]:
        """ "Thessaloniki, Greece": a place, a comma, then a country that does not start a list."""
        out: list[Relation] = []
        for k, (a, b) in enumerate(zip(ents, ents[1:], strict=False)):
            if a.label_ != "LOC" or b.label_ != "COUNTRY" or doc[a.end : b.start].text.strip() != ",":
                continue
            after = doc[b.end].lower_ if b.end < len(doc) else ""
            before = doc[a.start - 1].lower_ if a.start > 0 else ""
            if after in ("and", "or") or before == ",":
                continue
            if k + 2 < len(ents) and doc[b.end : ents[k + 2].start].text.strip() == ",":
                continue  # "Paris, France, Berlin, Germany" is still fine; "Italy, Croatia, Serbia" never reaches here
            out += self._make(a, "located_in", b, "located_in_comma")
        return out

    def _title_relation(self, words: str) -> tuple[str, str] | None:
        text = f" {words.lower().strip()} "
        for title in self.leader_titles:
            if f" {title} " in text:
                return "leads", title
        for title in self.worker_titles:
            if f" {title} " in text:
                return "works_for", title
        return None

    def _titles(self, doc: Doc, index: list[int], ents: list[Span]) -> list[Relation]:
        """ "Prime Minister X of Y", "Y's Prime Minister X", "Y spokesperson X", "X, the head of Y"."""
        out: list[Relation] = []
        window = self.p["title_window_tokens"]
        for k, person in enumerate(ents):
            if person.label_ != "PERSON":
                continue
            prev = ents[k - 1] if k > 0 else None
            lo = max(person.sent.start, person.start - window, prev.end if prev is not None else 0)
            before = doc[lo : person.start]
            found = self._title_relation(before.text) if len(before) else None
            if found is not None:
                relation, _ = found
                org = None
                if prev is not None and prev.end >= person.start - window - 1 and prev.sent == person.sent:
                    org = prev
                nxt = ents[k + 1] if k + 1 < len(ents) else None
                if nxt is not None and [t.lower_ for t in doc[person.end : nxt.start]] in (
                    ["of"],
                    ["of", "the"],
                    ["at"],
                    ["for"],
                ):
                    org = nxt
                if org is not None and org.label_ in ("ORG", "AGENCY", "COUNTRY"):
                    rule = "leads_title" if relation == "leads" else "works_for_title"
                    out += self._make(person, relation, org, rule, trigger=before)
            # Apposition after the name: "X, the head of Y," / "X, a spokesperson for Y"
            nxt = ents[k + 1] if k + 1 < len(ents) else None
            if nxt is None or nxt.sent != person.sent or nxt.start - person.end > window + 3:
                continue
            gap = doc[person.end : nxt.start]
            if not len(gap) or gap[0].text != "," or gap[-1].lower_ not in ("of", "at", "for", "'s", "’s"):
                continue
            found = self._title_relation(gap.text)
            if found is not None and nxt.label_ in ("ORG", "AGENCY", "COUNTRY"):
                rule = "leads_title" if found[0] == "leads" else "works_for_title"
                out += self._make(person, found[0], nxt, rule, trigger=gap)
        return out

    def _membership(self, doc: Doc, index: list[int], ents: list[Span]) -> list[Relation]:
        """ "NATO member Poland", "Poland, a member of NATO", "Finland joined NATO"."""
        out: list[Relation] = []
        words = {w.lower() for w in self.p["member_words"]}
        for a, b in zip(ents, ents[1:], strict=False):
            gap = doc[a.end : b.start].text.lower().strip()
            if a.label_ == "ORG" and gap in words:
                out += self._make(b, "member_of", a, "member_of_pattern", trigger=doc[a.end : b.start])
            if gap.startswith(",") and gap.endswith(" of") and any(f" {w} of" in f" {gap}" for w in words):
                out += self._make(a, "member_of", b, "member_of_pattern", trigger=doc[a.end : b.start])
        joins = {w.lower() for w in self.p["join_lemmas"]}
        for tok in doc:
            if tok.pos_ == "VERB" and tok.lemma_.lower() in joins and not self._is_negated_or_hedged(tok):
                for head in self._subjects(tok, index, ents):
                    for tail in self._objects(tok, index, ents, preps=()):
                        out += self._make(
                            head, "member_of", tail, "member_of_pattern", trigger=doc[tok.i : tok.i + 1]
                        )
        return out

    # Interaction relations -------------------------------------------------------------------------------------

    def _interactions(self, doc: Doc, index: list[int], ents: list[Span]) -> list[Relation]:
        out: list[Relation] = []
        governors = {w.lower() for w in self.p["noun_governors"]}
        for tok in doc:
            lemma = tok.lemma_.lower()
            if tok.pos_ == "VERB" and lemma in self.verb_triggers:
                relation = self.verb_triggers[lemma]
                if self._is_negated_or_hedged(tok):
                    continue
                heads, tails = self._verb_arguments(tok, index, ents, relation)
                rule = "interaction_verb"
            elif tok.pos_ == "NOUN" and (lemma in self.noun_triggers or tok.lower_ in self.noun_triggers):
                relation = self.noun_triggers.get(lemma) or self.noun_triggers[tok.lower_]
                heads, tails = self._noun_arguments(tok, index, ents, governors)
                rule = "interaction_noun"
            else:
                continue
            trigger = doc[tok.i : tok.i + 1]
            for head in heads:
                for tail in tails:
                    out += self._make(head, relation, tail, rule, trigger=trigger)
        return out

    def _verb_arguments(
        self, verb: Token, index: list[int], ents: list[Span], relation: str
    ) -> tuple[list[Span], list[Span]]:
        passive = any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children)
        if passive:
            heads = self._prep_objects(verb, index, ents, deps=("agent",))
            tails = [
                e
                for c in verb.children
                if c.dep_ == "nsubjpass"
                for e in self._with_conjuncts(c, index, ents)
            ]
        else:
            heads = self._subjects(verb, index, ents)
            tails = self._objects(verb, index, ents, preps=tuple(self.p["object_preps"]))
            if not tails and relation == "alleges":
                tails = [
                    e
                    for c in verb.children
                    if c.dep_ == "ccomp"
                    for s in c.children
                    if s.dep_ in ("nsubj", "nsubjpass")
                    for e in self._with_conjuncts(s, index, ents)
                ]
        if self.schema.is_symmetric(relation) and len(heads) > 1 and not tails:
            tails = heads[1:]  # "China and Italy signed ..." pairs the conjoined subjects
            heads = heads[:1]
        return heads, tails

    def _noun_arguments(
        self, noun: Token, index: list[int], ents: list[Span], governors: set[str]
    ) -> tuple[list[Span], list[Span]]:
        preps = tuple(self.p["object_preps"])
        tails = self._prep_objects(noun, index, ents, words=preps)
        heads: list[Span] = []
        # "talks between X and Y", "an agreement between X and Y": a symmetric pair with no outside actor
        between = self._prep_objects(noun, index, ents, words=("between",))
        if len(between) >= 2:
            return between[:1], between[1:]
        gov = noun.head
        if (
            noun.dep_ in ("dobj", "nsubjpass")
            and gov.lemma_.lower() in governors
            and not self._is_negated_or_hedged(gov)
        ):
            heads = self._subjects(gov, index, ents)
            if not tails:
                tails = self._objects(gov, index, ents, preps=preps)
        # "the US sanctions on Russia", "Russia's attack on Odessa": the possessor or a compound name is the actor
        for child in noun.children:
            if (
                child.dep_ in ("poss", "compound", "nmod")
                and (e := self._ent(child, index, ents)) is not None
            ):
                heads.append(e)
        return heads, [t for t in tails if t not in heads]

    def _is_negated_or_hedged(self, tok: Token) -> bool:
        for child in tok.children:
            if child.dep_ == "neg" or child.lower_ in self.negations:
                return True
            if child.dep_ in ("aux", "mark") and child.lower_ in self.hedges:
                return True
        return tok.dep_ in ("xcomp",) and self._is_negated_or_hedged(tok.head)

    def _ent(self, tok: Token, index: list[int], ents: list[Span]) -> Span | None:
        from pipeline.baseline import entity_of

        return entity_of(tok, index, ents)

    def _with_conjuncts(self, tok: Token, index: list[int], ents: list[Span]) -> list[Span]:
        out = []
        for t in [tok, *tok.conjuncts]:
            if (e := self._ent(t, index, ents)) is not None and e not in out:
                out.append(e)
        return out

    def _prep_objects(
        self,
        tok: Token,
        index: list[int],
        ents: list[Span],
        words: tuple[str, ...] | None = None,
        deps: tuple[str, ...] = ("prep",),
    ) -> list[Span]:
        """Entities governed by the token's prepositions (of the given words) or passive agent, with conjuncts."""
        return [
            e
            for prep in tok.children
            if prep.dep_ in deps and (words is None or prep.lower_ in words)
            for obj in prep.children
            if obj.dep_ == "pobj"
            for e in self._with_conjuncts(obj, index, ents)
        ]

    def _subjects(self, verb: Token, index: list[int], ents: list[Span]) -> list[Span]:
        subjects = [c for c in verb.children if c.dep_ == "nsubj"]
        if not subjects and verb.dep_ in ("conj", "xcomp", "advcl") and verb.head.pos_ in ("VERB", "AUX"):
            subjects = [c for c in verb.head.children if c.dep_ == "nsubj"]
        return [e for s in subjects for e in self._with_conjuncts(s, index, ents)]

    def _objects(self, verb: Token, index: list[int], ents: list[Span], preps: tuple[str, ...]) -> list[Span]:
        direct = [
            e
            for child in verb.children
            if child.dep_ in ("dobj", "dative", "attr")
            for e in self._with_conjuncts(child, index, ents)
        ]
        return direct + self._prep_objects(verb, index, ents, words=preps)
