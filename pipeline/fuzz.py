"""Fuzzing of the readers and the cleaner: generated bad inputs, each read and cleaned under a time bound.

Reads the seed documents in `corpus/sample/` (small built-in templates when it is missing). Writes each generated
input to a file in a work folder, reads it with `read_documents`, cleans every readable document with `Cleaner`, and
checks the accounting: no exception escapes, every input ends as at least one record (a JSONL file as one record
per non-blank line), every record has a valid status, every record that is not OK says why, and all text can be
written as UTF-8. The summary (counts by kind and status, the slowest inputs, the failures) goes to the caller.

Input `i` of a run with seed `s` comes from `random.Random(f"{s}:{i}")` alone, so a failure is replayed with
`python -m pipeline.fuzz --seed s --start i --count 1 --keep DIR`.

Hangs: inputs run in worker processes. The bound is on CPU time, so a busy machine does not turn slow inputs into
hangs: before each input a worker sets its CPU limit (RLIMIT_CPU) to what it has used plus the bound, and the kernel
stops it with SIGXCPU when the input goes over. The parent also kills a worker that has been blocked for ten times
the bound in wall-clock time. Either way the input is recorded as a failure and a new worker starts. An alarm
signal in the same process would not stop a regular expression or lxml stuck in C code.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import logging
import math
import multiprocessing as mp
import os
import random
import resource
import signal
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from pipeline.clean import Cleaner
from pipeline.config import Config
from pipeline.io import read_documents
from pipeline.types import RawDocument, Status

logger = logging.getLogger(__name__)

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "corpus" / "sample"
# for a worker to start and generate an input, before the clock of the input starts
STARTUP_ALLOWANCE_S = 120.0
# The bound is on CPU time (a busy machine slows inputs down without hanging them); an input that waits without
# using the CPU is killed after this many times the bound in wall-clock time.
WALL_FACTOR = 10

_HTML_TEMPLATE = (
    "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Talks resume in Geneva</title></head><body>"
    "<nav><a href='/'>Home</a> | <a href='/world'>World</a></nav><article><h1>Talks resume in Geneva</h1>"
    "<p>The ministers met on Tuesday and agreed to continue the talks next week, officials said.</p>"
    "<p>Both sides said the meeting had been useful.</p><ul><li>Share</li><li>Print</li></ul></article>"
    "<footer>© 2026 Example News. All rights reserved.</footer></body></html>"
)
_TEXT_TEMPLATE = (
    "Home | World | Business\nTalks resume in Geneva\nBy Jane Doe, 3 March 2026\n\n"
    "The ministers met on Tuesday and agreed to continue the talks next week, officials said.\n"
    "Both sides said the meeting had been useful.\nRelated articles\nShare this article\n"
)
# fragments that matter to the parsers: markup, entities, JSON syntax, newlines, bad UTF-8, BOMs
_TOKENS = (
    *b"< > </ <p> </div> <li> <!-- --> <![CDATA[ <script> &#x &#1114112; &amp".split(),
    *b"\r|\r\n|\n\n|\0|\xff|\xc3|\xe2\x80|\xed\xa0\x80|\xef\xbb\xbf|\xff\xfe".split(b"|"),
    *b'" { } [ \\u \\ud800'.split(),
    *b"\t|\x1b|\x0c|\xc2\xa0".split(b"|"),
)
_BAD_UTF8 = tuple(b"\xff|\xfe|\xc0\xaf|\xe0\x80\xaf|\xed\xa0\x80|\xf4\x90\x80\x80|\xc3|\x80".split(b"|"))
# values a JSONL field may hold that the reader must survive: wrong types, blanks, lone surrogates, bad URLs
_ODD_VALUES: tuple[Any, ...] = (None, 3, 2.5, True, [], {}, "", " ", "\ud800", "a\udc00b", "x" * 300) + (
    -(10**30),
    "http://[::1/",
    "https://a.example:99999/",
)
_NESTING_TAGS = ("div", "li", "span", "b", "table", "td", "a", "blockquote", "p", "ul", "font", "section")
_UNKNOWN_NAMES = (".bin", ".docx", ".pdf", "", ".json", ".gz", ".warc.bz2")


@dataclass(frozen=True)
class Seeds:
    """Valid documents to mutate: plain texts, HTML pages and JSONL records."""

    texts: tuple[bytes, ...]
    htmls: tuple[bytes, ...]
    records: tuple[dict[str, Any], ...]

    @classmethod
    def load(cls, folder: Path = SAMPLE_DIR) -> Seeds:
        files = sorted(folder.rglob("*")) if folder.is_dir() else []
        texts = [p.read_bytes() for p in files if p.suffix in (".txt", ".md")]
        htmls = [p.read_bytes() for p in files if p.suffix == ".html"]
        records = [
            json.loads(line)
            for p in files
            if p.suffix == ".jsonl"
            for line in p.read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
        texts.append(_TEXT_TEMPLATE.encode())
        htmls.append(_HTML_TEMPLATE.encode())
        records.append({"id": "t1", "text": _TEXT_TEMPLATE, "url": "https://www.example.org/a", "title": "T"})
        records.append({"id": "t2", "html": _HTML_TEMPLATE, "source": "wire"})
        return cls(tuple(texts), tuple(htmls), tuple(records))


def mutate(data: bytes, rng: random.Random, pool: Sequence[bytes], rounds: int = 0) -> bytes:
    """`data` after byte flips, insertions, deletions, splices from `pool`, duplications and truncations."""
    buf = bytearray(data)
    for _ in range(rounds or rng.randint(1, 8)):
        op = rng.randrange(7)
        pos = rng.randint(0, len(buf))
        if op == 0 and buf:
            buf[min(pos, len(buf) - 1)] ^= 1 << rng.randrange(8)
        elif op == 1:
            buf[pos:pos] = rng.randbytes(rng.randint(1, 16))
        elif op == 2:
            buf[pos:pos] = rng.choice(_TOKENS) * rng.choice((1, 1, 2, 50))
        elif op == 3:
            del buf[pos : pos + rng.randint(1, 256)]
        elif op == 4:
            other = rng.choice(pool)
            start = rng.randint(0, len(other))
            buf[pos:pos] = other[start : start + rng.randint(1, 2048)]
        elif op == 5:
            buf[pos:pos] = buf[pos : pos + rng.randint(1, 512)] * rng.randint(2, 20)
        elif rng.random() < 0.3:  # truncation ends the mutations only sometimes, so it does not dominate
            del buf[pos:]
    return bytes(buf)


# Generators: each returns (file suffix, file bytes) from the random source alone. ------------------------------


def gen_bytes(rng: random.Random, seeds: Seeds) -> tuple[str, bytes]:
    """Random bytes under any name, known or not."""
    suffix = rng.choice(
        (".txt", ".html", ".jsonl", ".warc", ".txt.gz", ".jsonl.gz", ".warc.gz", *_UNKNOWN_NAMES)
    )
    size = rng.choice((0, 1, rng.randint(2, 64), rng.randint(64, 4096)))
    data = rng.randbytes(size)
    if rng.random() < 0.3:  # printable noise passes the binary sniffing and reaches the decoder and cleaner
        data = bytes(32 + b % 95 if b % 7 else 10 for b in data)
    return suffix, data


def gen_text(rng: random.Random, seeds: Seeds) -> tuple[str, bytes]:
    return rng.choice((".txt", ".text")), mutate(rng.choice(seeds.texts), rng, seeds.texts)


def gen_html(rng: random.Random, seeds: Seeds) -> tuple[str, bytes]:
    return rng.choice((".html", ".htm", ".xhtml")), mutate(rng.choice(seeds.htmls), rng, seeds.htmls)


def _jsonl_line(rng: random.Random, seeds: Seeds) -> bytes:
    record = dict(rng.choice(seeds.records))
    choice = rng.randrange(12)
    if choice == 0:
        return b""
    if choice == 1:
        return rng.choice((b"  \t", b"\r", b"\x0c"))
    if choice == 2:
        return rng.choice((b"[1, 2]", b"null", b'"text"', b"42", b"true", b"{}", b"{broken", b'{"text": "a"'))
    if choice == 3:
        record.pop("text", None), record.pop("html", None)
    elif choice == 4:
        key = rng.choice(("id", "text", "html", "url", "title", "date", "source"))
        record[key] = rng.choice(_ODD_VALUES)
    elif choice == 5:
        depth = rng.randint(100, 20000)
        return b'{"text": ' + b"[" * depth + b"]" * rng.choice((depth, 0)) + b"}"
    line = json.dumps(record, ensure_ascii=rng.random() < 0.5).encode("utf-8", "surrogatepass")
    if choice >= 8:
        line = mutate(line, rng, seeds.texts, rounds=rng.randint(1, 3)).replace(b"\n", b" ")
    return line


def gen_jsonl(rng: random.Random, seeds: Seeds) -> tuple[str, bytes]:
    """JSONL files of valid, broken, empty and odd lines, with any line ending."""
    sep = rng.choice((b"\n", b"\r\n", b"\r"))
    data = sep.join(_jsonl_line(rng, seeds) for _ in range(rng.randint(0, 12)))
    if rng.random() < 0.5:
        data += sep
    return ".jsonl", data


def _damage_gzip(data: bytes, rng: random.Random) -> bytes:
    packed = gzip.compress(data, mtime=0)
    how = rng.randrange(6)
    if how == 0:
        return packed[: rng.randint(0, len(packed) - 1)]
    if how == 1:  # a flipped bit inside the deflate stream or the trailer
        buf = bytearray(packed)
        buf[rng.randrange(10, len(buf))] ^= 1 << rng.randrange(8)
        return bytes(buf)
    if how == 2:
        return packed + rng.randbytes(rng.randint(1, 64))
    if how == 3:  # a second member, cut short
        second = gzip.compress(data[: len(data) // 2], mtime=0)
        return packed + second[: rng.randint(1, len(second) - 1)]
    if how == 4:
        return rng.choice((b"", packed[:10], b"\x1f\x8b", data[:200]))
    return packed


def gen_gzip(rng: random.Random, seeds: Seeds) -> tuple[str, bytes]:
    """Gzipped text, HTML or JSONL, truncated, corrupted, with trailing garbage or a cut second member."""
    suffix, data = rng.choice((gen_text, gen_html, gen_jsonl))(rng, seeds)
    if rng.random() < 0.5:
        data = rng.choice(seeds.texts) if suffix.startswith(".t") else data
    name = {".jsonl": ".jsonl.gz", ".text": ".txt.gz", ".txt": ".txt.gz"}.get(suffix, ".html.gz")
    return rng.choice((name, name[:-3] + ".gzip")), _damage_gzip(data, rng)


def _warc_bytes(rng: random.Random, seeds: Seeds, gzipped: bool) -> bytes:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    writer = WARCWriter(out, gzip=gzipped)
    if rng.random() < 0.7:
        writer.write_record(writer.create_warcinfo_record("crawl.warc", {"software": "newsgraph-fuzz"}))
    for _ in range(rng.randint(0, 4)):
        body = rng.choice(seeds.htmls)
        if rng.random() < 0.3:
            body = mutate(body, rng, seeds.htmls)
        url = rng.choice(
            ("https://news.example/a", "http://www.example.org/x?y=1", "no url", "https://[::1/")
        )
        if rng.random() < 0.8:
            ctype = rng.choice(
                (
                    "text/html; charset=utf-8",
                    "text/html",
                    "text/html; charset=bogus",
                    "image/png",
                    "",
                    "TEXT/HTML",
                )
            )
            headers = StatusAndHeaders(
                "200 OK", [("Content-Type", ctype)] if ctype else [], protocol="HTTP/1.1"
            )
            record = writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), http_headers=headers
            )
        else:
            record = writer.create_warc_record(
                url, "resource", payload=io.BytesIO(body), warc_content_type="text/html"
            )
        writer.write_record(record)
    return out.getvalue()


def _damage_warc(data: bytes, rng: random.Random, seeds: Seeds) -> bytes:
    how = rng.randrange(5)
    if how == 0 and data:
        return data[: rng.randrange(len(data))]
    if how == 1:
        return mutate(data, rng, seeds.htmls)
    if how == 2:  # a Content-Length that lies
        marker = b"Content-Length: "
        starts = [i for i in range(len(data)) if data.startswith(marker, i)]
        if starts:
            at = rng.choice(starts) + len(marker)
            end = data.index(b"\r\n", at) if b"\r\n" in data[at:] else len(data)
            value = rng.choice(
                (b"0", b"1", b"-5", b"abc", b"99999999999", b"", str(rng.randint(0, 9999)).encode())
            )
            return data[:at] + value + data[end:]
    if how == 3:
        at = rng.randint(0, len(data))
        return data[:at] + rng.choice((b"\r\n\r\n", b"WARC/1.0\r\n", rng.randbytes(32))) + data[at:]
    return data


def gen_warc(rng: random.Random, seeds: Seeds) -> tuple[str, bytes]:
    """WARC files written with warcio, then cut, mutated or given wrong lengths (or left valid)."""
    gzipped = rng.random() < 0.5
    if gzipped and rng.random() < 0.5:  # damage the uncompressed records, then compress them whole
        data = gzip.compress(_damage_warc(_warc_bytes(rng, seeds, False), rng, seeds), mtime=0)
    else:
        data = _damage_warc(_warc_bytes(rng, seeds, gzipped), rng, seeds)
    return (".warc.gz" if gzipped else ".warc"), data


def gen_huge(rng: random.Random, seeds: Seeds) -> tuple[str, bytes]:
    """One line of one to two megabytes in a text, HTML or JSONL file."""
    unit = rng.choice(
        (
            "word ",
            "The ministers met on Tuesday. ",
            "-",
            ". ",
            "a",
            " ",
            "• ",
            "<",
            "1.",
            "&amp;",
            "é",
            "Share ",
        )
    )
    line = unit * (rng.randint(1_000_000, 2_000_000) // len(unit))
    form = rng.randrange(3)
    if form == 0:
        return ".txt", ("Title\n" + line + "\nThe end.\n").encode()
    if form == 1:
        return ".html", f"<html><body><article><p>{line}</p></article></body></html>".encode()
    return ".jsonl", json.dumps({"id": "huge", "text": line}).encode() + b"\n"


def gen_nested(rng: random.Random, seeds: Seeds) -> tuple[str, bytes]:
    """Tens of thousands of nested tags (closed or not), or JSON nested as deep."""
    depth = rng.randint(10_000, 50_000)
    tag = rng.choice(_NESTING_TAGS)
    opening, closing = f"<{tag}>".encode(), f"</{tag}>".encode()
    if rng.random() < 0.5:
        opening += b"x "
    markup = opening * depth + b"Deep text." + closing * rng.choice((depth, depth // 2, 0))
    form = rng.randrange(4)
    if form == 0:
        return ".html", markup
    if form == 1:
        return ".txt", markup
    if form == 2:
        return ".jsonl", json.dumps({"id": "deep", "html": markup.decode()}).encode() + b"\n"
    return ".jsonl", b'{"text": "a", "x": ' + b'{"a": ' * depth + b"1" + b"}" * depth + b"}\n"


def gen_bad_utf8(rng: random.Random, seeds: Seeds) -> tuple[str, bytes]:
    """Seeds with invalid UTF-8 sequences, or a UTF-16 byte order mark over odd bytes."""
    suffix, data = rng.choice((gen_text, gen_html, gen_jsonl))(rng, seeds)
    buf = bytearray(data)
    for _ in range(rng.randint(1, 40)):
        pos = rng.randint(0, len(buf))
        buf[pos:pos] = rng.choice(_BAD_UTF8)
    if rng.random() < 0.1:
        return suffix, rng.choice((b"\xff\xfe", b"\xfe\xff")) + bytes(buf[: len(buf) | 1])
    return suffix, bytes(buf)


def gen_nul(rng: random.Random, seeds: Seeds) -> tuple[str, bytes]:
    """Seeds with NUL bytes, some placed past the block the binary sniffing reads."""
    suffix, data = rng.choice((gen_text, gen_html, gen_jsonl))(rng, seeds)
    if rng.random() < 0.5:
        data = data * (9000 // max(len(data), 1) + 2)
        low = 9000
    else:
        low = 0
    buf = bytearray(data)
    for _ in range(rng.randint(1, 10)):
        pos = rng.randint(min(low, len(buf)), len(buf))
        buf[pos:pos] = b"\0" * rng.choice((1, 1, 3, 100))
    return suffix, bytes(buf)


# kind -> (weight, generator); weights favour the fast kinds so 100,000 inputs fit in well under an hour
KINDS: dict[str, tuple[float, Callable[[random.Random, Seeds], tuple[str, bytes]]]] = {
    "bytes": (15, gen_bytes),
    "text": (15, gen_text),
    "html": (15, gen_html),
    "jsonl": (15, gen_jsonl),
    "gzip": (10, gen_gzip),
    "warc": (12, gen_warc),
    "bad-utf8": (8, gen_bad_utf8),
    "nul": (7, gen_nul),
    "nested": (0.3, gen_nested),
    "huge": (0.15, gen_huge),
}


def generate(seed: int, index: int, seeds: Seeds) -> tuple[str, str, bytes]:
    """(kind, file suffix, bytes) of input `index` of the run with `seed`."""
    rng = random.Random(f"{seed}:{index}")
    names = list(KINDS)
    kind = rng.choices(names, weights=[KINDS[k][0] for k in names])[0]
    suffix, data = KINDS[kind][1](rng, seeds)
    return kind, suffix, data


# Checking one input ---------------------------------------------------------------------------------------------


@dataclass
class InputResult:
    """What one input produced: its records' final statuses and any broken invariant."""

    index: int
    kind: str
    name: str
    size: int
    seconds: float = 0.0  # CPU time, which other processes on the machine do not inflate
    wall_seconds: float = 0.0
    statuses: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)


def _is_utf8(*values: str | None) -> bool:
    try:
        for value in values:
            if value is not None:
                value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _expected_jsonl_records(data: bytes) -> int:
    """Non-blank lines as the JSONL reader splits them (universal newlines, bad UTF-8 replaced)."""
    stream = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", errors="replace")
    return max(1, sum(1 for line in stream if line.strip()))


def _check_record(raw: RawDocument, cleaner: Cleaner, result: InputResult) -> None:
    where = raw.id or "(no id)"
    problems = result.problems
    if not isinstance(raw.status, Status):
        problems.append(f"{where}: invalid status {raw.status!r}")
        return
    if not raw.id:
        problems.append("record without an id")
    if not _is_utf8(raw.id, raw.source, raw.content, raw.url, raw.title, raw.date, raw.reason, *raw.warnings):
        problems.append(f"{where}: text that cannot be written as UTF-8")
    if raw.status != Status.OK:
        if not (raw.reason or "").strip():
            problems.append(f"{where}: status {raw.status} without a reason")
        result.statuses[str(raw.status)] += 1
        return
    if not raw.content.strip() or "\r" in raw.content:
        problems.append(f"{where}: OK record with blank content or a carriage return")
    try:
        if raw.fmt == "html":
            cleaned = cleaner.clean_html(raw.content, title=raw.title)
        else:
            cleaned = cleaner.clean_text(raw.content, title=raw.title)
    except Exception as e:
        problems.append(f"{where}: cleaner raised {type(e).__name__}: {e} [{_where_raised(e)}]")
        result.statuses["error"] += 1
        return
    if not _is_utf8(cleaned.text, cleaned.title, cleaned.date):
        problems.append(f"{where}: cleaned text that cannot be written as UTF-8")
    result.statuses["ok" if cleaned.text.strip() else "empty"] += 1


def _where_raised(e: BaseException) -> str:
    frame = traceback.extract_tb(e.__traceback__)[-1]
    return f"{Path(frame.filename).name}:{frame.lineno}"


def check_input(path: Path, result: InputResult, cleaner: Cleaner) -> None:
    """Read and clean one input file, recording statuses and broken invariants in `result`."""
    n = 0
    try:
        for raw in read_documents([str(path)]):
            n += 1
            _check_record(raw, cleaner, result)
    except Exception as e:
        result.problems.append(f"reader raised {type(e).__name__}: {e} [{_where_raised(e)}]")
        return
    if n == 0:
        result.problems.append("no record for this input")
    if path.name.endswith(".jsonl") and n != (expected := _expected_jsonl_records(path.read_bytes())):
        result.problems.append(f"{n} records for {expected} non-blank JSONL lines")


def _worker(conn: Connection, seed: int, workdir: Path, keep: bool, cleaner: Cleaner, bound_s: float) -> None:
    # the libraries' own complaints about broken input (warcio prints to stderr) would bury the summary
    logging.disable(logging.CRITICAL)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a worker stopped by SIGXCPU leaves no core file
    sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - for the life of the worker process
    try:
        seeds = Seeds.load()
        while (index := conn.recv()) is not None:
            conn.send(("done", _run_one(seed, index, seeds, cleaner, workdir, keep, conn, bound_s)))
    except Exception:
        traceback.print_exc(file=sys.__stderr__)
        raise


def _run_one(
    seed: int,
    index: int,
    seeds: Seeds,
    cleaner: Cleaner,
    workdir: Path,
    keep: bool,
    conn: Connection,
    bound_s: float,
) -> InputResult:
    try:
        kind, suffix, data = generate(seed, index, seeds)
    except Exception as e:  # a bug of the fuzzer itself, reported like any other failure
        return InputResult(index, "?", "", 0, problems=[f"generator raised {type(e).__name__}: {e}"])
    path = workdir / f"{index:07d}-{kind}{suffix}"
    path.write_bytes(data)
    result = InputResult(index, kind, path.name, len(data))
    conn.send(("start", kind, path.name))
    start, wall_start = time.process_time(), time.perf_counter()
    # the kernel stops this process with SIGXCPU once the input has used `bound_s` of CPU time
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    resource.setrlimit(resource.RLIMIT_CPU, (math.ceil(sum(os.times()[:2]) + bound_s), hard))
    check_input(path, result, cleaner)
    resource.setrlimit(resource.RLIMIT_CPU, (hard, hard))
    result.seconds = time.process_time() - start
    result.wall_seconds = time.perf_counter() - wall_start
    if not keep:
        path.unlink()
    return result


# Running many inputs --------------------------------------------------------------------------------------------


@dataclass
class Failure:
    index: int
    kind: str
    problem: str


@dataclass
class FuzzSummary:
    seed: int
    count: int
    time_bound_s: float
    workers: int
    seconds: float = 0.0
    inputs: Counter[str] = field(default_factory=Counter)  # by kind
    kind_seconds: Counter[str] = field(default_factory=Counter)  # time spent reading and cleaning, by kind
    statuses: Counter[str] = field(default_factory=Counter)  # final status of every record
    by_kind: dict[str, Counter[str]] = field(default_factory=dict)
    slowest: list[InputResult] = field(default_factory=list)  # the five slowest, slowest first
    failures: list[Failure] = field(default_factory=list)

    def add(self, result: InputResult) -> None:
        self.inputs[result.kind] += 1
        self.kind_seconds[result.kind] += result.seconds
        self.statuses.update(result.statuses)
        self.by_kind.setdefault(result.kind, Counter()).update(result.statuses)
        self.failures.extend(Failure(result.index, result.kind, p) for p in result.problems)
        if result.seconds > self.time_bound_s:
            self.failures.append(
                Failure(result.index, result.kind, f"took {result.seconds:.1f} s, over {self.time_bound_s} s")
            )
        self.slowest = sorted([*self.slowest, result], key=lambda r: -r.seconds)[:5]

    @property
    def records(self) -> int:
        return sum(self.statuses.values())

    def format(self) -> str:
        lines = [
            f"{sum(self.inputs.values())} inputs (seed {self.seed}, {self.workers} worker(s), "
            f"bound {self.time_bound_s} s per input) in {self.seconds:.0f} s; {self.records} records: "
            + ", ".join(f"{s} {n}" for s, n in sorted(self.statuses.items())),
            "by kind (inputs, seconds: record statuses):",
        ]
        for kind in sorted(self.inputs):
            counts = ", ".join(f"{s} {n}" for s, n in sorted(self.by_kind.get(kind, Counter()).items()))
            lines.append(f"  {kind:<9} {self.inputs[kind]:>7} {self.kind_seconds[kind]:7.0f} s: {counts}")
        lines.append("slowest inputs:")
        lines += [
            f"  {r.seconds:7.2f} s CPU ({r.wall_seconds:.2f} s wall)  #{r.index} {r.name} ({r.size} bytes)"
            for r in self.slowest
        ]
        lines.append(f"failures: {len(self.failures)}")
        lines += [f"  #{f.index} ({f.kind}, seed {self.seed}): {f.problem}" for f in self.failures[:50]]
        return "\n".join(lines)


@dataclass
class _Slot:
    process: Any
    conn: Connection
    index: int | None = None
    deadline: float = float("inf")
    kind: str = "(starting)"
    name: str = ""


def run_fuzz(
    count: int,
    seed: int = 0,
    time_bound_s: float = 30.0,
    workdir: Path | None = None,
    *,
    start: int = 0,
    workers: int = 2,
    keep: bool = False,
    line_model: bool = True,
) -> FuzzSummary:
    """Generate, read and clean inputs `start .. start+count-1` of the run with `seed`, in `workers` processes.

    An input that uses more than `time_bound_s` of CPU time, or waits ten times as long, has its worker killed
    and is recorded as a failure. With `keep`, the generated files stay in `workdir` (a temporary folder when
    None)."""
    summary = FuzzSummary(seed=seed, count=count, time_bound_s=time_bound_s, workers=workers)
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="newsgraph-fuzz-") as tmp:
        folder = Path(workdir) if workdir is not None else Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        # Workers are forked from a process whose cleaner has run once: the first HTML page compiles
        # trafilatura's and dateparser's patterns (many seconds), which would otherwise count against an input.
        cleaner = Cleaner(Config(), line_model=line_model)
        _warm_up(cleaner)
        ctx = mp.get_context("fork")
        todo = iter(range(start, start + count))

        def spawn() -> _Slot:
            parent, child = ctx.Pipe()
            process = ctx.Process(
                target=_worker, args=(child, seed, folder, keep, cleaner, time_bound_s), daemon=True
            )
            process.start()
            child.close()
            return _Slot(process, parent)

        def feed(slot: _Slot) -> bool:
            slot.index, slot.kind, slot.name = next(todo, None), "(starting)", ""
            slot.conn.send(slot.index)
            slot.deadline = time.monotonic() + STARTUP_ALLOWANCE_S
            return slot.index is not None

        def replace_worker(slot: _Slot, problem: str) -> _Slot:
            slot.process.kill()
            slot.process.join()
            assert slot.index is not None
            summary.failures.append(Failure(slot.index, slot.kind, f"{slot.name}: {problem}"))
            summary.inputs[slot.kind] += 1
            new = spawn()
            if not feed(new):
                _stop(new)
            return new

        active: list[_Slot] = []
        for _ in range(max(1, workers)):
            slot = spawn()
            if feed(slot):
                active.append(slot)
            else:
                _stop(slot)
        done = 0
        while active:
            now = time.monotonic()
            ready = wait([s.conn for s in active], timeout=max(0.0, min(s.deadline for s in active) - now))
            for slot in list(active):
                if slot.conn in ready:
                    try:
                        message = slot.conn.recv()
                    except EOFError:
                        slot.process.join()
                        code = slot.process.exitcode
                        problem = (
                            f"killed: used the time bound of {time_bound_s} s of CPU time (hang)"
                            if code == -signal.SIGXCPU
                            else f"worker died (exit code {code})"
                        )
                        active[active.index(slot)] = replace_worker(slot, problem)
                        continue
                    if message[0] == "start":
                        slot.kind, slot.name = message[1], message[2]
                        slot.deadline = time.monotonic() + time_bound_s * WALL_FACTOR
                        continue
                    summary.add(message[1])
                    done += 1
                    if done % 2000 == 0:
                        logger.info("%d/%d inputs, %d failure(s)", done, count, len(summary.failures))
                    if not feed(slot):
                        _stop(slot)
                elif time.monotonic() > slot.deadline:
                    problem = (
                        f"killed: blocked for {WALL_FACTOR} times the time bound of {time_bound_s} s (hang)"
                    )
                    active[active.index(slot)] = replace_worker(slot, problem)
            active = [s for s in active if s.index is not None]
    summary.seconds = time.perf_counter() - began
    return summary


def _warm_up(cleaner: Cleaner) -> None:
    cleaner.clean_html(_HTML_TEMPLATE)
    cleaner.clean_text(_TEXT_TEMPLATE)
    try:  # htmldate's date parser compiles the patterns of some 200 locales the first time a date-like text fails
        from htmldate.extractors import get_external_parser

        get_external_parser().get_date_data("12 Tr zz")
    except (ImportError, AttributeError):  # another htmldate version: the warm-up is only an optimisation
        pass


def _stop(slot: _Slot) -> None:
    slot.index = None
    slot.process.join(timeout=10)
    if slot.process.is_alive():
        slot.process.kill()
        slot.process.join()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.fuzz", description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=1000, help="number of inputs (default 1000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--start", type=int, default=0, help="index of the first input (to replay one failure)"
    )
    parser.add_argument(
        "--time-bound", type=float, default=30.0, help="seconds allowed per input (default 30)"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="write the generated inputs to this folder and keep them")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    summary = run_fuzz(
        args.count,
        args.seed,
        args.time_bound,
        args.keep,
        start=args.start,
        workers=args.workers,
        keep=args.keep is not None,
    )
    print(summary.format())
    return 1 if summary.failures else 0


if __name__ == "__main__":
    sys.exit(main())
