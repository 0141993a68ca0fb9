"""Records at the boundary of the pipeline.

Offsets are character offsets into `Document.text`, half-open `[start, end)`, everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Status(StrEnum):
    """What happened to one input document."""

    OK = "ok"  # cleaned and processed
    EMPTY = "empty"  # nothing left to process (empty input, or no body after cleaning)
    SKIPPED = "skipped"  # not a document we can read (binary, unsupported type); recorded, not processed
    ERROR = "error"  # could not be read or processed; `reason` says why


@dataclass(frozen=True, slots=True)
class RawDocument:
    """One input document as read, before cleaning.

    `fmt` says how to clean it: "text" (already-scraped plain text) or "html".
    A record that could not be read carries `status` and `reason` and no content.
    """

    id: str
    source: str
    fmt: str = "text"
    content: str = ""
    url: str | None = None
    title: str | None = None
    date: str | None = None
    origin: str = ""  # where it came from: path, path:line, path#record
    # the multi-document file (JSONL, WARC, "-" for stdin) it was read from; "" for a one-document file
    container: str = ""
    status: Status = Status.OK
    reason: str | None = None
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RemovedBlock:
    """A run of consecutive input lines the cleaner dropped, and why."""

    start_line: int  # 0-based index of the first removed line in the input's lines
    end_line: int  # exclusive
    reason: str
    text: str


@dataclass(frozen=True, slots=True)
class CleanResult:
    """The article body and what was removed to get it."""

    text: str
    title: str | None = None
    date: str | None = None
    removed: tuple[RemovedBlock, ...] = ()
    body_lines: tuple[int, ...] = ()  # indices of input lines kept in the body (plain-text cleaner only)


@dataclass(frozen=True, slots=True)
class Mention:
    text: str
    label: str
    start: int  # char offset into Document.text, inclusive
    end: int  # exclusive; text[start:end] == self.text


@dataclass(frozen=True, slots=True)
class Entity:
    """A mention found in a document, with where and how it was found."""

    doc_id: str
    mention: Mention
    sentence: int
    score: float
    extractor: str


@dataclass(frozen=True, slots=True)
class Triple:
    """A typed relation between two mentions of one document, with its evidence."""

    doc_id: str
    head: Mention
    relation: str
    tail: Mention
    score: float
    sentence: int
    evidence: str
    extractor: str
    version: str
    trigger: Mention | None = None
    rule: str | None = None


@dataclass(slots=True)
class Document:
    """A cleaned document and everything extracted from it."""

    id: str
    source: str
    text: str
    url: str | None = None
    title: str | None = None
    date: str | None = None
    origin: str = ""
    status: Status = Status.OK
    reason: str | None = None
    warnings: list[str] = field(default_factory=list)
    removed: tuple[RemovedBlock, ...] = ()
    sentences: list[tuple[int, int]] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    triples: list[Triple] = field(default_factory=list)
    windows: int | None = None  # encoder windows the model used (None for the baseline)
