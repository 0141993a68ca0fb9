"""Canonicalisation: which mentions name one entity, within a document and across documents.

Within a document (`canonicalise_document`) mentions are joined by the named rules of `pipeline.kg.rules`
(same name, ISO code, reviewed alias, agency scope, definitions, acronyms, person short names, name prefixes).
Across documents (`canonicalise_corpus`) entities merge by canonical key (type, country scope, key of the
canonical name; the ISO 3166-1 code for countries); an entity known only by an acronym or a one-word person name
takes the unique longer name that other documents give it (`acronym-expansion`, `person-name-expansion`). Every
join is in the merge log, with the rule, the two surface forms and the documents that show it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from pipeline.kg.names import NameTables, slug, tokens
from pipeline.kg.rules import (
    FAMILY,
    Clusters,
    MentionInfo,
    Merge,
    Span,
    attach_unscoped,
    describe,
    merge_acronyms,
    merge_definitions,
    merge_name_prefixes,
    merge_person_names,
    merge_same_key,
    scope_from_context,
    span_of,
)
from pipeline.types import Mention


@dataclass(frozen=True, slots=True)
class DocumentInput:
    """What canonicalisation needs of one document: its text, its mentions and its part_of pairs."""

    doc_id: str
    text: str
    mentions: Sequence[Mention]
    part_of: Sequence[tuple[Mention, Mention]] = ()


@dataclass(slots=True)
class LocalEntity:
    """One entity of one document: its mentions and the key it merges on across documents."""

    doc_id: str
    label: str
    name: str
    key: tuple[str, str, str]  # (label, ISO code or agency scope or "", name key)
    scope: str | None
    code: str | None
    mentions: list[Mention]
    acronyms: frozenset[str]
    has_long_name: bool
    first: int


@dataclass(slots=True)
class DocumentEntities:
    doc_id: str
    entities: list[LocalEntity]
    index: dict[Span, int]
    merges: list[tuple[int, Merge]]  # (entity index, why two of its forms were joined)


def _rank(info: MentionInfo, counts: Counter[str]) -> tuple[bool, int, int, bool, int, int]:
    """Sort key of the name that represents an entity: a full name over an acronym, more words, then (for
    people, whose titles do not count) fewer raw words or (for others) more, mixed case, frequency, position."""
    raw = -info.raw_words if info.mention.label != "PERSON" else info.raw_words
    text = info.mention.text
    return (bool(info.acronym), -len(info.words), raw, text.isupper(), -counts[text], info.mention.start)


def display_name(surface: str, tables: NameTables) -> str:
    """A surface form without a leading article, otherwise exactly as written."""
    first, sep, rest = surface.partition(" ")
    if sep and rest.strip() and "".join(tokens(first)) in tables.settings.articles:
        return rest.lstrip()
    return surface


def _entity(doc_id: str, members: list[MentionInfo], clusters: Clusters, tables: NameTables) -> LocalEntity:
    root = clusters.find(members[0].pos)
    counts = Counter(i.mention.text for i in members)
    best = min(members, key=lambda i: _rank(i, counts))
    labels = Counter(i.mention.label for i in members)
    label = max(labels, key=lambda lab: (labels[lab], lab == best.mention.label, lab))
    code, scope = clusters.code[root], clusters.scope[root]
    if label == "COUNTRY" and code:
        name, key = tables.country_name(code), ("COUNTRY", code, "")
    else:
        name, key = display_name(best.mention.text, tables), (label, scope or "", best.key)
    return LocalEntity(
        doc_id=doc_id,
        label=label,
        name=name,
        key=key,
        scope=scope if label == "AGENCY" else None,
        code=code if label == "COUNTRY" else None,
        mentions=[i.mention for i in members],
        acronyms=frozenset(i.key for i in members if i.acronym),
        has_long_name=any(not i.acronym for i in members),
        first=members[0].mention.start,
    )


def canonicalise_document(doc: DocumentInput, tables: NameTables) -> DocumentEntities:
    """Group the mentions of one document into entities by the rules of `pipeline.kg.rules`, in order."""
    unique = sorted({span_of(m): m for m in doc.mentions}.values(), key=lambda m: (m.start, m.end, m.label))
    infos = [describe(pos, m, tables) for pos, m in enumerate(unique)]
    scope_from_context(infos, doc.text, doc.part_of)
    clusters = Clusters(doc.doc_id, infos)
    merge_same_key(clusters)
    attach_unscoped(clusters)
    merge_definitions(clusters, doc.text, tables)
    merge_acronyms(clusters, tables)
    merge_person_names(clusters)
    merge_name_prefixes(clusters, tables)
    groups: dict[int, list[MentionInfo]] = defaultdict(list)
    for info in infos:
        groups[clusters.find(info.pos)].append(info)
    entities = [_entity(doc.doc_id, members, clusters, tables) for _, members in sorted(groups.items())]
    index = {span_of(m): n for n, entity in enumerate(entities) for m in entity.mentions}
    merges = [(index[span_of(infos[pos].mention)], merge) for pos, merge in clusters.merges]
    return DocumentEntities(doc.doc_id, entities, index, merges)


# Across documents.


@dataclass(slots=True)
class CanonicalEntity:
    """One node of the graph: an entity across documents."""

    id: str
    label: str
    name: str
    key: tuple[str, str, str]
    code: str | None
    scope: str | None
    aliases: Counter[str] = field(default_factory=Counter)
    doc_ids: set[str] = field(default_factory=set)
    mentions: int = 0


@dataclass(slots=True)
class Canonicalisation:
    """Every document's entities, the node each belongs to, the nodes and the merge log."""

    documents: dict[str, DocumentEntities]
    node_of: dict[tuple[str, int], str]
    nodes: dict[str, CanonicalEntity]
    merges: list[Merge]

    def node_id(self, doc_id: str, mention: Mention) -> str:
        doc = self.documents[doc_id]
        return self.node_of[(doc_id, doc.index[span_of(mention)])]


def node_id_for(key: tuple[str, str, str]) -> str:
    """A readable, stable node id: country:CN, agency:CN:ministry-of-foreign-affairs, person:kyriakos-mitsotakis."""
    label, qualifier, name_key = key
    if label == "COUNTRY":
        return f"country:{qualifier}" if qualifier else f"country:name:{slug(name_key)}"
    base = label.lower()
    return f"{base}:{qualifier}:{slug(name_key)}" if qualifier else f"{base}:{slug(name_key)}"


@dataclass(frozen=True, slots=True)
class _Expansion:
    key: tuple[str, str, str]
    rule: str
    long_name: str
    source_doc: str


def _acronym_expansions(entities: list[LocalEntity]) -> dict[int, _Expansion]:
    """Entities known only by an acronym, mapped to the one long name other documents define for it."""
    learned: dict[tuple[str, str], dict[tuple[str, str, str], tuple[str, str]]] = defaultdict(dict)
    for entity in entities:
        if entity.has_long_name:
            for acronym in entity.acronyms:
                family = FAMILY.get(entity.label, entity.label)
                learned[(family, acronym)].setdefault(entity.key, (entity.name, entity.doc_id))
    out: dict[int, _Expansion] = {}
    for n, entity in enumerate(entities):
        if entity.has_long_name or not entity.acronyms:
            continue
        family = FAMILY.get(entity.label, entity.label)
        options = learned.get((family, entity.key[2]), {})
        if entity.scope:
            options = {k: v for k, v in options.items() if k[1] == entity.scope}
        if len(options) == 1:
            (key, (name, doc_id)) = next(iter(options.items()))
            out[n] = _Expansion(key, "acronym-expansion", name, doc_id)
    return out


def _person_expansions(entities: list[LocalEntity]) -> dict[int, _Expansion]:
    """One-word person entities ("Mitsotakis"), mapped to the one full name in the corpus that ends or starts
    with that word."""
    by_word: dict[str, dict[tuple[str, str, str], tuple[str, str]]] = defaultdict(dict)
    for entity in entities:
        words = entity.key[2].split(" ")
        if entity.label == "PERSON" and len(words) >= 2:
            for word in {words[0], words[-1]}:
                by_word[word].setdefault(entity.key, (entity.name, entity.doc_id))
    out: dict[int, _Expansion] = {}
    for n, entity in enumerate(entities):
        if entity.label != "PERSON" or " " in entity.key[2]:
            continue
        options = by_word.get(entity.key[2], {})
        if len(options) == 1:
            (key, (name, doc_id)) = next(iter(options.items()))
            out[n] = _Expansion(key, "person-name-expansion", name, doc_id)
    return out


def canonicalise_corpus(docs: Iterable[DocumentInput], tables: NameTables) -> Canonicalisation:
    """Canonicalise every document, then merge their entities into nodes by canonical key."""
    documents = {d.doc_id: canonicalise_document(d, tables) for d in sorted(docs, key=lambda d: d.doc_id)}
    located = [(doc.doc_id, n, e) for doc in documents.values() for n, e in enumerate(doc.entities)]
    entities = [e for _, _, e in located]
    expansions = _acronym_expansions(entities) | _person_expansions(entities)
    nodes: dict[str, CanonicalEntity] = {}
    members: dict[str, list[LocalEntity]] = defaultdict(list)
    node_of: dict[tuple[str, int], str] = {}
    merges: list[Merge] = []
    for n, (doc_id, index, entity) in enumerate(located):
        expansion = expansions.get(n)
        key = expansion.key if expansion else entity.key
        node_id = node_id_for(key)
        node_of[(doc_id, index)] = node_id
        if node_id not in nodes:
            nodes[node_id] = CanonicalEntity(node_id, key[0], entity.name, key, entity.code, entity.scope)
        elif not expansion:
            founder = members[node_id][0]
            rule = "iso-code" if entity.code else "same-key"
            merges.append(Merge(rule, founder.name, entity.name, (founder.doc_id, doc_id), "corpus", node_id))
        if expansion:
            pair = (expansion.source_doc, doc_id)
            merges.append(Merge(expansion.rule, entity.name, expansion.long_name, pair, "corpus", node_id))
        _add_to_node(nodes[node_id], entity)
        members[node_id].append(entity)
    for doc in documents.values():
        for index, merge in doc.merges:
            merges.append(_with_node(merge, node_of[(doc.doc_id, index)]))
    for node in nodes.values():
        node.name = _node_name(node, members[node.id], tables)
    return Canonicalisation(documents, node_of, dict(sorted(nodes.items())), compact_merges(merges))


def _add_to_node(node: CanonicalEntity, entity: LocalEntity) -> None:
    node.aliases.update(m.text for m in entity.mentions)
    node.doc_ids.add(entity.doc_id)
    node.mentions += len(entity.mentions)
    node.code = node.code or entity.code
    node.scope = node.scope or entity.scope


def _with_node(merge: Merge, node_id: str) -> Merge:
    return Merge(merge.rule, merge.a, merge.b, merge.doc_ids, merge.level, node_id)


def _node_name(node: CanonicalEntity, members: list[LocalEntity], tables: NameTables) -> str:
    """The country's preferred name, else the entity name with most words, then most mentions, over documents."""
    if node.label == "COUNTRY" and node.code:
        return tables.country_name(node.code)
    weight: Counter[str] = Counter()
    acronym_only: dict[str, bool] = {}
    for entity in members:
        weight[entity.name] += len(entity.mentions)
        acronym_only[entity.name] = acronym_only.get(entity.name, True) and not entity.has_long_name
    words = {name: len(tokens(name)) for name in weight}
    return min(weight, key=lambda name: (acronym_only[name], -words[name], -weight[name], name))


def compact_merges(merges: Iterable[Merge]) -> list[Merge]:
    """One record per (level, node, rule, pair of forms), with every document that shows it; sorted."""
    docs: dict[tuple[str, str, str, str, str], set[str]] = defaultdict(set)
    for m in merges:
        docs[(m.level, m.node_id, m.rule, m.a, m.b)].update(m.doc_ids)
    return [
        Merge(rule, a, b, tuple(sorted(doc_ids)), level, node_id)
        for (level, node_id, rule, a, b), doc_ids in sorted(docs.items())
    ]
