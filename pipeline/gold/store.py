"""Finding the labelled data, converting it once and caching the canonical JSONL.

The data directory is, in order: the `data_dir` argument (CLI `--data-dir`), `$NEWSGRAPH_DATA_DIR`, or
`[data] dir` in `configs/pipeline.toml` (relative to the project root; default `../shared/data`). Converted
corpora are cached under `.cache/gold/` (git-ignored), keyed by the converter's source, the corpus config and the
source files' sizes and modification times, so a change to any of them rebuilds the cache.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pipeline.config import Config
from pipeline.errors import DataError
from pipeline.gold.format import GoldDocument
from pipeline.gold.spec import CorpusSpec, load_spec
from pipeline.io import AtomicWriter

ENV_DATA_DIR = "NEWSGRAPH_DATA_DIR"
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def data_dir(config: Config, override: str | Path | None = None) -> Path:
    if override is not None:
        return Path(override)
    if env := os.environ.get(ENV_DATA_DIR):
        return Path(env)
    setting = config.pipeline.get("data", {}).get("dir", "../shared/data")
    return (PROJECT_ROOT / setting).resolve()


def cache_dir(config: Config) -> Path:
    setting = config.pipeline.get("data", {}).get("cache", ".cache")
    return (PROJECT_ROOT / setting).resolve()


def missing_reason(config: Config, name: str, override: str | Path | None = None) -> str | None:
    """Why corpus `name` cannot be read here, or None when its folder is present (for test skips)."""
    spec = load_spec(config, name)
    folder = spec.source(data_dir(config, override))
    return (
        None if folder.is_dir() else f"labelled data not found: {folder} (set {ENV_DATA_DIR} or --data-dir)"
    )


def _source_files(spec: CorpusSpec, root: Path, split: str) -> list[Path]:
    entry = spec.splits[split]
    if isinstance(entry, str):
        names = [entry]
    elif isinstance(entry, list):
        names = list(entry)
    else:
        names = [v for v in entry.values() if isinstance(v, str)]
    files: list[Path] = []
    for name in names:
        path = root / name
        files.extend(sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path])
    return files


def _cache_key(config: Config, spec: CorpusSpec, root: Path, split: str) -> str:
    h = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):  # every converter and the code they share
        h.update(path.read_bytes())
    for path in sorted(config.path("gold").glob("*")):  # mappings and reviewed lists
        h.update(path.read_bytes())
    h.update(config.path("countries.toml").read_bytes())
    for path in _source_files(spec, root, split):
        st = path.stat()
        h.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    return h.hexdigest()


def convert(config: Config, name: str, split: str, data: str | Path | None = None) -> Iterator[GoldDocument]:
    """Run corpus `name`'s converter on one split, checking every document's offsets."""
    spec = load_spec(config, name)
    if split not in spec.splits:
        raise DataError(f"corpus {name!r} has no split {split!r}; it has {', '.join(spec.splits)}")
    root = spec.source(data_dir(config, data))
    if not root.is_dir():
        raise DataError(f"labelled data not found: {root} (set {ENV_DATA_DIR} or --data-dir)")
    for doc in spec.module.convert(root, split, spec, config):
        doc.check()
        yield doc


def cache_path(config: Config, name: str, split: str) -> Path:
    return cache_dir(config) / "gold" / name / f"{split}.jsonl"


def build(config: Config, name: str, split: str, data: str | Path | None = None, force: bool = False) -> Path:
    """Convert one split into the cache unless an up-to-date copy is there; returns the JSONL path."""
    spec = load_spec(config, name)
    root = spec.source(data_dir(config, data))
    out = cache_path(config, name, split)
    key_path = out.with_suffix(".key")
    key = _cache_key(config, spec, root, split) if root.is_dir() else None
    if not force and out.is_file() and key_path.is_file() and key_path.read_text() == key:
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    with AtomicWriter(out) as f:
        for doc in convert(config, name, split, data):
            f.write(json.dumps(doc.to_record(), ensure_ascii=False, sort_keys=True) + "\n")
    key_path.write_text(key or "")
    return out


def load(config: Config, name: str, split: str, data: str | Path | None = None) -> list[GoldDocument]:
    """The converted documents of one split (built into the cache on first use)."""
    path = build(config, name, split, data)
    with path.open(encoding="utf-8") as f:
        return [GoldDocument.from_record(json.loads(line)) for line in f]


def read_gold(path: str | Path) -> list[GoldDocument]:
    """Canonical gold JSONL from any path (e.g. a file given to `newsgraph evaluate --gold`)."""
    path = Path(path)
    docs = []
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                try:
                    docs.append(GoldDocument.from_record(json.loads(line)))
                except (json.JSONDecodeError, KeyError, TypeError) as e:
                    raise DataError(f"{path}:{n}: not a canonical gold record: {e}") from None
    return docs


def as_dataset(config: Config, name: str, split: str, data: str | Path | None = None) -> Any:
    """One split as a Hugging Face `datasets.Dataset`, cached (Arrow) under the cache folder."""
    import datasets

    path = build(config, name, split, data)
    return datasets.load_dataset(
        "json",
        data_files=str(path),
        split="train",
        cache_dir=str(cache_dir(config) / "hf"),
    )


def counts(docs: list[GoldDocument]) -> dict[str, Any]:
    """The figures a corpus README publishes, computed from converted documents."""
    from collections import Counter

    by_orig = Counter(m.orig for d in docs for m in d.mentions)
    rel_by_orig = Counter(r.orig for d in docs for r in d.relations)
    return {
        "documents": len(docs),
        "sentences": sum(len(d.sentences) for d in docs),
        "tokens": sum(len(d.tokens) for d in docs),
        "mentions": sum(len(d.mentions) for d in docs),
        "relations": sum(len(d.relations) for d in docs),
        "mentions_by_orig": dict(sorted(by_orig.items())),
        "relations_by_orig": dict(sorted(rel_by_orig.items())),
    }
