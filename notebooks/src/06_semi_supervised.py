# Source of notebooks/06_semi_supervised.ipynb -- edit here, then: python notebooks/build.py 06

# %% [markdown]
# # 5 · Semi-supervised learning (§7.6)
#
# **The book's claim.** Unlabeled examples from $P(\mathbf x)$ and labeled ones from $P(\mathbf x, \mathbf y)$ can be
# used together to estimate $P(\mathbf y \mid \mathbf x)$: if the structure of $P(\mathbf x)$ is related to
# $P(\mathbf y \mid \mathbf x)$, which is the *cluster* or *manifold* assumption, the unlabeled data show where the
# class boundaries can go. In deep learning this usually means learning a representation $\mathbf h = f(\mathbf x)$
# that both tasks share, so that examples of one class get similar representations. The seed's slide adds the
# simplest method, **cluster-then-label**: cluster all the points, label each cluster by the majority of its
# labeled members.
#
# Two experiments: one where the assumption holds (two interleaved half-moons), and one on digits where it
# holds far less in pixel space, which is the honest part of the story.
#
# *Runs in about 15 s on two cores.*

# %%
%matplotlib inline
import numpy as np
from matplotlib.figure import Figure
import numreg as nr

criterion = nr.SoftmaxCrossEntropy()


def train_seed_network(X, y, steps=400, in_features=784, hidden=(128, 128), seed=0):
    """The seed network, trained on (X, y) for about `steps` Adam steps of 64 examples."""
    model = nr.mlp(in_features=in_features, hidden=hidden, out_features=int(y.max()) + 1, seed=seed)
    epochs = max(1, -(-steps // -(-len(X) // 64)))
    nr.fit(model, criterion, nr.Adam(model.parameters()), (X, y), epochs=epochs, batch_size=64,
           seed=seed, verbose=False)
    return model

# %% [markdown]
# ## When the assumption holds: two moons, two labels
#
# 600 points on two interleaved half-moons, **one** labeled point per moon. A network trained on the two
# labels alone can only draw some boundary between two points; label propagation (Zhu & Ghahramani 2002)
# spreads the labels along a 10-nearest-neighbour graph of *all* the points, i.e. along the manifold. It is
# the harmonic solution: each unlabeled point's class distribution $F_u$ is the weighted average of its
# neighbours', $F_u = D_{uu}^{-1}\big(W_{uu} F_u + W_{ul} Y_l\big)$, with the labeled rows held fixed.

# %%
rng = np.random.default_rng(0)
t = rng.uniform(0, np.pi, 600)
moon = rng.integers(0, 2, 600)
P = np.where(moon[:, None] == 0, np.c_[np.cos(t), np.sin(t)], np.c_[1 - np.cos(t), 0.5 - np.sin(t)])
P += 0.08 * rng.standard_normal(P.shape)
labeled = np.array([np.flatnonzero(moon == c)[np.argmax(t[moon == c] if c == 0 else -t[moon == c])]
                    for c in (0, 1)])                       # the tip of each moon
unlabeled = np.setdiff1d(np.arange(600), labeled)

supervised = train_seed_network(P[labeled], moon[labeled], steps=200, in_features=2, hidden=(32, 32))
sup_labels = nr.predict(supervised, P[unlabeled]).argmax(axis=1)
lp_labels, _ = nr.label_propagation(P[labeled], moon[labeled], P[unlabeled], k_neighbors=10)
print(f"accuracy on the 598 unlabeled points: supervised on 2 labels {np.mean(sup_labels == moon[unlabeled]):.3f}, "
      f"label propagation {np.mean(lp_labels == moon[unlabeled]):.3f}")

fig = Figure(figsize=(10, 3.4), layout="constrained")
axes = fig.subplots(1, 3, sharex=True, sharey=True)
panels = [("what we know: 2 labels", np.full(598, -1)), ("supervised only", sup_labels),
          ("label propagation", lp_labels)]
for ax, (title, labels) in zip(axes, panels):
    for c, color in zip((-1, 0, 1), ("lightgrey", nr.plots.PALETTE[0], nr.plots.PALETTE[1])):
        ax.scatter(*P[unlabeled][labels == c].T, s=6, color=color)
    for c, color in zip((0, 1), (nr.plots.PALETTE[0], nr.plots.PALETTE[1])):
        ax.scatter(*P[labeled[c]], s=160, marker="*", color=color, edgecolor="k", zorder=3)
    ax.set_title(title)
    ax.set_aspect("equal")
fig

# %% [markdown]
# ## On digits: 100 labels in a pool of 3,000 images
#
# The seed network on the 100 labels alone, against three semi-supervised methods that also see the 2,900
# unlabeled images:
#
# - **cluster-then-label** (`nr.cluster_then_label`, k-means with $k = 100$): the pseudo-labels, then the
#   seed network trained on labels + pseudo-labels;
# - **label propagation** on a 10-NN graph of the pixels, then the same;
# - **a shared representation**, `nr.DenoisingAutoencoderClassifier`: an encoder $\mathbf h = f(\mathbf x)$
#   (784→256) feeds a decoder that restores masked inputs (trained on all 3,000 images) and a classifier
#   head (trained on the 100 labels); the objective is $J = J_{\text{class}} + \lambda J_{\text{reconstruction}}$,
#   against the same network with $\lambda = 0$.
#
# **On MNIST / Fashion-MNIST**: replace the loading line by `nr.data.load_mnist()` (see the README);
# `python experiments/semisupervised_100_labels.py --data fashion-mnist` runs the full comparison.

# %%
(X, y), (X_test, y_test) = nr.data.load_font_digits(n_train=5000, n_test=1000, seed=0)
X_pool, y_pool = X[:3000], y[:3000]
li = np.concatenate([rng.choice(np.flatnonzero(y_pool == c), 10, replace=False) for c in range(10)])
ui = np.setdiff1d(np.arange(len(X_pool)), li)
X_l, y_l, X_u, y_u = X_pool[li], y_pool[li], X_pool[ui], y_pool[ui]   # y_u only to score the pseudo-labels

results = {}
model = train_seed_network(X_l, y_l)
results["supervised only (100 labels)"] = (None, nr.evaluate(model, criterion, X_test, y_test)[1])

ctl_labels, unreached = nr.cluster_then_label(X_l, y_l, X_u, k=100, seed=0)
model = train_seed_network(np.concatenate([X_l, X_u]), np.concatenate([y_l, ctl_labels]))
results["cluster-then-label, k = 100"] = (np.mean(ctl_labels == y_u), nr.evaluate(model, criterion, X_test, y_test)[1])

lp_labels, _ = nr.label_propagation(X_l, y_l, X_u, k_neighbors=10)
ok = lp_labels >= 0
model = train_seed_network(np.concatenate([X_l, X_u[ok]]), np.concatenate([y_l, lp_labels[ok]]))
results["label propagation, 10-NN"] = (np.mean(lp_labels == y_u), nr.evaluate(model, criterion, X_test, y_test)[1])

for lam in (0.0, 10.0):
    dae = nr.DenoisingAutoencoderClassifier(
        nr.Sequential(nr.Flatten(), nr.Linear(784, 256), nr.ReLU()),      # h = f(x), shared
        nr.Sequential(nr.Linear(256, 784), nr.Sigmoid()),                 # decoder: all images
        nr.Sequential(nr.Dropout(0.5), nr.Linear(256, 10)),               # classifier head: the 100 labels
        corruption=0.3, lam=lam).reseed(0)
    dae.fit(X_l, y_l, X_u, epochs=6, batch_size=128, labeled_batch_size=32, seed=0)
    results[f"shared h = f(x), lambda = {lam:g}"] = (None, nr.evaluate(dae, criterion, X_test, y_test)[1])

print(f"{'method':36s} {'pseudo-labels right':>20} {'test accuracy':>14}")
for name, (pseudo, test) in results.items():
    print(f"{name:36s} {'' if pseudo is None else f'{pseudo:.3f}':>20} {test:14.3f}")

fig = Figure(figsize=(6.4, 3.2), layout="constrained")
ax = fig.subplots()
names = list(results)
ax.barh(names[::-1], [results[n][1] for n in names[::-1]], color=nr.plots.PALETTE[0])
ax.axvline(results[names[0]][1], color="k", linestyle=":", label="supervised only")
ax.set_xlabel("test accuracy")
ax.set_title("100 labels + 2,900 unlabeled digits")
ax.legend(loc="lower right")
fig

# %% [markdown]
# Here the unlabeled images help far less than the moons suggest, and cluster-then-label even hurts. The k-means centres show why: in pixel
# space the clusters follow the style of the drawing (stroke width, slant, position, clutter) as much as the
# digit, so many clusters mix classes and the majority label of a cluster is often wrong. Each centre below is
# titled with the label cluster-then-label gave it ("?" if no labeled image fell in it):

# %%
km = nr.KMeans(100, seed=0).fit(np.concatenate([X_l, X_u]))
members = km.labels_[:len(X_l)]
cluster_label = np.full(100, -1)
for c in np.unique(members):
    cluster_label[c] = np.bincount(y_l[members == c]).argmax()
nr.plots.cluster_centers(km.cluster_centers_[:40], labels=cluster_label[:40],
                         title="40 of the 100 k-means centres, with their majority labels")

# %% [markdown]
# **Takeaway.** Unlabeled data help exactly as much as the structure of $P(\mathbf x)$ tells about
# $P(\mathbf y \mid \mathbf x)$. On the moons the neighbourhood graph follows the classes and two labels suffice;
# on raw pixels of varied, cluttered digits the clusters do not follow the classes: cluster-then-label does
# worse than the 100 labels alone, and the other methods change it by a few points at most. This is the reason deep semi-supervised learning works on a learned
# representation $\mathbf h = f(\mathbf x)$ rather than on raw inputs, and why it needs a representation that
# actually separates the classes.
#
# **Verified by** `tests/test_semisupervised.py` (cluster-then-label by hand, label propagation reaching the
# harmonic solution, EM never decreasing its objective, self-training's pseudo-labels, the shared encoder's
# gradient by central differences) and `tests/test_kmeans.py` (Lloyd steps by hand, k-means++ draws).
# `nr.SemiSupervisedGMM` (EM with the labeled responsibilities fixed) and `nr.SelfTraining` (pseudo-labels)
# are the two other methods numreg has.
