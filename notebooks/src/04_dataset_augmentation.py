# Source of notebooks/04_dataset_augmentation.ipynb -- edit here, then: python notebooks/build.py 04

# %% [markdown]
# # 3 · Dataset augmentation (§7.4)
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
# *Runs in about 15 s on two cores.*
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
# ## Does it help? A small-data experiment
#
# The seed network trained on 1,000 images (100 per class) for the same number of epochs:
#
# - **plain**: the images as they are;
# - **RandomAffine()**: every batch freshly warped (`nr.fit(..., augment=...)`, applied to training batches
#   only, never to the validation set);
# - **rotation ±180°**: an "augmentation" that can change the class.
#
# All three are tested on the same 1,000 clean test images, and on the test images shifted right by 1 to 4
# pixels: the test of the invariance that the augmentation teaches.

# %%
X_small, y_small = nr.data.subsample(X, y, 1000, seed=0)
criterion = nr.SoftmaxCrossEntropy()
augmentations = {
    "plain": None,
    "RandomAffine()": nr.augment.RandomAffine(seed=0),
    "rotation +-180 deg (unsafe)": nr.augment.RandomAffine(degrees=180, scale=None, translate=None, seed=0),
}
shifts = [0, 1, 2, 3, 4]
shifted_tests = [nr.augment.affine(X_test, shift=(0, s)) for s in shifts]
models, accuracy = {}, {}
for name, augment in augmentations.items():
    model = nr.mlp(seed=0)
    optimizer = nr.Adam(model.parameters())
    history = nr.fit(model, criterion, optimizer, (X_small, y_small), epochs=40, batch_size=128,
                     augment=augment, seed=0, verbose=False)
    models[name] = model
    accuracy[name] = [nr.evaluate(model, criterion, Xs, y_test)[1] for Xs in shifted_tests]
    print(f"{name:28s} train loss {history.train_loss[-1]:.3f}   test accuracy, shift 0..4 px: "
          + "  ".join(f"{a:.3f}" for a in accuracy[name]))

fig = Figure(figsize=(6.4, 4), layout="constrained")
ax = fig.subplots()
for (name, acc), color, marker in zip(accuracy.items(), nr.plots.PALETTE, "os^"):
    ax.plot(shifts, acc, marker=marker, color=color, label=name)
ax.set_xlabel("test images shifted right by (pixels)")
ax.set_ylabel("test accuracy")
ax.set_title("Seed network, 1,000 training images, 40 epochs")
ax.set_xticks(shifts)
ax.grid(True, alpha=0.3)
ax.legend()
fig

# %% [markdown]
# The augmented network generalizes better on clean test images, and much better on shifted ones: it has
# seen every digit at many positions. The plain network's training loss is far lower; it memorized the
# 1,000 images instead.
#
# ## The unsafe augmentation, class by class
#
# Rotations up to 180° make a rotated 6 and an upright 9 the same training example with two different labels.
# Every class suffers (upright digits are now a small part of what the network sees), but the 6s and 9s far
# more than the others:

# %%
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
# **Verified by** `tests/test_augment_affine.py` (the warp against exact rotations, rolls and
# `scipy.ndimage.affine_transform`), `tests/test_augment_random.py` (distributions of the random parameters,
# elastic fields, `fit` augmenting training batches only, determinism), `tests/test_plots_aug_noise.py` (the grid).
# `python benchmarks/bench_augment.py` times what augmentation adds to an epoch; `python experiments/robustness.py`
# compares augmentation with other ways of making a network robust (notebook 05).
