"""Where the model runs, and how its inputs are batched there.

`resolve_device` turns "auto", "cpu", "cuda" or "cuda:N" into a device torch can use, with a clear error when a
GPU is asked for and none is usable. On a GPU the encoder runs under bfloat16 autocast (`autocast`) and batches
move to it from pinned memory (`to_device`). `token_batches` cuts length-sorted inputs into batches under a
token budget (the padded size of a batch), so batches are large for short sentences and small for long windows.
torch is imported inside the functions: the CLI and the baseline never load it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import Any

from pipeline.errors import ConfigError

DEVICES = ("auto", "cpu", "cuda")


def cuda_available() -> bool:
    import torch

    return bool(torch.cuda.is_available())


def resolve_device(name: str | None) -> str:
    """'cpu' or 'cuda[:N]' for `name` ('auto' picks a CUDA GPU when torch sees one, else the CPU)."""
    name = (name or "auto").strip().lower()
    kind, _, index = name.partition(":")
    if kind not in DEVICES or (index and (kind != "cuda" or not index.isdigit())):
        raise ConfigError(f"unknown device {name!r}: use auto, cpu, cuda or cuda:N")
    if kind == "cpu":
        return "cpu"
    if not cuda_available():
        if kind == "auto":
            return "cpu"
        raise ConfigError(
            f"device {name!r} asked for, but torch sees no CUDA GPU (torch built for CPU, no driver, or "
            "CUDA_VISIBLE_DEVICES empty); use --device cpu or auto, or install a CUDA build of torch"
        )
    if kind == "auto":
        return "cuda"
    if index:
        import torch

        if int(index) >= torch.cuda.device_count():
            raise ConfigError(f"device {name!r}: only {torch.cuda.device_count()} CUDA device(s) visible")
    return name


def for_device(setting: Any, device: str) -> Any:
    """A setting that may be given per device kind ({cpu = ..., cuda = ...}) or once for all."""
    if isinstance(setting, dict):
        return setting["cuda" if device.startswith("cuda") else "cpu"]
    return setting


def autocast(device: str) -> contextlib.AbstractContextManager[Any]:
    """bfloat16 autocast on a GPU that supports it; nothing on the CPU (no bf16 units here, and int8 is the
    CPU's fast path)."""
    import torch

    if device.startswith("cuda") and torch.cuda.is_bf16_supported():
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return contextlib.nullcontext()


def to_device(tensor: Any, device: str) -> Any:
    """`tensor` on `device`; on a GPU copied from pinned memory without blocking the host."""
    if device == "cpu":
        return tensor
    return tensor.pin_memory().to(device, non_blocking=True)


def token_batches(lengths: Sequence[int], max_tokens: int, max_items: int) -> Iterator[list[int]]:
    """Indices of `lengths` sorted by length (stable), cut into batches whose padded size (items × longest)
    stays within `max_tokens` and which hold at most `max_items`; an item longer than the budget goes alone."""
    order = sorted(range(len(lengths)), key=lambda k: lengths[k])
    batch: list[int] = []
    longest = 0
    for k in order:
        longest_with = max(longest, lengths[k])
        if batch and (len(batch) >= max_items or longest_with * (len(batch) + 1) > max_tokens):
            yield batch
            batch, longest_with = [], lengths[k]
        batch.append(k)
        longest = longest_with
    if batch:
        yield batch
