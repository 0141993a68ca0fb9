"""What the NER and relation trainers share: the run log, the optimiser with warm-up and linear decay, seeds,
corpus loading, and writing the best checkpoint (float16 safetensors plus its config)."""

from __future__ import annotations

import json
import logging
import math
import random
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import torch

from pipeline.config import Config
from pipeline.gold import store
from pipeline.gold.format import GoldDocument

logger = logging.getLogger(__name__)


def set_seed(seed: int) -> None:
    random.seed(seed)
    torch.manual_seed(seed)


def load_corpora(config: Config, names: Sequence[str], data: str | Path | None = None) -> list[GoldDocument]:
    """Documents of `corpus:split` names; GUM's Reddit documents, shipped without their text, are left out."""
    docs: list[GoldDocument] = []
    for spec in names:
        corpus, _, split = spec.partition(":")
        docs.extend(d for d in store.load(config, corpus, split, data) if not d.meta.get("text_missing"))
    return docs


class RunLog:
    """Timestamped lines to `train.log` in the output folder and to `echo` (default: this module's logger)."""

    def __init__(self, out_dir: Path, echo: Callable[[str], None] | None = None) -> None:
        out_dir.mkdir(parents=True, exist_ok=True)
        self.file = (out_dir / "train.log").open("w", encoding="utf-8")
        self.echo = echo or logger.info

    def __call__(self, msg: str) -> None:
        line = f"{time.strftime('%H:%M:%S')} {msg}"
        self.file.write(line + "\n")
        self.file.flush()
        self.echo(line)

    def close(self) -> None:
        self.file.close()


def start_run(
    defaults: dict[str, Any], settings: dict[str, Any], out_dir: Path, echo: Callable[[str], None] | None
) -> tuple[dict[str, Any], RunLog]:
    """Settings over their defaults, the run log, threads and seeds: the first lines of every training run."""
    s = {**defaults, **settings}
    torch.set_num_threads(int(s["threads"]))
    set_seed(int(s["seed"]))
    return s, RunLog(out_dir, echo)


def optimiser(
    model: torch.nn.Module, s: dict[str, Any], total_steps: int
) -> tuple[torch.optim.Optimizer, torch.optim.lr_scheduler.LambdaLR]:
    """AdamW with the encoder at `lr` and the new layers at `head_lr`; linear warm-up, then linear decay."""

    def in_encoder(name: str) -> bool:
        return name.startswith("encoder.") or ".encoder." in name

    head = [p for n, p in model.named_parameters() if not in_encoder(n)]
    body = [p for n, p in model.named_parameters() if in_encoder(n)]
    optim = torch.optim.AdamW(
        [{"params": body, "lr": float(s["lr"])}, {"params": head, "lr": float(s["head_lr"])}],
        weight_decay=float(s["weight_decay"]),
    )
    warm = max(1, int(total_steps * float(s["warmup"])))
    sched = torch.optim.lr_scheduler.LambdaLR(
        optim, lambda k: min((k + 1) / warm, max(0.0, (total_steps - k) / max(1, total_steps - warm)))
    )
    return optim, sched


def step(model: torch.nn.Module, optim: torch.optim.Optimizer, sched: Any, loss: torch.Tensor) -> float:
    optim.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optim.step()
    sched.step()
    return loss.item()


def save_checkpoint(model: torch.nn.Module, out_dir: Path, cfg: dict[str, Any]) -> None:
    from safetensors.torch import save_file

    state = {k: v.detach().to(torch.float16).contiguous() for k, v in model.state_dict().items()}
    save_file(state, str(out_dir / "model.safetensors"))
    (out_dir / "config.json").write_text(json.dumps(cfg, indent=1) + "\n", encoding="utf-8")


def platt(score: float, ab: Sequence[float] | None) -> float:
    """A score mapped through Platt scaling sigmoid(a * logit(score) + b); unchanged when `ab` is None."""
    if ab is None:
        return score
    p = min(max(score, 1e-6), 1 - 1e-6)
    z = float(ab[0]) * math.log(p / (1 - p)) + float(ab[1])
    return 1.0 / (1.0 + math.exp(-z))
