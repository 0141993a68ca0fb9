"""Training: the NER tagger (and, to come, the relation head) from canonical gold corpora."""
