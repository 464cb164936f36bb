#!/bin/sh
# The commands that produced this folder (from the repository's root, on the worktree's code).
for data in font-digits fashion-mnist; do
  PYTHONPATH=$PWD python experiments/lenet_vs_mlp.py --data $data --sizes 100 300 1000 3000 10000 --pool 20000 \
      --seeds 5 --workers 2 --no-progress --out results/lenet_vs_mlp/$data > results/lenet_vs_mlp/$data.txt 2>&1
done
