"""GUM (Zeldes 2017) with its GENTLE test2 documents: entity mentions of 16 genres, named ones kept.

Source: `gum/dep/<doc>.conllu` (UD trees; MISC `Entity=` brackets `(GRP-etype-infstat-salience-centering-minspan-
link[-identity]` ... `GRP)`, identity = Wikipedia title) and `gum/splits.md` (the train/dev/test/test2 lists).

Text: the words in order, separated as the file says (`SpaceAfter=No`; a multi-word token such as "daughter's"
is written once, in its surface form, and its words are cut from it), sentences joined by one space and by "\\n"
where a paragraph (`# newpar`) starts. `tokens` are the UD words; `sentences` the conllu sentences.

Mentions: GUM brackets every referring expression (pronouns, common nouns, nested). Only named mentions are
kept: those whose syntactic head (the word of the span whose head lies outside it) is a PROPN. A leading
determiner or punctuation and a trailing possessive 's or punctuation are cut off the span, as the schema wants
("the United States" -> "United States"). `orig` is GUM's entity type; person, organization and place map into
the schema ([entities]); other types (event, object, time ...) are kept with no schema label. `cluster` is the
GUM entity (coreference group) number; `meta["links"]` maps a cluster to its Wikipedia title where it has one.

Reddit documents are distributed without their text (every word is underscores; the text has to be fetched
from Reddit). They are kept, so that the document, sentence and token counts are GUM's, with
`meta["text_missing"] = True` and no mentions; use `has_text()` to leave them out of NER data.

`meta["entity_mentions"]` counts all of a document's bracketed mentions by type (named or not) and
`meta["linked_mentions"]` those with an identity link, the figures the corpus README publishes.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.config import Config
from pipeline.errors import ConfigError, DataError
from pipeline.gold.format import GoldDocument, GoldMention
from pipeline.gold.refine import Mapper
from pipeline.gold.spec import CorpusSpec

# "(open attributes" with an optional ")" closing it on the same word, or "GRP)" closing an open mention
_BRACKET = re.compile(r"\((?P<open>[^()]+)(?P<single>\))?|(?P<close>[^()]+)\)")
_SPLIT_HEADING = re.compile(r"^##\s+(\S+)")
_SPLIT_ITEM = re.compile(r"^\s*[*-]\s+(\S+)")
_MISSING_TEXT = re.compile(r"_+")


@dataclass
class Word:
    form: str
    upos: str
    xpos: str
    head: int  # document word index of the syntactic head, -1 for the root
    misc: dict[str, str]
    start: int = 0
    end: int = 0


@dataclass
class ConlluDocument:
    name: str
    words: list[Word] = field(default_factory=list)
    sentences: list[tuple[int, int]] = field(default_factory=list)  # word ranges [first, end)
    paragraph_starts: set[int] = field(default_factory=set)  # sentence indices that open a paragraph
    # multi-word tokens: first word -> (end word, surface form, space after)
    surface: dict[int, tuple[int, str, bool]] = field(default_factory=dict)


@dataclass(frozen=True)
class Bracket:
    first: int  # document word indices, end exclusive
    end: int
    group: str
    etype: str
    identity: str | None


def read_splits(path: Path) -> dict[str, list[str]]:
    """Document names per split from GUM's splits.md (`## split` headings over `* name` items)."""
    splits: dict[str, list[str]] = {}
    current = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if m := _SPLIT_HEADING.match(line):
            current = m.group(1)
            splits[current] = []
        elif current and (m := _SPLIT_ITEM.match(line)):
            splits[current].append(m.group(1))
    return splits


def _misc(value: str) -> dict[str, str]:
    if value == "_":
        return {}
    return dict(part.partition("=")[::2] for part in value.split("|"))


def read_conllu(path: Path) -> ConlluDocument:
    doc = ConlluDocument(path.stem)
    sentence_first = 0
    new_paragraph = False
    offset = 0  # document index of the sentence's word 1
    pending_mwt: tuple[int, int, str, bool] | None = None
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("#"):
            new_paragraph |= line.startswith("# newpar")
            continue
        if not line.strip():
            if len(doc.words) > sentence_first:
                if new_paragraph:
                    doc.paragraph_starts.add(len(doc.sentences))
                doc.sentences.append((sentence_first, len(doc.words)))
            sentence_first, offset, new_paragraph = len(doc.words), len(doc.words), False
            continue
        cols = line.split("\t")
        if len(cols) != 10:
            raise DataError(f"{path}:{lineno}: expected 10 tab-separated columns, found {len(cols)}")
        if "." in cols[0]:
            continue  # empty nodes of the enhanced graph: no surface word
        if "-" in cols[0]:
            a, b = (int(x) for x in cols[0].split("-"))
            pending_mwt = (offset + a - 1, offset + b, cols[1], _misc(cols[9]).get("SpaceAfter") != "No")
            doc.surface[pending_mwt[0]] = pending_mwt[1:]
            continue
        head = int(cols[6]) if cols[6].isdigit() else 0
        doc.words.append(Word(cols[1], cols[3], cols[4], offset + head - 1 if head else -1, _misc(cols[9])))
    if len(doc.words) > sentence_first:
        doc.sentences.append((sentence_first, len(doc.words)))
    return doc


def lay_out_text(doc: ConlluDocument) -> tuple[str, list[tuple[int, int]]]:
    """The document text; sets each word's character span and returns the sentences' character spans."""
    parts: list[str] = []
    length = 0
    sentence_spans = []
    for k, (first, end) in enumerate(doc.sentences):
        if k:
            sep = "\n" if k in doc.paragraph_starts else " "
            parts.append(sep)
            length += len(sep)
        start = length
        i = first
        while i < end:
            if i in doc.surface:
                stop, form, space = doc.surface[i]
                cursor = length
                for w in doc.words[i:stop]:  # GUM's multi-word tokens are the concatenation of their words
                    w.start, w.end = cursor, cursor + len(w.form)
                    cursor = w.end
                if cursor - length != len(form):
                    raise DataError(f"{doc.name}: multi-word token {form!r} is not its words joined")
            else:
                stop, form, space = i + 1, doc.words[i].form, doc.words[i].misc.get("SpaceAfter") != "No"
                doc.words[i].start, doc.words[i].end = length, length + len(form)
            parts.append(form)
            length += len(form)
            if space and stop < end:
                parts.append(" ")
                length += 1
            i = stop
        sentence_spans.append((start, length))
    return "".join(parts), sentence_spans


def read_brackets(doc: ConlluDocument) -> list[Bracket]:
    brackets = []
    open_: dict[str, list[tuple[int, list[str]]]] = {}
    for i, w in enumerate(doc.words):
        value = w.misc.get("Entity")
        if not value:
            continue
        for m in _BRACKET.finditer(value):
            if m.group("open"):
                attrs = m.group("open").split("-", 7)
                if len(attrs) < 7:
                    raise DataError(f"{doc.name}: word {i}: entity bracket {m.group(0)!r} has too few fields")
                if m.group("single"):
                    brackets.append(_bracket(i, i + 1, attrs))
                else:
                    open_.setdefault(attrs[0], []).append((i, attrs))
            else:
                stack = open_.get(m.group("close"))
                if not stack:
                    raise DataError(
                        f"{doc.name}: word {i}: closes entity {m.group('close')} that is not open"
                    )
                first, attrs = stack.pop()
                brackets.append(_bracket(first, i + 1, attrs))
    if any(open_.values()):
        raise DataError(f"{doc.name}: entity brackets left open: {sorted(k for k, v in open_.items() if v)}")
    return brackets


def _bracket(first: int, end: int, attrs: list[str]) -> Bracket:
    identity = attrs[7] if len(attrs) > 7 and attrs[7] not in ("", "_") else None
    return Bracket(first, end, attrs[0], attrs[1], identity)


def syntactic_head(words: list[Word], first: int, end: int) -> int:
    """The first word of `[first, end)` whose head lies outside the span."""
    return next((i for i in range(first, end) if not first <= words[i].head < end), first)


def trim(words: list[Word], first: int, end: int) -> tuple[int, int]:
    """Cut a leading determiner or punctuation and a trailing possessive or punctuation off a name."""
    while first < end and (words[first].upos in ("DET", "PUNCT")):
        first += 1
    while end > first and (words[end - 1].xpos == "POS" or words[end - 1].upos == "PUNCT"):
        end -= 1
    return first, end


def has_text(doc: GoldDocument) -> bool:
    """False for the documents GUM distributes without their text (Reddit)."""
    return not doc.meta.get("text_missing", False)


def _split_sources(spec: CorpusSpec, split: str) -> tuple[str, str]:
    entry = spec.splits[split]
    if not isinstance(entry, dict) or "list" not in entry or "conllu" not in entry:
        raise ConfigError(f"configs/gold/{spec.name}.toml: [splits.{split}] needs `list` and `conllu`")
    return entry["list"], entry["conllu"]


def convert(root: Path, split: str, spec: CorpusSpec, config: Config) -> Iterator[GoldDocument]:
    mapper = Mapper(spec, config)
    listing, folder = _split_sources(spec, split)
    names = read_splits(root / listing).get(split)
    if not names:
        raise DataError(f"{root / listing}: no documents listed under '## {split}'")
    for name in names:
        doc = read_conllu(root / folder / f"{name}.conllu")
        text, sentence_spans = lay_out_text(doc)
        sentence_of_word = [k for k, (first, end) in enumerate(doc.sentences) for _ in range(first, end)]
        brackets = read_brackets(doc)
        text_missing = all(_MISSING_TEXT.fullmatch(w.form) for w in doc.words)
        mentions = {}
        links: dict[int, str] = {}
        for b in [] if text_missing else brackets:
            if doc.words[syntactic_head(doc.words, b.first, b.end)].upos != "PROPN":
                continue
            first, end = trim(doc.words, b.first, b.end)
            if first == end:
                continue
            start, stop = doc.words[first].start, doc.words[end - 1].end
            cluster = int(b.group) if b.group.isdigit() else None
            if b.identity and cluster is not None:
                links[cluster] = b.identity
            mentions[(start, stop, b.etype, cluster)] = GoldMention(
                start=start,
                end=stop,
                text=text[start:stop],
                orig=b.etype,
                label=mapper.entity(b.etype, text[start:stop]),
                sentence=sentence_of_word[first],
                cluster=cluster,
            )
        yield GoldDocument(
            id=f"{spec.name}-{split}-{name}",
            dataset=spec.name,
            split=split,
            text=text,
            sentences=tuple(sentence_spans),
            mentions=tuple(
                mentions[k] for k in sorted(mentions, key=lambda k: (k[0], k[1], k[2], k[3] or -1))
            ),
            tokens=tuple((w.start, w.end) for w in doc.words),
            meta={
                "name": name,
                "genre": name.split("_")[1] if name.count("_") >= 2 else "",
                "text_missing": text_missing,
                "links": {str(k): v for k, v in sorted(links.items())},
                "entity_mentions": dict(sorted(Counter(b.etype for b in brackets).items())),
                "linked_mentions": dict(sorted(Counter(b.etype for b in brackets if b.identity).items())),
            },
        )
