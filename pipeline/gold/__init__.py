"""Labelled corpora in one canonical format.

Every corpus in the shared data folder is converted by its own module in this package into `GoldDocument`s
(see `format.py`); `store.py` finds the data, runs the converter and caches the result; the label mapping of each
corpus into the news schema is data, in `configs/gold/<corpus>.toml`.
"""

from pipeline.gold.format import GoldDocument, GoldMention, GoldRelation

__all__ = ["GoldDocument", "GoldMention", "GoldRelation"]
