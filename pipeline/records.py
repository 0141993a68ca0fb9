"""The JSONL records the pipeline writes (`documents.jsonl`, `entities.jsonl`, `triples.jsonl`) and
`manifest.json`. Their JSON Schemas are in `pipeline/schemas/`; `SCHEMA_VERSION` changes with any field change.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from functools import cache
from importlib import resources
from typing import Any

from pipeline.types import Document, Entity, Mention, Triple

SCHEMA_VERSION = "1.0"
RECORD_KINDS = ("document", "entity", "triple", "manifest")


def mention_record(m: Mention) -> dict[str, Any]:
    return {"text": m.text, "label": m.label, "start": m.start, "end": m.end}


def document_record(doc: Document) -> dict[str, Any]:
    by_reason = Counter(b.reason for b in doc.removed)
    return {
        "id": doc.id,
        "source": doc.source,
        "origin": doc.origin,
        "url": doc.url,
        "title": doc.title,
        "date": doc.date,
        "status": str(doc.status),
        "reason": doc.reason,
        "warnings": list(doc.warnings),
        "sha256": hashlib.sha256(doc.text.encode("utf-8")).hexdigest(),
        "n_chars": len(doc.text),
        "n_sentences": len(doc.sentences),
        "n_entities": len(doc.entities),
        "n_triples": len(doc.triples),
        "windows": doc.windows,
        "text": doc.text,
        "removed": {
            "blocks": len(doc.removed),
            "by_reason": dict(sorted(by_reason.items())),
            "detail": [
                {"start_line": b.start_line, "end_line": b.end_line, "reason": b.reason, "text": b.text}
                for b in doc.removed
            ],
        },
    }


def entity_record(e: Entity) -> dict[str, Any]:
    return {
        "doc_id": e.doc_id,
        **mention_record(e.mention),
        "sentence": e.sentence,
        "score": e.score,
        "extractor": e.extractor,
    }


def triple_record(t: Triple) -> dict[str, Any]:
    return {
        "doc_id": t.doc_id,
        "head": mention_record(t.head),
        "relation": t.relation,
        "tail": mention_record(t.tail),
        "score": t.score,
        "sentence": t.sentence,
        "evidence": t.evidence,
        "trigger": mention_record(t.trigger) | {"label": "TRIGGER"} if t.trigger else None,
        "rule": t.rule,
        "extractor": t.extractor,
        "version": t.version,
    }


@cache
def json_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of one record kind: document, entity, triple, manifest, or gold (canonical gold documents)."""
    text = resources.files("pipeline").joinpath("schemas", f"{kind}.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


def validate(kind: str, record: dict[str, Any]) -> None:
    """Raise `jsonschema.ValidationError` if the record does not follow its schema."""
    import jsonschema

    jsonschema.validate(record, json_schema(kind))
