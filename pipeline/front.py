"""The front of the pipeline: clean and segment one block of documents, in this process or in worker processes.

A `Block` is the unit of cleaning (`pipeline.run.iter_blocks`). `Front.prepare` cleans its documents (lines repeated
across pages of one source are found within the block), then parses the ones left with text. `prepared` runs
blocks through worker processes when asked (`--workers N`): each worker holds its own cleaner and spaCy pipeline,
results come back in input order (parsed docs as spaCy bytes), so the output does not depend on the number of
workers. A block whose worker fails is prepared again in this process, where a bad page becomes an error record.
"""

from __future__ import annotations

import logging
import multiprocessing
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.clean import Cleaner, repeated_lines
from pipeline.config import Config
from pipeline.segment import load_nlp, segment
from pipeline.types import CleanResult, Document, RawDocument, Status

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class Block:
    """Consecutive raw documents with their final ids, document keys and whether each is already done."""

    raws: list[RawDocument]
    ids: list[str]
    keys: list[str]
    skip: list[bool]
    repeated: dict[str, frozenset[str]]  # source → lines repeated across its plain-text pages in this block


@dataclass(slots=True)
class Prepared:
    """A block after cleaning and parsing: `docs[i]` is None where `skip[i]`; `parsed` holds the spaCy docs
    of the documents left with status ok, in order (bytes when they come from a worker process)."""

    keys: list[str]
    docs: list[Document | None]
    parsed: list[Any]
    seconds: dict[str, float] = field(default_factory=dict)


class Front:
    """Cleaner and spaCy pipeline of one process."""

    def __init__(self, config: Config, disable: Iterable[str] = (), segmenter: str = "parser") -> None:
        self.config = config
        self.settings = config.pipeline
        self.cleaner = Cleaner(config)
        self.repeated_min_docs = int(self.cleaner.settings["repeated_min_docs"])
        self.nlp = load_nlp(self.settings["spacy_model"], segmenter)
        self.disable, self.segmenter = tuple(disable), segmenter
        self._pool: ProcessPoolExecutor | None = None
        self._pool_size = 0

    def pool(self, workers: int) -> ProcessPoolExecutor:
        """Worker processes, started on first use and kept until `close` (starting one costs seconds)."""
        if self._pool is None or self._pool_size != workers:
            self.close()
            self._pool = ProcessPoolExecutor(
                max_workers=workers,
                mp_context=multiprocessing.get_context("spawn"),  # never fork a process holding torch threads
                initializer=_init_worker,
                initargs=(str(self.config.root), self.disable, self.segmenter),
            )
            self._pool_size = workers
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def repeated(self, raws: list[RawDocument]) -> dict[str, frozenset[str]]:
        """Per source, the lines repeated across its plain-text pages among `raws` (one block)."""
        by_source: dict[str, list[str]] = defaultdict(list)
        for raw in raws:
            if raw.status == Status.OK and raw.fmt == "text":
                by_source[raw.source].append(raw.content)
        return {
            src: repeated_lines(texts, self.repeated_min_docs)
            for src, texts in by_source.items()
            if len(texts) >= self.repeated_min_docs
        }

    def clean_block(self, block: Block) -> list[Document | None]:
        """Clean the documents of a block not marked done."""
        return [
            None if skip else self.clean_one(raw, doc_id, block.repeated.get(raw.source, frozenset()))
            for raw, doc_id, skip in zip(block.raws, block.ids, block.skip, strict=True)
        ]

    def clean_one(self, raw: RawDocument, doc_id: str, repeated: frozenset[str]) -> Document:
        doc = Document(
            id=doc_id,
            source=raw.source,
            text="",
            url=raw.url,
            title=raw.title,
            date=raw.date,
            origin=raw.origin,
            status=raw.status,
            reason=raw.reason,
            warnings=list(raw.warnings),
        )
        if doc_id != raw.id:
            doc.warnings.append(f"duplicate id {raw.id!r}; renamed")
        if raw.status != Status.OK:
            return doc
        try:
            result: CleanResult = (
                self.cleaner.clean_html(raw.content, title=raw.title)
                if raw.fmt == "html"
                else self.cleaner.clean_text(raw.content, title=raw.title, repeated_lines=repeated)
            )
        except Exception as e:  # one bad page must not stop a corpus run; it is recorded instead
            logger.exception("cleaning %s failed", doc_id)
            doc.status, doc.reason = Status.ERROR, f"cleaning failed: {type(e).__name__}: {e}"
            return doc
        doc.text, doc.removed = result.text, result.removed
        doc.title = raw.title or result.title
        doc.date = raw.date or result.date
        if not doc.text.strip():
            doc.status, doc.reason = (
                Status.EMPTY,
                "no article body found" if raw.fmt == "html" else "nothing left after cleaning",
            )
        return doc

    def parse(self, texts: Iterable[str]) -> Iterator[Any]:
        """spaCy docs of `texts`, in order (long texts in pieces; see `pipeline.segment`)."""
        return segment(
            self.nlp,
            texts,
            max_chars=int(self.settings["max_piece_chars"]),
            batch_size=int(self.settings["batch_size"]),
            disable=self.disable,
        )

    def prepare(self, block: Block) -> Prepared:
        t0 = time.perf_counter()
        docs = self.clean_block(block)
        t1 = time.perf_counter()
        parsed = list(self.parse(d.text for d in docs if d is not None and d.status == Status.OK))
        seconds = {"clean": t1 - t0, "segment": time.perf_counter() - t1}
        return Prepared(block.keys, docs, parsed, seconds)


# --- worker processes ---------------------------------------------------------------------------------------

_worker_front: Front | None = None


def _init_worker(config_root: str, disable: tuple[str, ...], segmenter: str) -> None:
    global _worker_front
    _worker_front = Front(Config(Path(config_root)), disable, segmenter)


def _prepare_in_worker(block: Block) -> Prepared:
    assert _worker_front is not None, "worker not initialised"
    out = _worker_front.prepare(block)
    out.parsed = [doc.to_bytes(exclude=["tensor", "user_data"]) for doc in out.parsed]
    return out


def prepared(front: Front, blocks: Iterable[Block], workers: int = 1) -> Iterator[Prepared]:
    """Each block cleaned and parsed, in order; with `workers` > 1 in that many processes, a few blocks ahead."""
    if workers <= 1:
        for block in blocks:
            yield front.prepare(block)
        return
    from spacy.tokens import Doc

    pool = front.pool(workers)
    ahead: list[tuple[Block, Future[Prepared]]] = []
    broken = False

    def collect(block: Block, future: Future[Prepared]) -> Prepared:
        nonlocal broken
        try:
            out = future.result()
        except Exception as e:
            # a worker that died or failed: this block is done here instead, so nothing is lost
            logger.warning(
                "worker failed on a block (%s: %s); preparing it in the main process", type(e).__name__, e
            )
            broken = broken or "Broken" in type(e).__name__
            return front.prepare(block)
        out.parsed = [Doc(front.nlp.vocab).from_bytes(b) for b in out.parsed]
        return out

    try:
        for block in blocks:
            if broken:
                yield front.prepare(block)
                continue
            try:
                ahead.append((block, pool.submit(_prepare_in_worker, block)))
            except RuntimeError as e:  # the pool broke since the last block (BrokenProcessPool)
                logger.warning("worker pool unusable (%s); preparing the rest in the main process", e)
                broken = True
                while ahead:
                    yield collect(*ahead.pop(0))
                yield front.prepare(block)
                continue
            if len(ahead) >= 2 * workers:
                yield collect(*ahead.pop(0))
        while ahead:
            yield collect(*ahead.pop(0))
    finally:
        for _, future in ahead:  # left early (an error downstream): nothing still queued for this call
            future.cancel()
        if broken:
            front.close()
