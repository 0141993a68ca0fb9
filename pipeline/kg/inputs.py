"""Reading an extraction output folder (`documents.jsonl`, `entities.jsonl`, `triples.jsonl`, or the shard
folders `documents/`, `entities/`, `triples/` of a Ray run) for the graph.

Records follow the JSON Schemas in `pipeline/schemas/`; only the fields the graph uses are checked, so a record
with extra fields still loads. A malformed line (bad JSON, a missing or mistyped field, an unknown label or
relation) is logged as a warning with `file:line`, counted and skipped; a missing file is an error. Writes
nothing.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.config import Schema
from pipeline.errors import DataError
from pipeline.types import Document, Entity, Mention, Status, Triple

logger = logging.getLogger(__name__)

FILES = ("documents.jsonl", "entities.jsonl", "triples.jsonl")


@dataclass(slots=True)
class DocumentRecords:
    """The validated records of one document, as written by `newsgraph extract`."""

    document: dict[str, Any]
    entities: list[dict[str, Any]] = field(default_factory=list)
    triples: list[dict[str, Any]] = field(default_factory=list)

    @property
    def id(self) -> str:
        return str(self.document["id"])

    @property
    def is_ok(self) -> bool:
        return self.document.get("status", "ok") == Status.OK

    def to_json(self) -> dict[str, Any]:
        return {"document": self.document, "entities": self.entities, "triples": self.triples}


@dataclass(slots=True)
class ReadReport:
    """What was read and what was skipped (each skipped line is also logged)."""

    documents: list[DocumentRecords]
    problems: list[str] = field(default_factory=list)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_mention(value: Any, what: str, labels: set[str] | None) -> str | None:
    if not isinstance(value, dict):
        return f"{what} is not an object"
    if not isinstance(value.get("text"), str) or not value["text"]:
        return f"{what} has no text"
    if not _is_int(value.get("start")) or not _is_int(value.get("end")) or value["start"] >= value["end"]:
        return f"{what} has no valid [start, end) offsets"
    if labels is not None and value.get("label") not in labels:
        return f"{what} has label {value.get('label')!r}; expected one of {sorted(labels)}"
    return None


def check_document(record: dict[str, Any]) -> str | None:
    """What is wrong with a documents.jsonl record, or None."""
    if not isinstance(record.get("id"), str) or not record["id"]:
        return "missing 'id'"
    for name in ("text", "title", "url", "date", "source"):
        if record.get(name) is not None and not isinstance(record[name], str):
            return f"{name!r} is not a string"
    statuses = [str(s) for s in Status]
    if record.get("status", "ok") not in statuses:
        return f"status {record.get('status')!r}; expected one of {statuses}"
    return None


def check_entity(record: dict[str, Any], schema: Schema) -> str | None:
    """What is wrong with an entities.jsonl record, or None."""
    if not isinstance(record.get("doc_id"), str) or not record["doc_id"]:
        return "missing 'doc_id'"
    if record.get("score") is not None and not _is_number(record["score"]):
        return "'score' is not a number"
    return _check_mention(record, "entity", set(schema.entity_types))


def check_triple(record: dict[str, Any], schema: Schema) -> str | None:
    """What is wrong with a triples.jsonl record, or None."""
    if not isinstance(record.get("doc_id"), str) or not record["doc_id"]:
        return "missing 'doc_id'"
    if record.get("relation") not in schema.relations:
        return f"unknown relation {record.get('relation')!r}; expected one of {sorted(schema.relations)}"
    labels = set(schema.entity_types)
    for side in ("head", "tail"):
        if problem := _check_mention(record.get(side), side, labels):
            return problem
    if not _is_number(record.get("score")) or not 0 <= record["score"] <= 1:
        return "'score' is not a number in [0, 1]"
    if record.get("sentence") is not None and not _is_int(record["sentence"]):
        return "'sentence' is not an integer"
    if record.get("evidence") is not None and not isinstance(record["evidence"], str):
        return "'evidence' is not a string"
    trigger = record.get("trigger")
    if trigger is not None and (problem := _check_mention(trigger, "trigger", None)):
        return problem
    return None


def iter_jsonl(path: Path, problems: list[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each line holding a JSON object; other lines are logged and recorded."""
    with path.open(encoding="utf-8", errors="replace") as f:
        for lineno, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as e:
                _problem(problems, f"{path}:{lineno}: invalid JSON: {e.msg} (column {e.colno})")
                continue
            if not isinstance(record, dict):
                _problem(problems, f"{path}:{lineno}: expected a JSON object, found {type(record).__name__}")
                continue
            yield lineno, record


def _problem(problems: list[str], message: str) -> None:
    logger.warning("%s; line skipped", message)
    problems.append(message)


def output_files(out_dir: Path, kind: str) -> list[Path]:
    """`KIND.jsonl` of a single-process run, else the shards `KIND/part-*.jsonl` of a Ray run, in order."""
    single = out_dir / f"{kind}.jsonl"
    if single.is_file():
        return [single]
    return sorted((out_dir / kind).glob("part-*.jsonl")) if (out_dir / kind).is_dir() else []


def read_output(out_dir: Path, schema: Schema) -> ReadReport:
    """The documents of an extraction output folder with their entities and triples, in file order."""
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise DataError(f"{out_dir}: extraction output folder not found")
    missing = [name for name in FILES if not output_files(out_dir, name.removesuffix(".jsonl"))]
    if missing:
        raise DataError(
            f"{out_dir}: not an extraction output folder: missing {', '.join(missing)} "
            "(written by `newsgraph extract INPUT -o OUT_DIR`)"
        )
    problems: list[str] = []
    documents: dict[str, DocumentRecords] = {}
    for path in output_files(out_dir, "documents"):
        for lineno, record in iter_jsonl(path, problems):
            if problem := check_document(record):
                _problem(problems, f"{path}:{lineno}: {problem}")
            elif record["id"] in documents:
                _problem(problems, f"{path}:{lineno}: duplicate document id {record['id']!r}; first one kept")
            else:
                documents[record["id"]] = DocumentRecords(record)
    by_doc: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: {"entities": [], "triples": []})
    for kind, check in (("entities", check_entity), ("triples", check_triple)):
        for path in output_files(out_dir, kind):
            for lineno, record in iter_jsonl(path, problems):
                if problem := check(record, schema):
                    _problem(problems, f"{path}:{lineno}: {problem}")
                else:
                    by_doc[record["doc_id"]][kind].append(record)
    for doc_id in sorted(set(by_doc) - set(documents)):
        _problem(problems, f"{out_dir}: records for document {doc_id!r}, which documents.jsonl lacks; kept")
        documents[doc_id] = DocumentRecords({"id": doc_id, "status": "ok", "text": ""})
    for doc_id, records in by_doc.items():
        documents[doc_id].entities = records["entities"]
        documents[doc_id].triples = records["triples"]
    return ReadReport(list(documents.values()), problems)


def _mention(record: dict[str, Any]) -> Mention:
    return Mention(record["text"], record.get("label", ""), record["start"], record["end"])


def to_document(records: DocumentRecords) -> Document:
    """The pipeline's `Document` (with entities and triples) from validated records."""
    d = records.document
    doc = Document(
        id=d["id"],
        source=d.get("source") or "",
        text=d.get("text") or "",
        url=d.get("url"),
        title=d.get("title"),
        date=d.get("date"),
        origin=d.get("origin") or "",
        status=Status(d.get("status", "ok")),
    )
    for e in records.entities:
        doc.entities.append(
            Entity(
                d["id"],
                _mention(e),
                e.get("sentence") or 0,
                float(e.get("score", 1.0)),
                e.get("extractor", ""),
            )
        )
    for t in records.triples:
        doc.triples.append(
            Triple(
                doc_id=d["id"],
                head=_mention(t["head"]),
                relation=t["relation"],
                tail=_mention(t["tail"]),
                score=float(t["score"]),
                sentence=t.get("sentence") or 0,
                evidence=t.get("evidence") or "",
                extractor=t.get("extractor") or "",
                version=t.get("version") or "",
                trigger=_mention(t["trigger"]) if t.get("trigger") else None,
                rule=t.get("rule"),
            )
        )
    return doc
