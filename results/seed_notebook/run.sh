#!/usr/bin/env bash
# The seed notebook's experiment on real Fashion-MNIST, at the seed's settings (784-128-128-10, ReLU,
# dropout 0.5, Adam lr 1e-3, batch 256, up to 100 epochs, early stopping with patience 20 on 20% of
# the training set). Writes, beside this script: log.txt (the seed's log, as printed), the run's
# files (history.json, model.npz, summary.json, loss.png) and machine.txt (date, machine, versions).
# Run from the repository's root:  bash results/seed_notebook/run.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$(mktemp -d)"
OPENBLAS_NUM_THREADS=1 python -m numreg train --data fashion-mnist --seed 0 --out "$out/run" | tee "$here/log.txt"
cp "$out/run/history.json" "$out/run/summary.json" "$out/run/loss.png" "$here/"
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "command: OPENBLAS_NUM_THREADS=1 python -m numreg train --data fashion-mnist --seed 0"
  echo "git: $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "python: $(python -c 'import sys; print(sys.version.split()[0])'), numpy $(python -c 'import numpy; print(numpy.__version__)')"
  lscpu | grep -E '^(Model name|CPU\(s\)|Thread|Core)' || true
  echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$here/machine.txt"
rm -rf "$out"
