"""Crash-safe, resumable output: the records of each block of documents go to a part file in `OUT/parts/`, written
under a temporary name and renamed when complete, so a killed run leaves only whole parts behind. Each line of a
part is one document with everything extracted from it and two keys:

- `key`, the document key: a hash of the document id and everything read for it (content, metadata, status);
- `run`, the run key: a hash of the package version, the configuration and the extractor (model digest and flags).

`extract --resume` indexes the parts whose run key matches the current run and reuses a document whose key is
found there; a changed document has a new key and is done again. The final `documents.jsonl`, `entities.jsonl`
and `triples.jsonl` are assembled from the current run's parts, in input order, once every block is written;
parts of earlier runs are deleted then, since everything still needed from them was copied forward.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from pipeline.io import dumps
from pipeline.types import RawDocument

PARTS_DIR = "parts"
_PART = re.compile(r"^part-(\d{6,})\.jsonl$")


def document_key(raw: RawDocument, doc_id: str, context: Iterable[str] = ()) -> str:
    """What identifies one input document: its id, everything read for it, and `context`, what else its
    cleaning looks at (the lines repeated across pages of its source). Equal keys give equal outputs under
    one run key."""
    fields = [
        sorted(context),
        doc_id,
        raw.source,
        raw.fmt,
        raw.content,
        raw.url,
        raw.title,
        raw.date,
        raw.origin,
        str(raw.status),
        raw.reason,
        list(raw.warnings),
    ]
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False).encode("utf-8")).hexdigest()


def run_key(parts: Iterable[str]) -> str:
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Stored:
    """Where a finished document's line sits in a part."""

    part: Path
    offset: int


class PartStore:
    """The part files of one output folder."""

    def __init__(self, out_dir: Path, run: str) -> None:
        self.dir = out_dir / PARTS_DIR
        self.run = run
        self.written: list[Path] = []
        self._handles: dict[Path, IO[bytes]] = {}
        self.dir.mkdir(parents=True, exist_ok=True)
        for stale in self.dir.glob(".part-*.tmp"):  # a part a killed run was still writing
            stale.unlink(missing_ok=True)
        existing = self.parts()
        self._next = 1 + max((int(_PART.match(p.name).group(1)) for p in existing), default=0)  # type: ignore[union-attr]

    def parts(self) -> list[Path]:
        return sorted((p for p in self.dir.iterdir() if _PART.match(p.name)), key=lambda p: p.name)

    def index(self) -> dict[str, Stored]:
        """Document key → its stored line, over the complete parts written under the current run key."""
        found: dict[str, Stored] = {}
        for part in self.parts():
            with part.open("rb") as f:
                offset = 0
                for line in f:
                    head = json.loads(line[: line.index(b',"document"')] + b"}")
                    if head["run"] == self.run:
                        found.setdefault(head["key"], Stored(part, offset))
                    offset += len(line)
        return found

    def load(self, stored: Stored) -> dict[str, Any]:
        f = self._handles.get(stored.part)
        if f is None:
            f = self._handles[stored.part] = stored.part.open("rb")
        f.seek(stored.offset)
        return json.loads(f.readline())

    def write(self, lines: list[dict[str, Any]]) -> Path:
        """One complete part, renamed into place only once fully written and flushed to disk."""
        path = self.dir / f"part-{self._next:06d}.jsonl"
        self._next += 1
        fd, tmp = tempfile.mkstemp(prefix=".part-", suffix=".tmp", dir=self.dir)
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.writelines(dumps(line) for line in lines)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
        self.written.append(path)
        return path

    def lines(self) -> Iterator[dict[str, Any]]:
        """The current run's records in the order they were written (input order)."""
        for part in self.written:
            with part.open("rb") as f:
                for line in f:
                    yield json.loads(line)

    def close(self) -> None:
        for f in self._handles.values():
            f.close()
        self._handles.clear()

    def drop_others(self) -> int:
        """Delete the parts this run did not write (superseded); returns how many."""
        self.close()
        mine = set(self.written)
        old = [p for p in self.parts() if p not in mine]
        for p in old:
            p.unlink()
        return len(old)


def part_line(
    key: str, run: str, document: dict[str, Any], entities: list[Any], triples: list[Any]
) -> dict[str, Any]:
    # `key` and `run` come first: `PartStore.index` reads them without parsing the rest of the line
    return {"key": key, "run": run, "document": document, "entities": entities, "triples": triples}
