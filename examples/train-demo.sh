#!/usr/bin/env bash
# End-to-end: the team's own doc model, on CPU.
#   train data (examples/inventory + an installed library) -> train sft (LoRA on the
#   bundled Gemma 3 270M, loaded dequantized) -> eval --gate against the base ->
#   export the adapter to GGUF -> docs sync through `llmctl serve --lora`.
# Usage: examples/train-demo.sh [WORKDIR]   (make train-demo)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
llmctl="$here/.venv/bin/llmctl"
py="$here/.venv/bin/python"
work="${1:-$(mktemp -d /tmp/llmctl-train-demo.XXXXXX)}"
steps="${STEPS:-16}"
mkdir -p "$work"
export HF_HUB_OFFLINE=1
echo "== workspace: $work"
rm -rf "$work/inventory" "$work/lib"
cp -r "$here/examples/inventory" "$work/inventory"
rm -rf "$work/inventory/.llmctl" "$work/inventory/docs"
mkdir -p "$work/lib"
cp -r "$("$py" -c 'import click, os; print(os.path.dirname(click.__file__))')" "$work/lib/click"
rm -rf "$work/lib/click/__pycache__"
git -C "$work/lib" init -q

echo "== llmctl train data"
(cd "$work" && "$llmctl" train data inventory lib --out data)

cat > "$work/sft.toml" <<TOML
kind = "sft"
out = "$work/sft"
[model]
base = "default"        # the bundled Gemma 3 270M GGUF, dequantized by transformers
seq_len = 160
[data]
dir = "$work/data"
[train]
micro_batch = 2
grad_accum = 1
max_steps = $steps
lr = 2e-4
warmup_steps = 2
[lora]
r = 8
alpha = 16
[checkpoint]
every = 8
TOML
echo "== llmctl train validate"
"$llmctl" train validate "$work/sft.toml"
echo "== llmctl train sft (LoRA)"
time "$llmctl" train sft "$work/sft.toml"

echo "== llmctl eval --gate (candidate: the merged LoRA model; baseline: the base model)"
set +e
"$llmctl" eval "$work/sft/final" --baseline default --data "$work/data" --gate --max-items 16 --json > "$work/eval.json"
gate=$?
set -e
"$py" -c "import json,sys; d=json.load(open('$work/eval.json')); print(json.dumps({k: {m: v for m, v in d[k].items() if m != 'examples'} for k in ('candidate','baseline')}, indent=1)); print('gate:', d['gate'])"
echo "gate exit code: $gate (0 = the candidate is better)"

echo "== llmctl export gguf (LoRA adapter -> GGUF adapter)"
"$llmctl" export gguf "$work/sft/final/adapter" --out "$work/doc-lora.gguf"

echo "== llmctl docs sync with the base model + adapter (served by llmctl serve --lora)"
printf '\n[model]\nlora = "%s"\n' "$work/doc-lora.gguf" >> "$work/inventory/llmctl.toml"
(cd "$work/inventory" && "$llmctl" docs sync --json)
sed -n '1,40p' "$work/inventory/docs/api/inventory.reports.md"
