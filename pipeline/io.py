"""Readers for every input the pipeline accepts, and the JSONL writers.

Reads: files and folders of `.txt`, `.html`/`.htm`, `.jsonl`, any of them gzipped, WARC (`.warc`, `.warc.gz`),
and JSONL on stdin (`-`). Every input ends as a `RawDocument`: readable ones with content, unreadable ones with
a status and a reason, so nothing is lost silently.
"""

from __future__ import annotations

import codecs
import gzip
import hashlib
import io
import json
import logging
import os
import re
import sys
import tempfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from pipeline.types import RawDocument, Status

logger = logging.getLogger(__name__)

TEXT_SUFFIXES = {".txt", ".text"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
WARC_SUFFIXES = {".warc"}
MAX_FILE_BYTES = 256 * 1024 * 1024  # larger single files are recorded as skipped, never read half
BINARY_SNIFF_BYTES = 8192
_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def content_id(content: str) -> str:
    return "sha256:" + hashlib.sha256(content.encode("utf-8")).hexdigest()[:16]


def file_kind(path: Path) -> tuple[str | None, bool]:
    """(kind, gzipped) from the file name: kind is text, html, jsonl, warc or None for unsupported."""
    suffixes = [s.lower() for s in path.suffixes]
    gzipped = bool(suffixes) and suffixes[-1] in {".gz", ".gzip"}
    if gzipped:
        suffixes = suffixes[:-1]
    suffix = suffixes[-1] if suffixes else ""
    for kind, known in (
        ("text", TEXT_SUFFIXES),
        ("html", HTML_SUFFIXES),
        ("jsonl", JSONL_SUFFIXES),
        ("warc", WARC_SUFFIXES),
    ):
        if suffix in known:
            return kind, gzipped
    return None, gzipped


def gunzip(data: bytes) -> tuple[bytes, str | None]:
    """Decompress gzip data, multi-member included. Returns what could be read and an error for the rest."""
    out: list[bytes] = []
    while data:
        d = zlib.decompressobj(wbits=31)
        try:
            out.append(d.decompress(data))
        except zlib.error as e:
            return b"".join(out), f"corrupt gzip data: {e}"
        if not d.eof:
            return b"".join(out), "truncated gzip stream (unexpected end of file)"
        data = d.unused_data
    return b"".join(out), None


def is_binary(data: bytes) -> bool:
    """NUL bytes or mostly control characters in the first block mean this is not text."""
    head = data[:BINARY_SNIFF_BYTES]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    if b"\0" in head:
        return True
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return len(head) > 0 and control / len(head) > 0.1


def decode_bytes(data: bytes, *, fmt: str = "text", declared: str | None = None) -> tuple[str, list[str]]:
    """Bytes to text with `\\n` newlines. Invalid UTF-8 is replaced, never dropped, and reported in the warnings."""
    warnings: list[str] = []
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _newlines(data.decode("utf-16", errors="replace")), warnings
    encoding = declared
    if encoding is None and fmt == "html":
        match = _CHARSET_RE.search(data[:4096])
        encoding = match.group(1).decode("ascii", "ignore") if match else None
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            warnings.append(f"unknown declared charset {encoding!r}; read as UTF-8")
            encoding = None
    encoding = encoding or "utf-8"
    try:
        text = data.decode(encoding)
    except (UnicodeError, LookupError):  # LookupError: a codec that is not a text encoding ('uu', 'hex')
        try:
            text = data.decode(encoding, errors="replace")
        except (UnicodeError, LookupError):  # no text encoding, or one without error handlers ('idna')
            warnings.append(f"declared charset {encoding!r} cannot decode text; read as UTF-8")
            encoding = "utf-8"
            text = data.decode(encoding, errors="replace")
        if bad := text.count("\ufffd"):
            warnings.append(f"invalid {encoding} bytes: {bad} character(s) replaced with U+FFFD")
    # codecs such as utf-7 and unicode_escape can decode to lone surrogates, which cannot be written as UTF-8
    return _newlines(_without_surrogates(text, f"text decoded as {encoding}", warnings)), warnings


def _newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def source_of(url: str | None, fallback: str) -> str:
    if url:
        try:
            host = urlsplit(url).hostname
        except ValueError:  # an unbalanced IPv6 bracket or a bad port: no host to name
            host = None
        if host:
            return host.removeprefix("www.")
    return fallback


def _error(doc_id: str, origin: str, source: str, status: Status, reason: str) -> RawDocument:
    return RawDocument(id=doc_id, source=source, origin=origin, status=status, reason=reason)


def read_documents(inputs: Iterable[str], stdin: IO[str] | None = None) -> Iterator[RawDocument]:
    """Every document in `inputs` (files, folders searched recursively, or `-` for JSONL on stdin), in order."""
    for item in inputs:
        if item == "-":
            n = 0
            for raw in read_jsonl_lines(
                stdin if stdin is not None else sys.stdin, origin="stdin", source="stdin"
            ):
                n += 1
                yield replace(raw, container="-")
            if n == 0:  # like an empty JSONL file, an empty stdin leaves a record saying so
                yield replace(
                    _error("stdin", "stdin", "stdin", Status.EMPTY, "no records on stdin"), container="-"
                )
            continue
        path = Path(item)
        if path.is_dir():
            base = path.resolve().parent
            for file in _walk(path):
                yield from read_file(file, _relative_id(file, base))
        elif path.exists():
            yield from read_file(path, path.name)
        else:
            yield _error(item, item, "unknown", Status.ERROR, "no such file or directory")


def _walk(root: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            yield Path(dirpath) / name


def _relative_id(file: Path, base: Path) -> str:
    return file.resolve().relative_to(base).as_posix()


def read_file(path: Path, rel: str) -> Iterator[RawDocument]:
    """The documents in one file; `rel` is its stable relative name used for ids."""
    source = Path(rel).parent.as_posix() if "/" in rel else "local"
    kind, gzipped = file_kind(path)
    if kind is None:
        suffix = "".join(path.suffixes) or "(none)"
        yield _error(rel, rel, source, Status.SKIPPED, f"unsupported file type {suffix}")
        return
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES and kind not in ("jsonl", "warc"):
            yield _error(rel, rel, source, Status.SKIPPED, f"file of {size} bytes exceeds {MAX_FILE_BYTES}")
            return
        if kind in ("warc", "jsonl"):
            docs = (
                read_warc(path, rel, source)
                if kind == "warc"
                else _read_jsonl_file(path, rel, source, gzipped)
            )
            n = 0
            for raw in docs:
                n += 1
                yield replace(raw, container=rel)
            if n == 0:  # a file with no documents (blank lines only, no WARC response) still leaves a record
                what = "no response records in WARC" if kind == "warc" else "no records in JSONL file"
                yield replace(_error(rel, rel, source, Status.EMPTY, what), container=rel)
            return
        data = path.read_bytes()
    except OSError as e:
        failed = _error(rel, rel, source, Status.ERROR, f"cannot read file: {e.strerror or e}")
        # a multi-document file keeps its own cleaning block whatever happened to it (`run.iter_blocks`)
        yield replace(failed, container=rel) if kind in ("warc", "jsonl") else failed
        return
    yield _document_from_bytes(data, rel, source, kind, gzipped)


def _document_from_bytes(data: bytes, rel: str, source: str, kind: str, gzipped: bool) -> RawDocument:
    warnings: list[str] = []
    if gzipped:
        data, gz_error = gunzip(data)
        if gz_error:
            return _error(rel, rel, source, Status.ERROR, gz_error)
    if not data.strip():
        return _error(rel, rel, source, Status.EMPTY, "empty input")
    if is_binary(data):
        return _error(rel, rel, source, Status.SKIPPED, "binary content, not text")
    text, warnings = decode_bytes(data, fmt=kind)
    return RawDocument(id=rel, source=source, fmt=kind, content=text, origin=rel, warnings=tuple(warnings))


def _read_jsonl_file(path: Path, rel: str, source: str, gzipped: bool) -> Iterator[RawDocument]:
    if not gzipped:
        with path.open("rb") as f:
            yield from read_jsonl_lines(io.TextIOWrapper(f, encoding="utf-8", errors="replace"), rel, source)
        return
    data, gz_error = gunzip(path.read_bytes())
    text, _ = decode_bytes(data)
    if gz_error and not text.endswith("\n"):
        # The last line was cut by the truncation; report it instead of parsing half a record.
        text = text[: text.rfind("\n") + 1]
    yield from read_jsonl_lines(io.StringIO(text), rel, source)
    if gz_error:
        yield _error(
            f"{rel}#truncated",
            rel,
            source,
            Status.ERROR,
            f"{gz_error}; records after the last complete line are lost",
        )


def read_jsonl_lines(stream: IO[str], origin: str, source: str) -> Iterator[RawDocument]:
    """One `RawDocument` per non-blank line; malformed lines become error records naming the line."""
    for lineno, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        where = f"{origin}:{lineno}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as e:
            yield _error(where, where, source, Status.ERROR, f"malformed JSON: {e.msg} at column {e.colno}")
            continue
        except RecursionError:  # the json parser recurses once per nested array or object
            yield _error(where, where, source, Status.ERROR, "malformed JSON: nested too deeply to parse")
            continue
        except ValueError as e:  # valid JSON that Python refuses, such as an integer of over 4300 digits
            yield _error(where, where, source, Status.ERROR, f"unreadable JSON: {e}")
            continue
        yield document_from_record(record, where, source)


def document_from_record(record: Any, where: str, default_source: str) -> RawDocument:
    """A JSONL record (`id`, `text` or `html`; optional `url`, `title`, `date`, `source`) as a document."""
    if not isinstance(record, dict):
        return _error(
            where,
            where,
            default_source,
            Status.ERROR,
            f"expected a JSON object, found {type(record).__name__}",
        )
    warnings: list[str] = []
    record = {key: _without_surrogates(value, f"field {key!r}", warnings) for key, value in record.items()}
    meta: dict[str, str | None] = {}
    for key in ("url", "title", "date", "source"):
        value = record.get(key)
        if value is not None and not isinstance(value, str):
            warnings.append(f"field {key!r} is {type(value).__name__}, not a string; ignored")
            value = None
        meta[key] = value
    text, html = record.get("text"), record.get("html")
    fmt, content = ("html", html) if isinstance(html, str) and not isinstance(text, str) else ("text", text)
    raw_id = record.get("id")
    if isinstance(raw_id, (str, int)) and not isinstance(raw_id, bool) and str(raw_id).strip():
        doc_id = str(raw_id)
    elif isinstance(content, str):
        doc_id = content_id(content)
        if raw_id is not None:
            warnings.append(f"unusable id {raw_id!r}; using the content hash")
    else:
        doc_id = where
    source = meta["source"] or source_of(meta["url"], default_source)
    if not isinstance(content, str):
        return _error(doc_id, where, source, Status.ERROR, "record has no string 'text' or 'html' field")
    if not content.strip():
        return RawDocument(
            id=doc_id,
            source=source,
            fmt=fmt,
            origin=where,
            status=Status.EMPTY,
            reason="empty 'text'/'html' field",
            url=meta["url"],
            title=meta["title"],
            date=meta["date"],
        )
    return RawDocument(
        id=doc_id,
        source=source,
        fmt=fmt,
        content=_newlines(content),
        url=meta["url"],
        title=meta["title"],
        date=meta["date"],
        origin=where,
        warnings=tuple(warnings),
    )


def _without_surrogates(value: Any, what: str, warnings: list[str]) -> Any:
    """A string with its lone surrogates (from JSON escapes such as `\\ud800`, or codecs such as utf-7) replaced
    by U+FFFD, since they cannot be written as UTF-8; other values unchanged."""
    if not isinstance(value, str):
        return value
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        warnings.append(f"lone surrogates in {what} replaced with U+FFFD")
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return value


def read_warc(path: Path, rel: str, source: str) -> Iterator[RawDocument]:
    """HTML responses of a WARC file (plain or gzipped); other responses are recorded as skipped."""
    from warcio.archiveiterator import ArchiveIterator

    n = 0
    try:
        with path.open("rb") as f:
            for record in ArchiveIterator(f):
                if record.rec_type != "response":
                    continue
                n += 1
                doc_id = f"{rel}#{n}"
                url = record.rec_headers.get_header("WARC-Target-URI")
                date = record.rec_headers.get_header("WARC-Date")
                ctype = (
                    record.http_headers.get_header("Content-Type") if record.http_headers else None
                ) or ""
                doc_source = source_of(url, source)
                if "html" not in ctype.lower():
                    yield _error(
                        doc_id,
                        doc_id,
                        doc_source,
                        Status.SKIPPED,
                        f"WARC response of type {ctype or 'unknown'!r}, not HTML",
                    )
                    continue
                charset = re.search(r"charset=([\w.:-]+)", ctype, re.IGNORECASE)
                data = record.content_stream().read()
                if not data.strip():
                    yield _error(doc_id, doc_id, doc_source, Status.EMPTY, "empty WARC response body")
                    continue
                text, warnings = decode_bytes(
                    data, fmt="html", declared=charset.group(1) if charset else None
                )
                yield RawDocument(
                    id=doc_id,
                    source=doc_source,
                    fmt="html",
                    content=text,
                    url=url,
                    date=date,
                    origin=doc_id,
                    warnings=tuple(warnings),
                )
    except (OSError, EOFError, zlib.error, gzip.BadGzipFile, ValueError) as e:
        yield _error(f"{rel}#error", rel, source, Status.ERROR, f"unreadable WARC after {n} response(s): {e}")
    except Exception as e:  # warcio raises its own parse errors on damaged records
        yield _error(
            f"{rel}#error",
            rel,
            source,
            Status.ERROR,
            f"unreadable WARC after {n} response(s): {type(e).__name__}: {e}",
        )


def dumps(record: dict[str, Any]) -> str:
    """One JSONL line: fixed key order from the record, UTF-8 kept as is, so outputs are byte-stable."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"


class AtomicWriter:
    """Writes a file under a temporary name and renames it on success, so a crash leaves no half file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tmp = path
        self._file: IO[str] | None = None

    def __enter__(self) -> IO[str]:
        # a unique temporary name: two processes writing the same file never share one
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
        self.tmp = Path(tmp)
        self._file = os.fdopen(fd, "w", encoding="utf-8", newline="\n")
        return self._file

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        assert self._file is not None
        self._file.close()
        if exc_type is None:
            os.chmod(self.tmp, 0o644)  # mkstemp makes it private; outputs are ordinary files
            os.replace(self.tmp, self.path)
        else:
            self.tmp.unlink(missing_ok=True)
