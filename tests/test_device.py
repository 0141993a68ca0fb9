"""Device selection and token-budget batching (CPU only: a GPU is never needed by the tests)."""

from __future__ import annotations

import random

import pytest
import torch

from pipeline import device
from pipeline.device import for_device, resolve_device, to_device, token_batches
from pipeline.errors import ConfigError


def test_cpu_and_auto_without_a_gpu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(device, "cuda_available", lambda: False)
    assert (
        resolve_device("cpu")
        == resolve_device("auto")
        == resolve_device(None)
        == resolve_device(" AUTO ")
        == "cpu"
    )
    with pytest.raises(ConfigError, match="no CUDA GPU"):
        resolve_device("cuda")
    with pytest.raises(ConfigError, match="no CUDA GPU"):
        resolve_device("cuda:1")


def test_auto_and_cuda_with_a_gpu(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(device, "cuda_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    assert resolve_device("auto") == resolve_device("cuda") == "cuda"
    assert resolve_device("cuda:1") == "cuda:1"
    with pytest.raises(ConfigError, match="only 2 CUDA"):
        resolve_device("cuda:2")


@pytest.mark.parametrize("name", ["gpu", "tpu", "cpu:0", "cuda:x", "mps"])
def test_unknown_devices_are_refused(name: str) -> None:
    with pytest.raises(ConfigError, match="unknown device"):
        resolve_device(name)


def test_settings_per_device_kind() -> None:
    assert for_device({"cpu": 16, "cuda": 256}, "cpu") == 16
    assert for_device({"cpu": 16, "cuda": 256}, "cuda:1") == 256
    assert for_device(32, "cuda") == 32


def test_cpu_paths_do_nothing_extra() -> None:
    t = torch.arange(4)
    assert to_device(t, "cpu") is t
    with device.autocast("cpu"):
        assert (torch.ones(2, 2) @ torch.ones(2, 2)).dtype == torch.float32


def test_token_batches_keep_the_budget_and_every_item() -> None:
    rng = random.Random(0)
    lengths = [rng.randint(1, 120) for _ in range(500)] + [900]  # one item alone over the budget
    batches = list(token_batches(lengths, max_tokens=512, max_items=16))
    flat = [k for b in batches for k in b]
    assert sorted(flat) == list(range(len(lengths)))
    assert [lengths[k] for k in flat] == sorted(lengths)  # length-sorted, so padding stays small
    for b in batches:
        assert len(b) <= 16
        assert len(b) == 1 or max(lengths[k] for k in b) * len(b) <= 512
    assert [900] in [[lengths[k] for k in b] for b in batches]
    assert list(token_batches([], 10, 10)) == []
