"""Readers: every supported input kind, stable ids, and every kind of bad input ends as a record with a reason."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.io import decode_bytes, gunzip, read_documents, read_jsonl_lines
from pipeline.types import Status

HTML = "<html><head><title>T</title></head><body><article><p>Paris is a city.</p></article></body></html>"


def _read(*paths: Path) -> list:
    return list(read_documents([str(p) for p in paths]))


def test_text_html_and_ids_from_relative_paths(tmp_path: Path) -> None:
    corpus = tmp_path / "news"
    (corpus / "sub").mkdir(parents=True)
    (corpus / "a.txt").write_text("Hello world.\n", encoding="utf-8")
    (corpus / "sub" / "b.html").write_text(HTML, encoding="utf-8")
    docs = _read(corpus)
    assert [d.id for d in docs] == ["news/a.txt", "news/sub/b.html"]
    assert [d.fmt for d in docs] == ["text", "html"]
    assert docs[0].source == "news" and docs[1].source == "news/sub"
    assert all(d.status == Status.OK for d in docs)


def test_jsonl_records_ids_and_metadata(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    records = [
        {
            "id": "x1",
            "text": "Body one.",
            "url": "https://www.example.org/a",
            "title": "A",
            "date": "2026-01-02",
        },
        {"text": "No id here."},
        {"id": 7, "html": HTML, "source": "wire"},
    ]
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    docs = _read(path)
    assert docs[0].id == "x1" and docs[0].source == "example.org" and docs[0].title == "A"
    assert docs[1].id.startswith("sha256:")
    assert docs[2].id == "7" and docs[2].fmt == "html" and docs[2].source == "wire"


def test_gzip_of_each_kind(tmp_path: Path) -> None:
    (tmp_path / "a.txt.gz").write_bytes(gzip.compress(b"Some text."))
    (tmp_path / "b.html.gz").write_bytes(gzip.compress(HTML.encode()))
    (tmp_path / "c.jsonl.gz").write_bytes(gzip.compress(b'{"id": "r", "text": "x"}\n'))
    docs = _read(tmp_path / "a.txt.gz", tmp_path / "b.html.gz", tmp_path / "c.jsonl.gz")
    assert [(d.fmt, d.status) for d in docs] == [
        ("text", Status.OK),
        ("html", Status.OK),
        ("text", Status.OK),
    ]
    assert docs[0].content == "Some text."


def _warc(tmp_path: Path, name: str) -> Path:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    path = tmp_path / name
    with path.open("wb") as f:
        writer = WARCWriter(f, gzip=name.endswith(".gz"))
        for url, ctype, body in [
            ("https://news.example/a", "text/html; charset=utf-8", HTML.encode()),
            ("https://news.example/logo.png", "image/png", b"\x89PNG...."),
        ]:
            headers = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
            record = writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), http_headers=headers
            )
            writer.write_record(record)
    return path


def test_warc_html_responses_and_skipped_others(tmp_path: Path) -> None:
    for name in ("crawl.warc", "crawl2.warc.gz"):
        docs = _read(_warc(tmp_path, name))
        assert [d.status for d in docs] == [Status.OK, Status.SKIPPED]
        assert (
            docs[0].url == "https://news.example/a"
            and docs[0].fmt == "html"
            and docs[0].source == "news.example"
        )
        assert "image/png" in (docs[1].reason or "")


def test_stdin_jsonl() -> None:
    stream = io.StringIO('{"id": "s1", "text": "Hi."}\n\n{"id": "s2", "text": "There."}\n')
    docs = list(read_documents(["-"], stdin=stream))
    assert [d.id for d in docs] == ["s1", "s2"]


# Bad input: one test per case; each becomes a record with a status and a reason, and reading goes on.


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "e.txt").write_bytes(b"")
    (doc,) = _read(tmp_path / "e.txt")
    assert doc.status == Status.EMPTY and doc.reason


def test_binary_file(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_bytes(bytes(range(256)) * 10)
    (doc,) = _read(tmp_path / "b.txt")
    assert doc.status == Status.SKIPPED and "binary" in doc.reason


def test_invalid_utf8_is_replaced_and_reported(tmp_path: Path) -> None:
    (tmp_path / "u.txt").write_bytes("Café ".encode() + b"\xff\xfe broken" + b" ok.")
    (doc,) = _read(tmp_path / "u.txt")
    assert doc.status == Status.OK and "\ufffd" in doc.content and "ok." in doc.content
    assert any("invalid" in w for w in doc.warnings)


def test_truncated_gzip(tmp_path: Path) -> None:
    data = gzip.compress(b"A long enough text. " * 200)
    (tmp_path / "t.txt.gz").write_bytes(data[: len(data) // 2])
    (doc,) = _read(tmp_path / "t.txt.gz")
    assert doc.status == Status.ERROR and "truncated" in doc.reason


def test_truncated_gzip_jsonl_keeps_complete_records(tmp_path: Path) -> None:
    lines = "".join(json.dumps({"id": f"r{i}", "text": f"Record number {i} " * 20}) + "\n" for i in range(50))
    data = gzip.compress(lines.encode())
    (tmp_path / "f.jsonl.gz").write_bytes(data[: int(len(data) * 0.6)])
    docs = _read(tmp_path / "f.jsonl.gz")
    assert docs[-1].status == Status.ERROR and "truncated" in docs[-1].reason
    assert len(docs) > 1 and all(d.status == Status.OK for d in docs[:-1])


def test_malformed_jsonl_lines() -> None:
    stream = io.StringIO(
        '{"id": "a", "text": "ok"}\n{broken\n[1, 2]\n{"id": "b"}\n{"id": "c", "text": "fine"}\n'
    )
    docs = list(read_jsonl_lines(stream, "feed.jsonl", "feed"))
    assert [d.status for d in docs] == [Status.OK, Status.ERROR, Status.ERROR, Status.ERROR, Status.OK]
    assert docs[1].id == "feed.jsonl:2" and "malformed JSON" in docs[1].reason
    assert "JSON object" in docs[2].reason and "'text'" in docs[3].reason


def test_unknown_extension(tmp_path: Path) -> None:
    (tmp_path / "notes.docx").write_bytes(b"PK\x03\x04")
    (doc,) = _read(tmp_path / "notes.docx")
    assert doc.status == Status.SKIPPED and ".docx" in doc.reason


def test_missing_path() -> None:
    (doc,) = list(read_documents(["/nonexistent/path.txt"]))
    assert doc.status == Status.ERROR and "no such file" in doc.reason


def test_five_megabyte_document_is_read_whole(tmp_path: Path) -> None:
    text = ("The ministry said the talks would continue next week in Geneva. " * 80 + "\n\n") * 1000
    assert len(text.encode()) > 5_000_000
    (tmp_path / "big.txt").write_text(text, encoding="utf-8")
    (doc,) = _read(tmp_path / "big.txt")
    assert doc.status == Status.OK and doc.content == text


@given(st.binary(max_size=2000))
@settings(max_examples=200, deadline=None)
def test_decoding_never_raises(data: bytes) -> None:
    text, _ = decode_bytes(data)
    assert isinstance(text, str) and "\r" not in text


@given(st.binary(min_size=1, max_size=500))
@settings(max_examples=100, deadline=None)
def test_gunzip_round_trip_and_truncation(data: bytes) -> None:
    packed = gzip.compress(data)
    assert gunzip(packed) == (data, None)
    partial, error = gunzip(packed[:-3])
    assert error is not None and data.startswith(partial)


def test_empty_stdin_leaves_a_record() -> None:
    docs = list(read_documents(["-"], stdin=io.StringIO("\n  \n")))
    assert [(d.id, d.status, d.reason) for d in docs] == [("stdin", Status.EMPTY, "no records on stdin")]
