# newsgraph: `make help` lists the targets. The first use of any target creates .venv and installs the pinned
# dependencies; later runs reuse it until pyproject.toml changes.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
INPUT ?= corpus/sample
OUT ?= out
DATA ?= ../shared/data
MODEL ?= models/news-v12

.DEFAULT_GOAL := help
.PHONY: help setup extract kg test lint check eval eval-clean train bench bench-scale bench-gpu train-cleaner lexicons clean fuzz

## help: list the targets
help:
	@awk 'BEGIN {FS = ": "} /^## / {sub(/^## /, ""); split($$0, a, ": "); printf "  \033[1m%-12s\033[0m %s\n", a[1], substr($$0, length(a[1]) + 3)}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

## setup: create .venv and install the pinned dependencies (done automatically by the other targets)
setup: $(STAMP)

## extract: run the pipeline over INPUT (default corpus/sample) into OUT (default out/)
extract: $(STAMP)
	$(BIN)/newsgraph extract $(INPUT) -o $(OUT) --force

## kg: extract INPUT into OUT, load it into the graph store OUT/kg, write the HTML report OUT/report.html
kg: $(STAMP)
	$(BIN)/newsgraph extract $(INPUT) -o $(OUT) --force
	$(BIN)/newsgraph kg load $(OUT) --store $(OUT)/kg
	$(BIN)/newsgraph report $(OUT) -o $(OUT)/report.html

## test: run the unit test suite (fast; no network, no GPU)
test: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow"

## lint: ruff over the code and tests
lint: $(STAMP)
	$(BIN)/ruff check pipeline tests scripts
	$(BIN)/ruff format --check pipeline tests scripts

## check: lint, then every test including the slow quality gates
check: lint
	$(BIN)/python -m pytest -q

## eval: the baseline, spaCy NER and the shipped model on every labelled corpus in DATA (dev, test); rewrites docs/benchmarks.md
eval: $(STAMP)
	$(BIN)/newsgraph evaluate benchmarks --data-dir $(DATA) --report docs/benchmarks.md --output docs/benchmarks.json

## eval-clean: score the boilerplate cleaner on the labelled dev and test pages
eval-clean: $(STAMP)
	$(BIN)/newsgraph evaluate clean --gold data/boilerplate --split dev
	$(BIN)/newsgraph evaluate clean --gold data/boilerplate --split test

## train: train the shipped model into MODEL (default models/news-v12): tagger, relation head, shared pass, more news data
train: $(STAMP)
	$(BIN)/newsgraph train configs/train/news-ner.toml -o .cache/models/news-ner --data-dir $(DATA)
	$(BIN)/newsgraph train configs/train/news-v1.toml -o .cache/models/news-v1 --data-dir $(DATA)
	$(BIN)/newsgraph train configs/train/news-v2.toml -o .cache/models/news-v2 --data-dir $(DATA)
	$(BIN)/newsgraph train configs/train/news-v12.toml -o $(MODEL) --data-dir $(DATA)

## bench: words/s of the shipped model, the baseline and spaCy en_core_web_sm over the sample corpus (CPU)
bench: $(STAMP)
	$(BIN)/newsgraph bench --report docs/benchmarks.md --output docs/bench.json

## bench-scale: cost per document and peak memory at 1k, 10k and 100k synthetic documents (docs/scale.md)
bench-scale: $(STAMP)
	$(BIN)/python -m pipeline.scale load --sizes 1000,10000,100000

## bench-gpu: words/s and GPU utilisation on 10,000 synthetic articles (needs a CUDA GPU and a CUDA torch)
bench-gpu: $(STAMP)
	$(BIN)/python -m pipeline.scale gpu --docs 10000

## train-cleaner: retrain the cleaner's line model on the dev pages (leave-one-site-out model selection)
train-cleaner: $(STAMP)
	$(BIN)/python scripts/train_cleaner.py

## lexicons: regenerate the gazetteers and trigger lexicons in configs/ from DATA
lexicons: $(STAMP)
	$(BIN)/python scripts/build_lexicons.py --data-dir $(DATA) --out configs

## fuzz: feed FUZZ_COUNT (100,000) generated bad inputs to the readers and the cleaner, 2 workers; docs/fuzz.md
FUZZ_COUNT ?= 100000
FUZZ_SEED ?= 0
fuzz: $(STAMP)
	$(BIN)/python -m pipeline.fuzz --count $(FUZZ_COUNT) --seed $(FUZZ_SEED) --workers 2

## clean: remove outputs and caches (keeps .venv)
clean:
	rm -rf $(OUT) .pytest_cache .ruff_cache
