#!/usr/bin/env bash
# Tang & Eliasmith (2010) with numreg, as studies on the shared runner: for each data set, 3 seeds at the
# default size (see experiments/tang_eliasmith.py), records and tables in results/tang_eliasmith/<data>/.
# Run from the repository's root:  bash results/tang_eliasmith/run.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
for data in font-digits fashion-mnist; do
  OPENBLAS_NUM_THREADS=1 python experiments/tang_eliasmith.py --data "$data" --seeds 3 --workers 2 --no-progress \
      --out "$here/$data" | tee "$here/$data.log"
done
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "command: bash results/tang_eliasmith/run.sh"
  echo "git: $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "python: $(python -c 'import sys; print(sys.version.split()[0])'), numpy $(python -c 'import numpy; print(numpy.__version__)')"
  lscpu | grep -E '^(Model name|CPU\(s\)|Thread|Core)' || true
  echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (2 cores shared with other jobs)"
} > "$here/machine.txt"
