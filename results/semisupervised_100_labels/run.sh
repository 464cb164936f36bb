#!/usr/bin/env bash
# §7.6 with 100 labels on Fashion-MNIST: every method of experiments/semisupervised_100_labels.py (supervised only,
# cluster-then-label, label propagation, Gaussian mixtures, self-training, the denoising autoencoder, VAT, DBN
# pretraining), 3 seeds, paired on the same 100 labels per seed. Run from the repository's root.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
OPENBLAS_NUM_THREADS=1 python experiments/semisupervised_100_labels.py --data fashion-mnist --seeds 3 --workers 2 \
    --no-progress --out "$here/fashion-mnist" | tee "$here/fashion-mnist.log"
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "command: bash results/semisupervised_100_labels/run.sh"
  echo "git: $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  lscpu | grep -E '^(Model name|CPU\(s\)|Thread|Core)' || true
  echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (2 cores shared with other jobs)"
} > "$here/machine.txt"
