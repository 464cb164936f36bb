# Source of notebooks/04_dataset_augmentation.ipynb -- edit here, then: python notebooks/build.py 04

# %% [markdown]
# # 04 · Dataset augmentation (§7.4)
#
# **The book's claim.** "The best way to make a machine learning model generalize better is to train it on
# more data." For classification we can *make* more data: a digit shifted by two pixels, rotated by ten
# degrees or slightly zoomed is still the same digit, so $(T(x), y)$ is a new training example for every such
# transformation $T$. The network then learns the invariance instead of memorizing positions. Two cautions from
# the book and the seed's slides:
#
# - never apply a transformation that changes the correct class ("b" and "d", "6" and "9");
# - when comparing two algorithms (A/B testing), evaluate both with the same augmentation scheme.
#
# numreg's augmentations are affine warps, one per image, computed in one vectorized pass
# (`nr.augment.affine`): the content at position $p$ (row, column) moves to
#
# $$p' = R(\theta)\, s\, K(\phi)\,(p - c) + c + t,$$
#
# with $R(\theta)$ a rotation about the image centre $c$, $s$ a zoom, $K(\phi)$ a shear and $t$ a shift; each
# output pixel is sampled (bilinearly) from $p = (R s K)^{-1}(p' - c - t) + c$. `nr.augment.RandomAffine()`
# draws $\theta \in [-15°, 15°]$, $s \in [0.9, 1.1]$ and shifts up to 10% of the image for every image at every
# call; `nr.augment.ElasticDistortion` (Simard et al. 2003) adds a smooth random displacement field.
#
# *Runs in about 25 s on two cores (most of it the 21 training runs of the sweep over strengths and seeds).*
#
# **On MNIST or Fashion-MNIST:** change the loading line to `nr.data.load_mnist()` or `nr.data.load_fashion_mnist()` (the README says how to get the files); on Fashion-MNIST, rotations and flips that change a digit's class are mostly harmless for clothes.

# %%
%matplotlib inline
import numpy as np
from matplotlib.figure import Figure
import numreg as nr

(X, y), (X_test, y_test) = nr.data.load_font_digits(n_train=5000, n_test=1000, seed=0)
# MNIST / Fashion-MNIST: (X, y), (X_test, y_test) = nr.data.load_mnist()   (see the README)
# (on Fashion-MNIST the rotations and flips that are "unsafe" for digits are mostly safe for clothes)

# %% [markdown]
# ## One digit, many transformations
#
# `nr.plots.augmentation_grid` applies each augmentation six times to one image. The last two rows are the
# book's warning made visible: a rotation by up to 180° turns a 6 into a 9, and a mirror flip makes a digit no
# digit at all.

# %%
six = X[np.flatnonzero(y == 6)[0]]
nr.plots.augmentation_grid(six, title="A six under the default augmentations")

# %% [markdown]
# ## Does it help? A small-data experiment, over seeds
#
# The chapter defines regularization as "any modification we make to a learning algorithm that is intended to
# reduce its generalization error but not its training error". Augmentation makes the training task *harder*
# (the network must get every warped version right) in exchange for a smaller test error. To see it we take
# the regime where the network overfits: 500 training images (50 per class), the seed network without dropout,
# Adam for 40 epochs (160 steps of 128 images), each run from 3 seeds (a seed draws the 500 images, the
# initialization, the batch order and the warps; the runs with and without augmentation share the first three).
#
# **The strength** is one knob $s$ scaling all of `RandomAffine`'s ranges: rotations up to $15s$ degrees, zoom
# in $[1 - 0.1s, 1 + 0.1s]$, shifts up to $10s$% of the image ($s = 1$ is the default). We sweep $s$ from 0.25
# to 3 and choose it on 1,000 validation images, apart from the training pool; the test set is another 1,000.
# The training error is measured on the clean (un-warped) training images, in evaluation mode.

# %%
X_pool, y_pool = X[:4000], y[:4000]                     # training sets are drawn from here
X_val, y_val = X[4000:], y[4000:]                       # chooses the strength
criterion = nr.SoftmaxCrossEntropy()
seeds = [0, 1, 2]
epochs = 40


def affine_of_strength(s, seed):
    return nr.augment.RandomAffine(degrees=15 * s, scale=(1 - 0.1 * s, 1 + 0.1 * s), translate=(0.1 * s, 0.1 * s),
                                   seed=seed)


class Errors(nr.Callback):
    """Records the error on the clean training images and on the test images after every other epoch."""

    def __init__(self, train):
        self.train, self.train_error, self.test_error = train, [], []

    def on_epoch_end(self, state):
        if state.epoch % 2 == 0:
            self.train_error.append(1 - nr.evaluate(state.model, criterion, *self.train)[1])
            self.test_error.append(1 - nr.evaluate(state.model, criterion, X_test, y_test)[1])


def train_digits(augment, seed):
    X_train, y_train = nr.data.subsample(X_pool, y_pool, 500, seed=seed)
    model = nr.mlp(dropout=0, seed=seed)
    recorder = Errors((X_train, y_train))
    nr.fit(model, criterion, nr.Adam(model.parameters()), (X_train, y_train), epochs=epochs, batch_size=128,
           augment=augment, callbacks=[recorder], seed=seed, verbose=False)
    return {"model": model, "train": np.array(recorder.train_error), "test": np.array(recorder.test_error),
            "val": 1 - nr.evaluate(model, criterion, X_val, y_val)[1]}


strengths = [0.25, 0.5, 1.0, 1.5, 2.0, 3.0]
plain = [train_digits(None, seed) for seed in seeds]
sweep = [[train_digits(affine_of_strength(s, seed), seed) for s in strengths] for seed in seeds]

train = np.array([[r["train"][-1] for r in row] for row in sweep])
test = np.array([[r["test"][-1] for r in row] for row in sweep])
best = int(np.argmin(np.mean([[r["val"] for r in row] for row in sweep], axis=0)))
print(f"{'strength s':>12} {'train error':>16} {'test error':>16}   (mean ± SE over {len(seeds)} seeds)")
(m, se), (mt, set_) = nr.plots.mean_se([r["train"][-1] for r in plain]), nr.plots.mean_se([r["test"][-1] for r in plain])
print(f"{'plain':>12} {m:8.3f} ± {se:.3f} {mt:8.3f} ± {set_:.3f}")
for j, s in enumerate(strengths):
    (m, se), (mt, set_) = nr.plots.mean_se(train[:, j]), nr.plots.mean_se(test[:, j])
    print(f"{s:12g} {m:8.3f} ± {se:.3f} {mt:8.3f} ± {set_:.3f}" + ("  <- lowest validation error" if j == best else ""))

# %%
fig = Figure(figsize=(12, 4), layout="constrained")
ax_curves, ax_sweep = fig.subplots(1, 2)
best_name = f"RandomAffine, s = {strengths[best]:g}"
curves = {"plain": (np.stack([r["train"] for r in plain]), np.stack([r["test"] for r in plain])),
          best_name: (np.stack([row[best]["train"] for row in sweep]), np.stack([row[best]["test"] for row in sweep]))}
nr.plots.train_test_curves(curves, x=np.arange(2, epochs + 1, 2), ax=ax_curves, xlabel="epoch (4 Adam steps each)",
                           ylabel="classification error",
                           title=f"500 training images: training and test error ({len(seeds)} seeds, ± SE)")
nr.plots.strength_sweep(strengths, test, train=train, baseline=[r["test"][-1] for r in plain], best=strengths[best],
                        ax=ax_sweep, label="RandomAffine", color=nr.plots.PALETTE[1],
                        xlabel="augmentation strength s (rotation 15s deg, zoom 10s %, shift 10s %)",
                        ylabel=f"error after {epochs} epochs", title="Too little, just right, too much")
fig

# %%
_, _, said = nr.plots.paired_effect([r["test"][-1] for r in plain], test[:, best], name=best_name, metric="test error")
d_train, se_train = nr.plots.mean_se(train[:, best] - np.array([r["train"][-1] for r in plain]))
print(said)
print(f"   ... while it raises the training error by {d_train:.3f} ± {se_train:.3f}.")

# %% [markdown]
# The plain network memorizes its 500 images (training error 0) and stops improving on the test set after
# about 20 epochs; the augmented one never quite fits its training images, and its test error is still falling
# at epoch 40 (longer training would widen the gap; we stop there to keep the notebook under a minute). The
# sweep shows the knob: small warps help a little, the default range helps most, and warps so large that a
# digit no longer looks like itself (rotations of 45 degrees, shifts of a third of the image) make the training
# task too hard: both errors rise.
#
# ## The invariance it teaches: shifted test images
#
# Tested on the test images shifted right by 1 to 4 pixels, the plain network and the augmented one (seed
# 0 of each, from the sweep above):

# %%
shifts = [0, 1, 2, 3, 4]
shifted_tests = [nr.augment.affine(X_test, shift=(0, s)) for s in shifts]
models = {"plain": plain[0]["model"], best_name: sweep[0][best]["model"]}
accuracy = {}
for name, model in models.items():
    accuracy[name] = [nr.evaluate(model, criterion, Xs, y_test)[1] for Xs in shifted_tests]
    print(f"{name:26s} test accuracy, shift 0..4 px: " + "  ".join(f"{a:.3f}" for a in accuracy[name]))

fig = Figure(figsize=(6.4, 4), layout="constrained")
ax = fig.subplots()
for (name, acc), color, marker in zip(accuracy.items(), nr.plots.PALETTE, "os^"):
    ax.plot(shifts, acc, marker=marker, color=color, label=name)
ax.set_xlabel("test images shifted right by (pixels)")
ax.set_ylabel("test accuracy")
ax.set_title(f"Seed network, 500 training images, {epochs} epochs (seed 0)")
ax.set_xticks(shifts)
ax.grid(True, alpha=0.3)
ax.legend()
fig

# %% [markdown]
# The augmented network has seen every digit at many positions, and keeps more of its accuracy as the test
# images move.
#
# ## The unsafe augmentation, class by class
#
# Rotations up to 180° make a rotated 6 and an upright 9 the same training example with two different labels.
# We train the same network (seed 0) with that "augmentation". Every class suffers (upright digits are now a
# small part of what the network sees), but the 6s and 9s far more than the others:

# %%
X_train0, y_train0 = nr.data.subsample(X_pool, y_pool, 500, seed=0)
unsafe = nr.mlp(dropout=0, seed=0)
nr.fit(unsafe, criterion, nr.Adam(unsafe.parameters()), (X_train0, y_train0), epochs=epochs, batch_size=128,
       augment=nr.augment.RandomAffine(degrees=180, scale=None, translate=None, seed=0), seed=0, verbose=False)
models["rotation +-180 deg (unsafe)"] = unsafe
for name in ("plain", "rotation +-180 deg (unsafe)"):
    predicted = nr.predict(models[name], X_test).argmax(axis=1)
    six_as_nine = np.mean(predicted[y_test == 6] == 9)
    nine_as_six = np.mean(predicted[y_test == 9] == 6)
    per_class = [np.mean(predicted[y_test == c] == c) for c in range(10)]
    print(f"{name:28s} 6 read as 9: {six_as_nine:5.1%}   9 read as 6: {nine_as_six:5.1%}   "
          f"accuracy on 6: {per_class[6]:.2f}, on 9: {per_class[9]:.2f}, mean of the others: "
          f"{np.mean([a for c, a in enumerate(per_class) if c not in (6, 9)]):.2f}")

# %% [markdown]
# **Takeaway.** Transformations that keep the class (small rotations, zooms, shifts, elastic distortions)
# act as more data, and teach the network the invariance; a transformation that changes the class teaches it
# to confuse the classes it swaps. To compare two methods fairly, train both with the same augmentation.
#
# **Verified by** `tests/regularize/s7_04_augmentation/test_augment_affine.py` (the warp against exact rotations, rolls and
# `scipy.ndimage.affine_transform`), `tests/regularize/s7_04_augmentation/test_augment_random.py` (distributions of the random parameters,
# elastic fields, `fit` augmenting training batches only, determinism), `tests/plots/test_plots_aug_noise.py` (the grid).
# `python benchmarks/bench_augment.py` times what augmentation adds to an epoch; `python experiments/robustness.py`
# compares augmentation with other ways of making a network robust (notebook 05).
