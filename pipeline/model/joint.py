"""The shipped model: one encoder shared by the NER tagger and the relation head.

`NewsModel` holds a `NerTagger` and a `RelationHead` built on the same encoder and the same word-shape input
embedding, so the saved weights hold one copy of the encoder (the folder stays under 50 MB in float16). The
relation head's references to the shared modules are left out of the saved state and re-attached on load.
The encoder is rebuilt from the configuration saved with the model, so loading never reads other weights.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

from pipeline.model.ner import NerTagger
from pipeline.model.rel import RelationHead

SHARED = ("rel.encoder.", "rel.shape_in.")
UNUSED = ("ner.encoder.pooler.",)  # BERT's pooler: never used (the heads read the token states)


class NewsModel(nn.Module):
    def __init__(
        self,
        encoder: nn.Module,
        tags: Sequence[str],
        relations: Sequence[str],
        entity_types: Sequence[str],
        dropout: float = 0.1,
        **head_sizes: int,
    ) -> None:
        super().__init__()
        self.head_sizes = dict(head_sizes)  # shape_dim (tagger); type_dim, dist_dim, hidden (relation head)
        ner_sizes = {k: v for k, v in head_sizes.items() if k == "shape_dim"}
        rel_sizes = {k: v for k, v in head_sizes.items() if k != "shape_dim"}
        self.ner = NerTagger(encoder, tags, dropout=dropout, **ner_sizes)
        self.rel = RelationHead(encoder, relations, entity_types, dropout=dropout, **rel_sizes)
        self.rel.shape_in = self.ner.shape_in

    def saved_state(self) -> dict[str, torch.Tensor]:
        """The state dict without the relation head's aliases of the shared modules."""
        return {k: v for k, v in self.state_dict().items() if not k.startswith(SHARED + UNUSED)}

    def load_saved_state(self, state: dict[str, torch.Tensor]) -> None:
        missing, unexpected = self.load_state_dict(state, strict=False)
        really_missing = [k for k in missing if not k.startswith(SHARED + UNUSED)]
        if really_missing or unexpected:
            raise ValueError(
                f"model weights do not fit: missing {really_missing[:5]}, unexpected {unexpected[:5]}"
            )


def build_encoder(encoder_config: dict[str, Any]) -> nn.Module:
    """A BERT encoder with random weights from a saved configuration (the weights come from the checkpoint)."""
    from transformers import BertConfig, BertModel

    return BertModel(BertConfig(**encoder_config), add_pooling_layer=False)


def encoder_config(encoder: nn.Module) -> dict[str, Any]:
    """The fields needed to rebuild `encoder`'s architecture."""
    keys = (
        "vocab_size",
        "hidden_size",
        "num_hidden_layers",
        "num_attention_heads",
        "intermediate_size",
        "hidden_act",
        "max_position_embeddings",
        "type_vocab_size",
        "layer_norm_eps",
    )
    cfg = encoder.config.to_dict()
    return {k: cfg[k] for k in keys if k in cfg}
