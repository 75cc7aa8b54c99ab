"""``llmctl train`` (data, validate, pretrain, sft, dpo), ``llmctl eval`` and ``llmctl export gguf``.

Argument parsing and output only: datasets live in ``trainers/data.py``, the
engine in ``trainers/loop.py``, one file per recipe in ``trainers/recipes/``,
and the ``accelerate launch`` protocol in ``trainers/launch.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from llmctl.cli.output import console, print_json

train_app = typer.Typer(help="Datasets and training on Accelerate: data, validate, pretrain, sft, dpo; staleness.",
                        no_args_is_help=True)


@train_app.command("data")
def data_command(
    repos: Optional[list[Path]] = typer.Argument(None, help="Repositories to read through the symbol store (default: this one)."),
    text: Optional[list[Path]] = typer.Option(None, "--text", help="Extra pretraining text: a .txt file, or .jsonl with a \"text\" field (repeatable)."),
    out: Path = typer.Option(Path("data"), "--out", "-o", help="Output folder: pretrain/ and sft/ with train|validation|test.jsonl, stats.json."),
    min_chars: int = typer.Option(40, "--min-chars", min=1, help="Drop items shorter than this."),
    min_doc_words: int = typer.Option(4, "--min-doc-words", min=1, help="Instruction pairs need a doc comment of at least this many words."),
    near_dup: float = typer.Option(0.85, "--near-dup-threshold", min=0.1, max=1.0, help="MinHash Jaccard threshold for near-duplicates."),
    no_repo: bool = typer.Option(False, "--no-repo", help="Only the --text files, no repository."),
    history: bool = typer.Option(False, "--history", help="Instead: doc-staleness examples mined from the repositories' git history, into OUT/history/ (for `llmctl train staleness --data`)."),
    commits: int = typer.Option(2000, "--commits", min=1, help="With --history: the latest non-merge commits read per repository."),
    split: str = typer.Option("time", "--split", help="With --history: time (each repository's newest 20% of commits are the test split) or repo (whole repositories held out)."),
    json_out: bool = typer.Option(False, "--json", help="Print kept/dropped counts as JSON."),
) -> None:
    """Build pretraining text and code -> doc-comment pairs, cleaned, deduplicated and split 8:1:1.

    Drops empty/short, generated, minified and licence-only items, exact
    duplicates and near-duplicates (MinHash LSH); the split is a stable hash, and
    near-duplicates never straddle splits. The output folder is replaced atomically.
    With --history, it writes doc-staleness examples mined from the repositories'
    git history to OUT/history/ instead (for `llmctl train staleness --data OUT`).
    """
    from llmctl.core.extras import require
    from llmctl.core.project import open_project
    from llmctl.trainers.data import DataRules, build

    require("train", "train data")
    if history:
        _history_data([open_project(p).root for p in (repos or [None])], out, commits, split, json_out)
        return
    projects = [] if no_repo else [open_project(p) for p in (repos or [None])]
    if no_repo and not text:
        from llmctl.cli.output import fail

        fail("--no-repo needs at least one --text file", "add --text FILE or drop --no-repo")
    rules = DataRules(min_chars=min_chars, min_doc_words=min_doc_words, near_dup_threshold=near_dup)
    stats = build(projects, list(text or []), out, rules)
    if json_out:
        print_json(stats.to_dict())
        return
    from rich.table import Table

    table = Table(title=f"llmctl train data -> {out}", title_justify="left")
    for col in ("dataset", "train", "validation", "test", "dropped (reason: n)"):
        table.add_column(col)
    for ds in ("pretrain", "sft"):
        drops = ", ".join(f"{r}: {n}" for (d, r), n in sorted(stats.dropped.items()) if d == ds) or "none"
        table.add_row(ds, *(f"{stats.kept[(ds, s)]:,}" for s in ("train", "validation", "test")), drops)
    console().print(table)


def _history_data(roots: list[Path], out: Path, commits: int, split: str, json_out: bool) -> None:
    """`train data --history`: mine, split, write; a table of what was found."""
    from llmctl.core.errors import LlmctlError
    from llmctl.trainers.history import write_history

    for root in roots:
        if not (root / ".git").exists():
            raise LlmctlError(f"{root}: not a git repository", "--history reads a repository's commits")
    with console(stderr=True).status("mining the history…") as status:
        stats = write_history(roots, out, max_commits=commits, split=split,
                              progress=lambda name, n, total: status.update(f"mining {name}: commit {n + 1}/{total}"))
    if json_out:
        print_json(stats | {"out": str(out / "history")})
        return
    console().print(f"{out / 'history'}: {stats['train_examples']:,} training examples "
                    f"({stats['train_positive']:,} where the commit updated the doc), {stats['test_examples']:,} "
                    f"held out by {split} ({stats['test_positive']:,}); next: llmctl train staleness --data {out}")


@train_app.command("validate")
def validate_command(
    config: Path = typer.Argument(..., help="Run config (.toml or .yaml)."),
    overrides: Optional[list[str]] = typer.Option(None, "--set", help="Override a key: --set train.lr=1e-3 (repeatable)."),
    num_processes: int = typer.Option(1, "--num-processes", min=1, help="Processes (GPUs) the run will use."),
    json_out: bool = typer.Option(False, "--json", help="Print the plan as JSON."),
) -> None:
    """Check a run config before spending compute: schema, parameters, memory, batch arithmetic."""
    from llmctl.trainers.config import load_run_config, plan

    kind = _kind_of(config)
    cfg = load_run_config(config, kind, list(overrides or []))
    p = plan(cfg, num_processes)
    if json_out:
        print_json({"kind": cfg.kind, **p})
        return
    out = console()
    m, b = p["model"], p["batch"]
    out.print(f"{config}: valid ({cfg.kind})")
    out.print(f"model: {m['num_hidden_layers']} layers x {m['hidden_size']} hidden, {m['num_attention_heads']} heads, "
              f"vocab {m['vocab_size']:,}, seq_len {m['seq_len']}: {m['parameters']:,} parameters "
              f"({m['trainable_parameters']:,} trainable)")
    out.print(f"batch: global {b['global_batch']} = micro {b['micro_batch']} x accumulation {b['grad_accum']} x "
              f"{b['world_size']} process(es); {b['tokens_per_step']:,} tokens/step; "
              f"{p['steps']} steps = {p['tokens_total']:,} tokens")
    out.print(f"memory estimate: {p['memory_gib_per_process']} GiB per process")


def _kind_of(config: Path | None, default: str = "pretrain") -> str:
    if config is None or not config.is_file():
        return default
    import re

    m = re.search(r"^\s*kind\s*[:=]\s*[\"']?(\w+)", config.read_text("utf-8", "replace"), re.M)
    return m.group(1) if m else default


def _train(kind: str, config: Optional[Path], overrides: list[str], out: Optional[Path], max_steps: Optional[int],
           num_processes: int, multi_gpu: bool, accelerate_config: Optional[Path], resume: Optional[str],
           json_out: bool, nodes=None) -> None:
    import json
    import sys

    from llmctl.core.extras import require
    from llmctl.trainers.config import load_run_config

    require("train", f"train {kind}")
    extra = list(overrides)
    if out is not None:
        extra.append(f"out={json.dumps(str(out))}")
    if max_steps is not None:
        extra.append(f"train.max_steps={max_steps}")
    cfg = load_run_config(config, kind, extra)
    run_dir = Path(cfg.out)
    run_dir.mkdir(parents=True, exist_ok=True)
    if resume and resume != "auto" and not Path(resume).is_dir():
        from llmctl.cli.output import fail

        fail(f"--resume: {resume} is not a checkpoint folder", "use --resume auto or a checkpoints/step-N folder")
    err = console(stderr=True)
    if num_processes > 1 or multi_gpu or accelerate_config is not None or (nodes and nodes.machines > 1):
        from llmctl.trainers.launch import LaunchFailed, launch

        def show(s: dict) -> None:
            if not json_out:
                err.print(_progress_line(s, cfg.train.max_steps), highlight=False)

        try:
            result = launch(cfg, num_processes, accelerate_config, resume, show, nodes)
        except LaunchFailed as exc:
            raise typer.Exit(exc.exit_code) from None
    else:
        from llmctl.trainers.loop import run

        if sys.stderr.isatty() and not json_out:
            from llmctl.cli.output import progress_bar

            with progress_bar(f"{kind}", "steps") as bar:
                task = bar.add_task(kind, total=cfg.train.max_steps)
                result = run(cfg, resume, log=lambda m: bar.console.print(m),
                             progress=lambda s: (bar.update(task, completed=s["step"],
                                                            description=_progress_line(s, cfg.train.max_steps)),
                                                 bar.refresh()))
        else:
            result = run(cfg, resume, log=lambda m: err.print(m),
                         progress=None if json_out else lambda s: err.print(_progress_line(s, cfg.train.max_steps),
                                                                            highlight=False))
    if json_out:
        print_json(result)
    elif "step" not in result:  # a machine other than the first of a multi-node run
        console().print(f"done: machine {result['machine_rank']} finished its share; the result is on machine 0")
    else:
        console().print(f"done: {result['step']} steps, {result['tokens']:,} tokens, loss {result['loss']:.4f}, "
                        f"{_rates(result)} on {result['world_size']} process(es) "
                        f"(first step after {result['first_step_s']:.1f} s, checkpoints {result['checkpoint_s']:.1f} s); "
                        f"model in {result['final']}")


def _rates(r: dict) -> str:
    """Steady-state throughput; positions too when the loss counts fewer (SFT: the doc comment only)."""
    mfu = f", MFU {r['mfu']:.1%}" if r.get("mfu") else ""
    if r.get("positions_per_s", 0) > r["tokens_per_s"] * 1.01:
        return f"{r['positions_per_s']:,.0f} tokens/s processed ({r['tokens_per_s']:,.0f} targets/s){mfu}"
    return f"{r['tokens_per_s']:,.0f} tokens/s{mfu}"


def _progress_line(s: dict, total: int) -> str:
    mfu = f" mfu {s['mfu'] * 100:.1f}%" if s.get("mfu") else ""
    return (f"step {s['step']}/{total} loss {s['loss']:.4f} lr {s['lr']:.2e} grad {s['grad_norm']:.2f} "
            f"{s['tokens_per_s']:,.0f} tok/s{mfu}")


def _command(kind: str, summary: str):
    def command(
        config: Optional[Path] = typer.Argument(None, help="Run config (.toml or .yaml); flags override it."),
        overrides: Optional[list[str]] = typer.Option(None, "--set", help="Override a key: --set train.lr=1e-3 (repeatable)."),
        out: Optional[Path] = typer.Option(None, "--out", "-o", help="Run folder (checkpoints/, logs/, final/)."),
        max_steps: Optional[int] = typer.Option(None, "--max-steps", min=1, help="Optimizer steps."),
        num_processes: int = typer.Option(1, "--num-processes", min=1, help="Processes through `accelerate launch` (CPU: gloo; GPU: one per device)."),
        multi_gpu: bool = typer.Option(False, "--multi-gpu", help="Launch through Accelerate on every GPU (with --num-processes)."),
        accelerate_config: Optional[Path] = typer.Option(None, "--accelerate-config", help="An Accelerate config file (FSDP, DeepSpeed ZeRO, multi-node)."),
        num_machines: int = typer.Option(1, "--num-machines", min=1, help="Machines in the run (multi-node: run the same command on each, with its --machine-rank)."),
        machine_rank: int = typer.Option(0, "--machine-rank", min=0, help="This machine's rank, 0 for the main one."),
        main_process_ip: str = typer.Option("127.0.0.1", "--main-process-ip", help="Address of machine 0, reachable from every machine."),
        main_process_port: int = typer.Option(29500, "--main-process-port", min=1, max=65535, help="A free port on machine 0."),
        resume: Optional[str] = typer.Option(None, "--resume", help="auto (the latest checkpoint of the run) or a checkpoint folder."),
        json_out: bool = typer.Option(False, "--json", help="Print the final state as JSON."),
    ) -> None:
        from llmctl.trainers.launch import Nodes

        if machine_rank >= num_machines:
            from llmctl.cli.output import fail

            fail(f"--machine-rank {machine_rank}: must be below --num-machines {num_machines}",
                 "number the machines 0 .. N-1")
        _train(kind, config, list(overrides or []), out, max_steps, num_processes, multi_gpu, accelerate_config,
               resume, json_out, Nodes(num_machines, machine_rank, main_process_ip, main_process_port))

    command.__doc__ = summary
    return command


def _register_recipes() -> None:
    """One ``llmctl train <kind>`` command per recipe file; its docstring is the command's help."""
    from llmctl.trainers.recipes import recipe_doc, recipe_names

    for kind in recipe_names():
        train_app.command(kind)(_command(kind, recipe_doc(kind)))


_register_recipes()


def eval_command(
    candidate: str = typer.Argument(..., help="The model to judge: a run's final/ folder, an HF folder, or a .gguf."),
    baseline: Optional[str] = typer.Option(None, "--baseline", help="What it must beat (default with --gate: the served default model). \"default\" = bundled Gemma 3 270M."),
    data: Path = typer.Option(Path("data"), "--data", help="Output folder of `llmctl train data` (its test split is used)."),
    gate: bool = typer.Option(False, "--gate", help="Exit 1 unless the candidate beats the baseline by --margin."),
    gate_metric: str = typer.Option("similarity", "--gate-metric", help="similarity (default: the summaries docs sync would write, against the human ones) | rouge_l (higher wins) | doc_bpb | text_bpb | perplexity (lower wins)."),
    margin: float = typer.Option(0.0, "--margin", min=0.0, help="Required improvement: a fraction for *_bpb/perplexity, an absolute gain for rouge_l/similarity."),
    max_items: int = typer.Option(32, "--max-items", min=1, help="Held-out texts and pairs scored per model."),
    max_new_tokens: int = typer.Option(48, "--max-new-tokens", min=1, help="Longest generated doc comment."),
    json_out: bool = typer.Option(False, "--json", help="Print the metrics and the gate as JSON."),
) -> None:
    """Bits per byte on the test split, and the summaries docs sync would write for held-out code
    (same prompt; ROUGE-L, embedding similarity to the human ones), next to a baseline."""
    from llmctl.core.extras import require
    from llmctl.trainers.evaluate import METRICS, evaluate

    require("train", "eval")
    if gate_metric not in METRICS:
        from llmctl.cli.output import fail

        fail(f"--gate-metric: unknown metric {gate_metric!r}", f"use one of {', '.join(METRICS)}")
    if gate and baseline is None:
        baseline = "default"
    result = evaluate(candidate, baseline, data, max_items=max_items, max_new_tokens=max_new_tokens,
                      gate_metric=gate_metric, margin=margin)
    if json_out:
        print_json(result)
    else:
        from rich.table import Table

        table = Table(title="llmctl eval", title_justify="left")
        table.add_column("metric")
        cols = [k for k in ("candidate", "baseline") if k in result]
        for c in cols:
            table.add_column(f"{c}\n{result[c]['model']}", justify="right")
        for m in METRICS:
            if any(m in result[c] for c in cols):
                table.add_row(m, *(str(result[c].get(m, "—")) for c in cols))
        console().print(table)
        if "gate" in result:
            g = result["gate"]
            console().print(f"gate on {g['metric']}: {'[green]passed[/]' if g['passed'] else '[red]failed[/]'} — {g['why']}")
    if gate and not result.get("gate", {}).get("passed"):
        raise typer.Exit(1)


export_app = typer.Typer(help="Export a trained model to GGUF for `llmctl serve`.", no_args_is_help=True)


@export_app.command("gguf")
def export_gguf_command(
    model: Path = typer.Argument(..., help="A run's final/ folder (a Llama-style model trained by llmctl; LoRA runs: the merged model)."),
    out: Path = typer.Option(..., "--out", "-o", help="The .gguf file to write."),
    qtype: str = typer.Option("q8_0", "--type", "-t", help="f32 | f16 | q8_0 | q4_k_m | q4_0 | q5_k_m | q6_k"),
    data: Optional[Path] = typer.Option(None, "--data", help="`train data` output: held-out text for the perplexity check."),
    check: bool = typer.Option(True, "--check/--no-check", help="Compare tokenizer ids, logits and perplexity with the PyTorch model."),
    base: Optional[Path] = typer.Option(None, "--base", help="With an adapter: the base GGUF it applies to, for the check against the merged model (default: the bundled Gemma when the run's base was it)."),
    json_out: bool = typer.Option(False, "--json", help="Print the file and the check as JSON."),
) -> None:
    """Write MODEL as GGUF (f32/f16 by the gguf writer; quantized by llama.cpp's quantizer), then check it.

    MODEL may also be a LoRA adapter folder (a sft run's final/adapter): it becomes
    a GGUF adapter for `llmctl serve --model BASE.gguf --lora ADAPTER.gguf`.

    The check fails the command (exit 1, file kept for inspection) when the
    GGUF tokenizer disagrees with the HF one, when f32/f16 logits differ by more
    than 1e-2, or when quantized perplexity drifts more than 5%.
    """
    from llmctl.cli.output import fail
    from llmctl.core.extras import require

    require("train", "export gguf")
    from llmctl.trainers.export import FLOAT_TYPES, QUANT_TYPES, check_export

    qtype = qtype.lower()
    if out.is_dir():
        fail(f"--out {out}: is a folder", "give the .gguf file to write, e.g. --out model.gguf")
    if not model.exists():
        fail(f"{model}: no such model folder", "give the final/ folder of a `llmctl train` run")
    if (model / "adapter_config.json").is_file():
        _export_adapter(model, out, json_out, base if check else None, check)
        return
    if qtype not in FLOAT_TYPES and qtype not in QUANT_TYPES:
        fail(f"--type: unknown type {qtype!r}", f"use one of {', '.join([*FLOAT_TYPES, *QUANT_TYPES])}")
    if not model.is_dir():
        fail(f"{model}: not a model folder", "give the final/ folder of a `llmctl train` run")
    _write_model_gguf(model, out, qtype)
    report = {"file": str(out), "type": qtype, "bytes": out.stat().st_size}
    if check:
        report["check"] = check_export(model, out, quantized=qtype in QUANT_TYPES, data_dir=data)
    if json_out:
        print_json(report)
    else:
        c = report.get("check")
        line = f"wrote {out} ({qtype}, {report['bytes'] / 2**20:.1f} MiB)"
        if c:
            line += (f"; tokenizer {'matches' if c['tokenizer_match'] else 'DIFFERS'}, max |logit diff| "
                     f"{c['max_abs_logit_diff']}, top-1 agreement {c['top1_agreement']:.1%}, perplexity "
                     f"{c['perplexity_gguf']} vs PyTorch {c['perplexity_pytorch']}")
        console().print(line, highlight=False)
    if check and not report["check"]["ok"]:
        raise typer.Exit(1)


def _write_model_gguf(model: Path, out: Path, qtype: str) -> None:
    """f32/f16 by the gguf writer; a quantized type through an f32 temp file beside ``out``."""
    import os
    import tempfile

    from llmctl.trainers.export import FLOAT_TYPES, quantize, write_gguf

    if qtype in FLOAT_TYPES:
        write_gguf(model, out, qtype)
        return
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".f32.gguf")
    os.close(fd)
    try:
        write_gguf(model, Path(tmp), "f32")
        quantize(Path(tmp), out, qtype)
    finally:
        Path(tmp).unlink(missing_ok=True)


def _export_adapter(adapter: Path, out: Path, json_out: bool, base: Optional[Path], check: bool) -> None:
    import json

    from llmctl.cli.output import fail
    from llmctl.trainers.export import adapter_base_gguf, check_lora_export, write_lora_gguf

    config = adapter.parent / "config.json"
    if not config.is_file():
        fail(f"{adapter}: no config.json next to the adapter", "export the final/adapter folder of a `llmctl train sft` run")
    write_lora_gguf(adapter, out, json.loads(config.read_text()))
    report: dict = {"file": str(out), "type": "lora", "bytes": out.stat().st_size}
    base_gguf = base or (adapter_base_gguf(adapter) if check else None)
    if check and base_gguf is not None:
        report["check"] = check_lora_export(adapter.parent, base_gguf, out)
    elif check:
        report["check"] = "skipped: the run's base is not a GGUF file; pass --base BASE.gguf to check the adapter"
    if json_out:
        print_json(report)
    else:
        console().print(f"wrote LoRA adapter {out} ({report['bytes'] / 2**20:.1f} MiB); serve it with "
                        f"`llmctl serve --model BASE.gguf --lora {out}`", highlight=False)
        if check:
            console().print(f"check: {report['check']}", highlight=False)
    if isinstance(report.get("check"), dict) and report["check"]["top1_agreement"] < 0.99:
        raise typer.Exit(1)  # llama.cpp's base + adapter does not compute what the merged model does
