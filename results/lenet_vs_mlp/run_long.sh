#!/bin/sh
# Second run: 4x the training budget (about 2,400 steps of 64, at least 40 epochs) at 100-3,000 images, because
# in the first run (run.sh) LeNet was still far from fitting the Fashion-MNIST training sets (training error 0.14-0.18).
for data in font-digits fashion-mnist; do
  PYTHONPATH=$PWD python experiments/lenet_vs_mlp.py --data $data --sizes 100 300 1000 3000 --pool 20000 \
      --steps 2400 --min-epochs 40 --seeds 5 --workers 2 --no-progress --out results/lenet_vs_mlp/$data-long \
      > results/lenet_vs_mlp/$data-long.txt 2>&1
done
