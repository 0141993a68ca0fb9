"""The extraction run: read → clean → segment → extract → write, in input order, one block of documents at a time.

Writes `documents.jsonl`, `entities.jsonl`, `triples.jsonl` and `manifest.json` into an output folder (each
written under a temporary name and renamed when complete), or triples only to a stream. Every input document
ends as a line of `documents.jsonl`, with status `ok`, `empty`, `skipped` or `error`.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import logging
import shutil
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Container, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import IO, Any, Protocol

from pipeline import __version__
from pipeline.config import Config
from pipeline.errors import ConfigError, PipelineError
from pipeline.front import Block, Front, Prepared, prepared
from pipeline.io import AtomicWriter, dumps, read_documents
from pipeline.parts import PARTS_DIR, PartStore, document_key, part_line, run_key
from pipeline.records import SCHEMA_VERSION, document_record, entity_record, triple_record
from pipeline.segment import sentence_spans
from pipeline.types import Document, Entity, Mention, RawDocument, Status, Triple

logger = logging.getLogger(__name__)

OUTPUT_FILES = ("documents.jsonl", "entities.jsonl", "triples.jsonl", "manifest.json")
PACKAGES = ("spacy", "trafilatura", "pycountry", "warcio", "torch", "transformers")


class Extractor(Protocol):
    name: str
    version: str

    def pipe(self, docs: Iterable[Any]) -> Iterable[Any]: ...


def make_extractor(
    name: str,
    config: Config,
    thresholds: bool | None = None,
    int8: bool | None = None,
    device: str | None = None,
) -> Extractor:
    """'baseline', or a trained model: a folder, or a name under `models/` next to the configuration folder,
    run on `device` (default: configs/pipeline.toml's `device`; see `pipeline.device`)."""
    if name == "baseline":
        from pipeline.baseline import BaselineExtractor

        return BaselineExtractor(config)
    folder = resolve_model(name, config)
    if thresholds is None:
        thresholds = bool(config.pipeline.get("relation_thresholds", False))
    if int8 is None:
        int8 = bool(config.pipeline.get("int8", False))
    from pipeline.device import for_device, resolve_device

    settings = config.pipeline
    where = resolve_device(device or settings.get("device", "auto"))
    return ModelExtractor(
        folder,
        thresholds,
        int8,
        device=where,
        batch_docs=int(for_device(settings.get("model_batch_docs", 16), where)),
        batch_tokens=for_device(settings.get("batch_tokens"), where),
        threads=int(settings.get("threads", 0)),
        segmenter=str(settings.get("model_segmenter", "senter")),
    )


def resolve_model(name: str, config: Config) -> Path:
    for folder in (Path(name), config.root.parent / "models" / name, config.root.parent / name):
        if (folder / "config.json").is_file():
            return folder
    raise ConfigError(
        f"unknown extractor {name!r}: not 'baseline' and no model folder (with config.json) of that name; "
        "models ship in models/ (see models/README.md)"
    )


class ModelExtractor:
    """The trained tagger and relation head (spaCy components `news_ner` and `news_rel`) over segmented docs.
    They read only sentences and tokens, so by default spaCy runs its sentence recogniser alone (`senter`, see
    `pipeline.segment`). With the `parser` segmenter, spaCy's own NER is switched off (the model replaces it),
    and so are the tagger, attribute ruler and lemmatizer, which nothing downstream reads: the parser alone gives
    the same sentences (checked on the sample corpus) in about half the time."""

    spacy_disable = ("ner", "tagger", "attribute_ruler", "lemmatizer")

    def __init__(
        self,
        folder: Path,
        thresholds: bool,
        int8: bool = False,
        *,
        device: str = "cpu",
        batch_docs: int = 16,
        batch_tokens: int | None = None,
        threads: int = 0,
        segmenter: str = "senter",
    ) -> None:
        from pipeline.components import NewsNer, NewsRel, check_int8, model_info

        info = model_info(folder)
        if int8:
            check_int8(folder, info.get("settings", {}))  # before any document, not once per document
        if threads > 0:
            import torch

            torch.set_num_threads(threads)
        self.name, self.version = info["name"], info["version"]
        self.folder, self.device, self.segmenter = folder, device, segmenter
        self.ner = NewsNer(str(folder), batch_docs, int8, device, batch_tokens)
        self.rel = NewsRel(str(folder), batch_docs, thresholds, int8, device, batch_tokens)
        digest = hashlib.sha256((folder / "model.safetensors").read_bytes()).hexdigest()
        # the device is not part of the model's identity (bf16 on a GPU changes scores in the last digits)
        self.models = {"newsgraph": f"{self.name}-{self.version}{' int8' if int8 else ''} sha256:{digest}"}

    def pipe(self, docs: Iterable[Any]) -> Iterable[Any]:
        return self.rel.pipe(self.ner.pipe(docs))


@dataclass
class RunStats:
    documents: int = 0
    by_status: Counter[str] = field(default_factory=Counter)
    entities: int = 0
    triples: int = 0
    by_relation: Counter[str] = field(default_factory=Counter)
    words: int = 0
    seconds: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))

    def add_record(self, line: dict[str, Any]) -> None:
        """Count a document reused from an earlier run's part line."""
        self.documents += 1
        self.by_status[line["document"]["status"]] += 1
        self.entities += len(line["entities"])
        self.triples += len(line["triples"])
        self.by_relation.update(t["relation"] for t in line["triples"])
        self.words += len(line["document"]["text"].split())

    def add(self, doc: Document) -> None:
        self.documents += 1
        self.by_status[str(doc.status)] += 1
        self.entities += len(doc.entities)
        self.triples += len(doc.triples)
        self.by_relation.update(t.relation for t in doc.triples)
        self.words += len(doc.text.split())


class Stopwatch:
    def __init__(self, stats: RunStats, stage: str) -> None:
        self.stats, self.stage = stats, stage

    def __enter__(self) -> None:
        self.t0 = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        self.stats.seconds[self.stage] += time.perf_counter() - self.t0


class Pipeline:
    """The configured stages; `process` turns raw documents into finished `Document`s, in order."""

    def __init__(
        self,
        config: Config,
        extractor: str | None = None,
        thresholds: bool | None = None,
        int8: bool | None = None,
        workers: int = 1,
        device: str | None = None,
    ) -> None:
        self.config = config
        settings = config.pipeline
        self.settings = settings
        self.extractor = make_extractor(
            extractor or settings["default_extractor"], config, thresholds, int8, device
        )
        segmenter = getattr(self.extractor, "segmenter", "parser")
        disable = getattr(self.extractor, "spacy_disable", ()) if segmenter == "parser" else ()
        self.front = Front(config, disable, segmenter)
        self.nlp = self.front.nlp
        self.workers = max(1, int(workers))

    def close(self) -> None:
        """Stop the worker processes, if any."""
        self.front.close()

    def run_key(self) -> str:
        """What decides the output of a document besides its own content (see `pipeline.parts`)."""
        models = getattr(self.extractor, "models", {})
        return run_key(
            [__version__, self.config.digest(), self.extractor.name, self.extractor.version]
            + [f"device={getattr(self.extractor, 'device', 'cpu').split(':')[0]}"]
            + [f"{k}={v}" for k, v in sorted(models.items())]
        )

    def blocks(
        self,
        raws: Iterable[RawDocument],
        done: Container[str] = frozenset(),
        seen: Counter[str] | None = None,
    ) -> Iterator[Block]:
        """Blocks with final document ids (a repeated id gets `#dupN`, counting from `seen`, the ids met
        before, which is updated) and keys; `done` keys are marked skip."""
        seen = Counter() if seen is None else seen
        for raws_block in iter_blocks(raws, int(self.settings["clean_block_docs"])):
            ids = final_ids(raws_block, seen)
            repeated = self.front.repeated(raws_block)
            # a page's key covers what its cleaning sees of the others: the repeated lines of its source
            keys = [
                document_key(raw, doc_id, repeated.get(raw.source, frozenset()) if raw.fmt == "text" else ())
                for raw, doc_id in zip(raws_block, ids, strict=True)
            ]
            yield Block(raws_block, ids, keys, [k in done for k in keys], repeated)

    def process_blocks(
        self,
        raws: Iterable[RawDocument],
        stats: RunStats,
        done: Container[str] = frozenset(),
        seen: Counter[str] | None = None,
    ) -> Iterator[list[tuple[str, Document | None]]]:
        """Per block: (document key, finished document), the document None where its key is in `done`."""
        for prep in prepared(self.front, self.blocks(raws, done, seen), self.workers):
            self.extract_prepared(prep)
            for stage, seconds in prep.seconds.items():
                stats.seconds[stage] += seconds
            out = []
            for key, doc in zip(prep.keys, prep.docs, strict=True):
                if doc is not None:
                    stats.add(doc)
                out.append((key, doc))
            yield out

    def process(
        self, raws: Iterable[RawDocument], stats: RunStats, seen: Counter[str] | None = None
    ) -> Iterator[Document]:
        """Finished documents in input order; `seen` counts ids met before these (see `blocks`)."""
        for block in self.process_blocks(raws, stats, seen=seen):
            for _, doc in block:
                assert doc is not None
                yield doc

    def extract_prepared(self, prep: Prepared) -> None:
        """Run the extractor over the parsed docs of a block and fill in its documents."""
        t0 = time.perf_counter()
        todo = [d for d in prep.docs if d is not None and d.status == Status.OK]
        try:
            results: list[Any] = list(self.extractor.pipe(prep.parsed))
        except Exception:  # find the document that breaks the batch; the others go on
            logger.exception("extraction failed on a batch; retrying its documents one at a time")
            results = []
            for doc, spacy_doc in zip(todo, prep.parsed, strict=True):
                try:
                    results.extend(self.extractor.pipe([spacy_doc]))
                except Exception as e:
                    logger.exception("extraction from %s failed", doc.id)
                    doc.status, doc.reason = Status.ERROR, f"extraction failed: {type(e).__name__}: {e}"
                    results.append(None)
        prep.seconds["extract"] = time.perf_counter() - t0
        for doc, spacy_doc in zip(todo, results, strict=True):
            if spacy_doc is None:
                continue
            try:
                fill_document(doc, spacy_doc, self.extractor)
            except Exception as e:
                logger.exception("extraction from %s failed", doc.id)
                doc.status, doc.reason = Status.ERROR, f"extraction failed: {type(e).__name__}: {e}"
                doc.entities.clear()
                doc.triples.clear()


def final_ids(raws: list[RawDocument], seen: Counter[str]) -> list[str]:
    """Document ids as written: the second and later documents with one id get `#dup2`, `#dup3`, ..."""
    ids = []
    for raw in raws:
        seen[raw.id] += 1
        ids.append(raw.id if seen[raw.id] == 1 else f"{raw.id}#dup{seen[raw.id]}")
    return ids


def iter_blocks(raws: Iterable[RawDocument], size: int) -> Iterator[list[RawDocument]]:
    """Consecutive documents in blocks of at most `size`, the unit of cleaning (lines repeated across the pages
    of one source are found within a block). A block never spans two multi-document files (JSONL, WARC), and
    one-document files that follow each other share blocks, so any engine that cuts the same input files the
    same way (`pipeline.distributed`) cleans every page exactly as a single-process run does."""
    block: list[RawDocument] = []
    for raw in raws:
        if block and (len(block) == size or raw.container != block[-1].container):
            yield block
            block = []
        block.append(raw)
    if block:
        yield block


def fill_document(doc: Document, spacy_doc: Any, extractor: Extractor) -> None:
    """Copy sentences, entities and relations from an annotated spaCy doc into the record."""
    doc.sentences = sentence_spans(spacy_doc)
    doc.windows = spacy_doc._.windows
    starts = [s for s, _ in doc.sentences]

    def sentence_of(char: int) -> int:
        return max(0, bisect.bisect_right(starts, char) - 1)

    scores = spacy_doc._.entity_scores or [1.0] * len(spacy_doc.ents)
    for ent, score in zip(spacy_doc.ents, scores, strict=True):
        doc.entities.append(Entity(doc.id, _mention(ent), sentence_of(ent.start_char), score, extractor.name))
    for rel in spacy_doc._.relations or []:
        first = min(rel.head.start_char, rel.tail.start_char)
        last = max(rel.head.end_char, rel.tail.end_char)
        s0, s1 = sentence_of(first), sentence_of(last - 1)
        evidence = doc.text[doc.sentences[s0][0] : doc.sentences[s1][1]] if doc.sentences else ""
        doc.triples.append(
            Triple(
                doc_id=doc.id,
                head=_mention(rel.head),
                relation=rel.relation,
                tail=_mention(rel.tail),
                score=rel.score,
                sentence=sentence_of(rel.head.start_char),
                evidence=evidence.strip(),
                extractor=extractor.name,
                version=extractor.version,
                trigger=_mention(rel.trigger) if rel.trigger is not None else None,
                rule=rel.rule,
            )
        )
    if not doc.entities:
        doc.warnings.append("no entities found")


def _mention(span: Any) -> Mention:
    return Mention(text=span.text, label=span.label_, start=span.start_char, end=span.end_char)


def package_versions() -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    return out


def manifest(pipeline: Pipeline, inputs: list[str], stats: RunStats) -> dict[str, Any]:
    meta = pipeline.nlp.meta
    return {
        "schema_version": SCHEMA_VERSION,
        "newsgraph": __version__,
        "extractor": {
            "name": pipeline.extractor.name,
            "version": pipeline.extractor.version,
            "segmenter": pipeline.front.segmenter,
        },
        "packages": package_versions(),
        "models": {
            "spacy": f"{meta.get('lang')}_{meta.get('name')}-{meta.get('version')}",
            **getattr(pipeline.extractor, "models", {}),
        },
        "config_sha256": pipeline.config.digest(),
        "inputs": inputs,
        "counts": {
            "documents": stats.documents,
            "by_status": dict(sorted(stats.by_status.items())),
            "entities": stats.entities,
            "triples": stats.triples,
            "by_relation": dict(sorted(stats.by_relation.items())),
            "words": stats.words,
        },
        "seconds": {k: round(v, 3) for k, v in sorted(stats.seconds.items())},
    }


def prepare_output(out_dir: Path, force: bool, resume: bool = False) -> None:
    """Refuse to mix runs: an output folder holding earlier results needs `force` (start again) or `resume`."""
    if out_dir.exists() and not out_dir.is_dir():
        raise PipelineError(f"{out_dir}: exists and is not a folder")
    existing = [name for name in (*OUTPUT_FILES, PARTS_DIR) if (out_dir / name).exists()]
    if existing and not (force or resume):
        raise PipelineError(
            f"{out_dir}: already holds {', '.join(existing)}; use --resume to continue or update that run, "
            "or --force to start again"
        )
    if force and not resume:
        shutil.rmtree(out_dir / PARTS_DIR, ignore_errors=True)
    out_dir.mkdir(parents=True, exist_ok=True)


def run_extract(
    inputs: list[str],
    out_dir: Path | None,
    *,
    config: Config | None = None,
    extractor: str | None = None,
    thresholds: bool | None = None,
    int8: bool | None = None,
    force: bool = False,
    resume: bool = False,
    workers: int = 1,
    device: str | None = None,
    stdout: IO[str] | None = None,
    stdin: IO[str] | None = None,
    on_document: Callable[[Document], None] | None = None,
) -> dict[str, Any]:
    """Run the pipeline over `inputs` into `out_dir` (see `pipeline.parts` for crash safety and `resume`).
    With `out_dir` None, triples go to `stdout` as JSONL and nothing else is written."""
    config = config or Config()
    stats = RunStats()
    t0 = time.perf_counter()
    if out_dir is None and resume:
        raise PipelineError("--resume needs an output folder (not '-')")
    if out_dir is not None:
        prepare_output(out_dir, force, resume)
    pipeline = Pipeline(config, extractor, thresholds, int8, workers=workers, device=device)
    stats.seconds["load"] += time.perf_counter() - t0
    try:
        raws = read_documents(inputs, stdin=stdin)
        if out_dir is None:
            assert stdout is not None, "stdout is required without an output folder"
            for doc in pipeline.process(raws, stats):
                stdout.writelines(dumps(triple_record(t)) for t in doc.triples)
                if on_document is not None:
                    on_document(doc)
            stats.seconds["total"] = time.perf_counter() - t0
            where = getattr(pipeline.extractor, "device", "cpu")
            return {
                **manifest(pipeline, inputs, stats),
                "run": {"workers": pipeline.workers, "device": where},
            }

        store = PartStore(out_dir, pipeline.run_key())
        index = store.index() if resume else {}
        reused = 0
        try:
            for block in pipeline.process_blocks(raws, stats, done=index):
                t1 = time.perf_counter()
                lines = []
                for key, doc in block:
                    if doc is None:
                        line = store.load(index[key])
                        stats.add_record(line)
                        reused += 1
                        if on_document is not None:
                            on_document(_summary(line["document"]))
                    else:
                        line = part_line(
                            key,
                            store.run,
                            document_record(doc),
                            [entity_record(e) for e in doc.entities],
                            [triple_record(t) for t in doc.triples],
                        )
                        if on_document is not None:
                            on_document(doc)
                    lines.append(line)
                store.write(lines)
                stats.seconds["write"] += time.perf_counter() - t1
            t1 = time.perf_counter()
            with ExitStack() as stack:
                files = {
                    kind: stack.enter_context(AtomicWriter(out_dir / f"{kind}.jsonl"))
                    for kind in ("documents", "entities", "triples")
                }
                for line in store.lines():
                    files["documents"].write(dumps(line["document"]))
                    files["entities"].writelines(dumps(e) for e in line["entities"])
                    files["triples"].writelines(dumps(t) for t in line["triples"])
            stats.seconds["write"] += time.perf_counter() - t1
            dropped = store.drop_others()
        finally:
            store.close()
        stats.seconds["total"] = time.perf_counter() - t0
        result = manifest(pipeline, inputs, stats)
        result["run"] = {
            "workers": pipeline.workers,
            "device": getattr(pipeline.extractor, "device", "cpu"),
            "reused": reused,
            "parts": len(store.written),
            "parts_dropped": dropped,
        }
        with AtomicWriter(out_dir / "manifest.json") as f:
            f.write(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
        return result

    finally:
        pipeline.close()


def _summary(record: dict[str, Any]) -> Document:
    """A stand-in `Document` for a reused record (id, status, reason), for progress callbacks."""
    return Document(
        id=record["id"],
        source=record["source"],
        text="",
        status=Status(record["status"]),
        reason=record["reason"],
    )
