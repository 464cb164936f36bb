# Source of notebooks/15_tang_eliasmith.ipynb -- edit here, then: python notebooks/build.py 15

# %% [markdown]
# # 11 · Tang & Eliasmith: RBMs, the sparse DBN and probabilistic denoising (§7.5, §7.9)
#
# **The claim.** The chapter's slides on noise robustness (§7.5) cite Tang & Eliasmith (2010): deep belief
# networks trained on clean digits are not robust to occlusion and noise they never saw; a DBN whose first
# layer is *sparsely and locally* connected (an sDBN — a hard prior of the kind §7.9 and §7.10 discuss) is
# more robust; and a probabilistic denoising step that combines bottom-up and top-down inputs to "fill in"
# the first-layer units most affected by noise improves recognition further. This notebook builds each piece
# with `nr.RBM`, `nr.DBN` and `numreg.robust.denoising`.
#
# **The restricted Boltzmann machine** (§16.7.1, §20.2) has binary visible units $v$ and hidden units $h$ and
# the energy
#
# $$E(v, h) = -b^\top v - c^\top h - v^\top W h, \qquad P(v, h) = \frac{1}{Z} e^{-E(v, h)}.$$
#
# With no connections inside a layer, both conditionals factorize,
# $P(h_j = 1 \mid v) = \sigma(c_j + v^\top W_{:,j})$ and $P(v_i = 1 \mid h) = \sigma(b_i + W_{i,:} h)$, and $h$
# sums out through the free energy $F(v) = -b^\top v - \sum_j \log(1 + e^{c_j + v^\top W_{:,j}})$, with
# $P(v) = e^{-F(v)}/Z$. The log-likelihood gradient is a positive phase at the data minus a negative phase
# under the model, $\partial \log P(v)/\partial W = v\,P(h{=}1\mid v)^\top - \mathbb E_{\text{model}}[v\,P(h{=}1\mid v)^\top]$;
# CD-$k$ (Hinton 2002) estimates the second term at the end of $k$ Gibbs steps started at the data.
#
# *Runs in about 30 s on two cores.*
#
# **On MNIST or Fashion-MNIST:** change the loading line to `nr.data.load_mnist()` or
# `nr.data.load_fashion_mnist()` (the README says how to get the files);
# `python experiments/tang_eliasmith.py --data fashion-mnist` runs the full comparison.

# %%
%matplotlib inline
import numpy as np
from matplotlib.figure import Figure
import numreg as nr
from numreg.robust.rbm_exact import all_states, exact_log_partition
from numreg.robust.denoising import Denoiser

(X, y), (X_test, y_test) = nr.data.load_font_digits(n_train=5000, n_test=1000, seed=0)
# MNIST / Fashion-MNIST: (X, y), (X_test, y_test) = nr.data.load_fashion_mnist()   (see the README)
X_flat = X.reshape(len(X), -1)

# %% [markdown]
# ## 1. Everything checks against enumeration on a small RBM
#
# With 6 visible and 4 hidden units there are $2^6 \cdot 2^4 = 1024$ joint states: $\log Z$ can be summed from
# the energy itself, and must equal $\log \sum_v e^{-F(v)}$ (the tests do this, and more: the exact gradient,
# CD-$k$ approaching it as $k$ grows, the Gibbs chain's stationary distribution).

# %%
small = nr.RBM(6, 4, seed=0, dtype=np.float64)
small.W.data[...] = np.random.default_rng(1).normal(0, 1, (6, 4))
V, H = all_states(6), all_states(4)
E = small.energy(np.repeat(V, 16, axis=0), np.tile(H, (64, 1)))
print(f"log Z from the 1024 energies:         {np.log(np.sum(np.exp(-E))):.12f}")
print(f"log Z from the 64 free energies:      {exact_log_partition(small):.12f}")

# %% [markdown]
# ## 2. Dense and local first-layer filters
#
# Two RBMs with 200 hidden units, trained with CD-1 on the clean digits: one fully connected, one whose
# every hidden unit sees only a random 10×10 window (`nr.local_mask`, the mask that `nr.SparseLinear` uses).
# The mask holds in every update: the weights outside it stay exactly 0. Each square below is one unit's
# weights $W_{:,j}$ as an image.

# %%
mask = nr.local_mask((28, 28), 200, 10, seed=0)
dense_rbm = nr.RBM(784, 200, seed=0).fit(X, epochs=5, lr=0.05, momentum=0.5, seed=0)
local_rbm = nr.RBM(784, 200, mask=mask, seed=0).fit(X, epochs=5, lr=0.05, momentum=0.5, seed=0)
print("weights outside the mask:", np.count_nonzero(local_rbm.W.data[~mask]))
print("reconstruction error per epoch, dense:", np.round(dense_rbm.history["reconstruction_error"], 4))
print("reconstruction error per epoch, local:", np.round(local_rbm.history["reconstruction_error"], 4))

fig = Figure(figsize=(10, 2.6))
for row, (name, rbm) in enumerate((("dense", dense_rbm), ("local 10x10", local_rbm))):
    for i in range(10):
        ax = fig.add_subplot(2, 10, row * 10 + i + 1)
        w = rbm.W.data[:, i].reshape(28, 28)
        ax.imshow(w, cmap="RdBu_r", vmin=-np.abs(w).max(), vmax=np.abs(w).max())
        ax.set_xticks([]), ax.set_yticks([])
        if i == 0:
            ax.set_ylabel(name, fontsize=9)
fig.suptitle("First-layer filters W[:, j]: dense units see the whole digit, local ones a window")
fig

# %% [markdown]
# ## 3. Samples from the model
#
# Block Gibbs sampling, $h \sim P(h \mid v)$ then $v \sim P(v \mid h)$, from random images: after a few hundred
# steps the chains show what the dense RBM has learned to generate (the probabilities $P(v \mid h)$ of the last
# step are shown, as is usual).

# %%
chains = dense_rbm.sample(12, k=300, seed=0)
means = dense_rbm.p_v(dense_rbm.sample_h(chains, seed=1))
fig = Figure(figsize=(10, 1.2))
for i in range(12):
    ax = fig.add_subplot(1, 12, i + 1)
    ax.imshow(means[i].reshape(28, 28), cmap="gray_r", vmin=0, vmax=1)
    ax.axis("off")
fig.suptitle("12 Gibbs chains after 300 steps")
fig

# %% [markdown]
# ## 4. The sparse DBN, fine-tuned, and the denoising step on one digit
#
# `nr.DBN([784, 200, 200], mask=...)` is pre-trained greedily (each RBM on the previous one's $P(h \mid v)$,
# Hinton, Osindero & Teh 2006), turned into a sigmoid MLP with `to_mlp(10)` (its first layer an
# `nr.SparseLinear` keeping the mask) and fine-tuned with `nr.fit`. Denoising (the docstring of
# `DBN.denoise` gives every step): compute the bottom-up $h_{bu} = P(h_1 \mid x)$; run the second RBM up and
# down from it to get the top-down expectation $h_{td}$; among the fraction $\rho$ of units where
# $d_j = |h_{bu,j} - h_{td,j}|$ is largest, unclamp those whose $d_j$ exceeds a threshold $\tau_j$ and give
# them their top-down value; repeat; classify. The threshold makes the test probabilistic: $\tau_j$ is the
# 0.99-quantile of $d_j$ on clean training digits (`dbn.calibrate`), so a unit of a clean digit is unclamped
# with probability about 1%.

# %%
sdbn = nr.DBN([784, 200, 200], mask=mask, seed=0).pretrain(X, epochs=5, lr=0.05, momentum=0.5, seed=0)
model = sdbn.to_mlp(10, seed=0)
nr.fit(model, nr.SoftmaxCrossEntropy(), nr.Adam(model.parameters()), (X, y), epochs=8, batch_size=100,
       seed=0, verbose=False)
X_border = nr.corrupt.border(X_test, 3, seed=0)           # a noisy frame: ink where training never had any
tau = sdbn.calibrate(X, quantile=0.99, model=model)      # per-unit thresholds from clean training digits
out = sdbn.denoise(X_border, model=model, fraction=0.3, iterations=3, threshold=tau)
before, after = out.output_before.argmax(axis=1), out.output.argmax(axis=1)
print(f"accuracy on the noisy-border test set: {np.mean(before == y_test):.3f} before, "
      f"{np.mean(after == y_test):.3f} after denoising")
fixed = np.flatnonzero((before != y_test) & (after == y_test))
i = int(fixed[0]) if len(fixed) else 0
rbm1 = sdbn.rbms[0]
fig = Figure(figsize=(10, 2.8))
panels = [(X_border[i], f"input (true {y_test[i]})", "gray_r"),
          (out.pixels[i].reshape(28, 28), f"pixels of the {out.unclamped[i].sum()} unclamped units", "Reds"),
          (rbm1.p_v(out.fill.bottom_up[i:i + 1])[0].reshape(28, 28), f"from h_bu: class {before[i]}", "gray_r"),
          (rbm1.p_v(out.fill.hidden[i:i + 1])[0].reshape(28, 28), f"filled in: class {after[i]}", "gray_r")]
for k, (img, title, cmap) in enumerate(panels):
    ax = fig.add_subplot(1, 4, k + 1)
    ax.imshow(img, cmap=cmap, vmin=0, vmax=1)
    ax.set_title(title, fontsize=9)
    ax.axis("off")
fig.suptitle("Denoising one digit: the hidden states shown through the first RBM's P(v | h)")
fig

# %% [markdown]
# The two right panels show the first hidden layer through the first RBM's $P(v \mid h)$: before, the frame's
# ink drives the units that look at it; after filling in, those units take what the layer above expects.
#
# ## 5. Accuracy under corruptions, with and without denoising
#
# `Denoiser(model, top)` is a classifier that denoises before it classifies, so `nr.robustness` measures it
# directly. (Here the top-down model is the DBN's own second RBM.) The third column fills in the same
# share of units without the threshold ($\tau = 0$): a fixed 30% of every digit, clean or not, is replaced.

# %%
corruptions = ["occlude", "salt", "border"]
top = sdbn.rbms[1]
tables = {"sDBN": nr.robustness(model, X_test, y_test, corruptions=corruptions, seed=0),
          "sDBN + denoising": nr.robustness(Denoiser(model, top, fraction=0.3, iterations=3, threshold=tau),
                                            X_test, y_test, corruptions=corruptions, seed=0),
          "fill-in, tau = 0": nr.robustness(Denoiser(model, top, fraction=0.3, iterations=3), X_test, y_test,
                                            corruptions=corruptions, seed=0)}
print(nr.robust.tables.compare(tables))
nr.plots.robustness_curves(tables, title="sDBN trained on clean digits, with and without denoising")

# %% [markdown]
# What this shows: without the threshold, replacing a fixed share of the first layer by the blurry
# expectation of a small, five-epoch DBN throws away good bottom-up evidence, and clean, occluded and salted
# digits suffer; it helps only where the noise lies outside the digit (the border), which the top-down model
# knows never happens. With the calibrated threshold the cost on clean, occluded and salted digits shrinks
# to a point or two, and the border noise is still filled in. (This small DBN's top-down model is weak; the
# experiment refits it on the fine-tuned first layer, and there the denoised sDBN also gains a little on
# occlusion.) `python experiments/tang_eliasmith.py` runs the paper's comparison (dense
# DBN, sDBN, sDBN + denoising, MLP baselines) over several seeds and data sets.
