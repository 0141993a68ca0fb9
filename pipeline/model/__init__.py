"""The transformer models: encoder loading, the NER tagger and (to come) the relation head. This package and
`pipeline/train/` are the only places that import torch and transformers."""
