# Source of notebooks/09_parameter_tying_and_sharing.ipynb -- edit here, then: python notebooks/build.py 09

# %% [markdown]
# # 09 · Parameter tying (§7.9) and sparse representations (§7.10)
#
# **The book's claims.**
#
# - *Parameter tying* (§7.9). $L^2$ decay pulls the weights towards one fixed point, zero. Sometimes we know
#   something better: two models A and B solve similar tasks with similar input distributions, so their
#   parameters should be close. The penalty $\Omega(w^{(A)}, w^{(B)}) = \|w^{(A)} - w^{(B)}\|_2^2$ pulls B towards A
#   instead of towards zero (Lasserre et al. 2006). Its limit, forcing the parameters to be *equal*, is
#   parameter sharing, the idea behind convolutional networks.
# - *Parameter sharing* (§7.9). A convolutional layer applies one small kernel at every position of the image, so
#   its parameter count does not grow with the image, and it builds in the prior that features are the same
#   wherever they appear, a strong prior that should pay most when labels are few.
# - *Sparse representations* (§7.10). $L^1$ on the weights (notebook 01) makes the *parameters* sparse; an
#   $L^1$ penalty on the activations, $\tilde J = J + \alpha\,\Omega(\mathbf h)$ with $\Omega(\mathbf h) = \|\mathbf h\|_1$
#   (Eq. 7.48), makes the *representation* sparse: for each input, most units are exactly 0. The constraint can
#   also be explicit: orthogonal matching pursuit (Pati et al. 1993) encodes $\mathbf x$ with few columns ("atoms")
#   of a dictionary $W$,
#
#   $$\arg\min_{\mathbf h,\ \|\mathbf h\|_0 < k}\ \|\mathbf x - W\mathbf h\|^2. \qquad \text{(Eq. 7.49)}$$
#
# numreg: `nr.Conv2d(in_channels, out_channels, kernel_size)`, `nr.MaxPool2d(2)` (PyTorch's shapes and
# initialization, hand-written backward by im2col); `nr.TiedL2(model_a, model_b, alpha)` is the penalty $\frac\alpha2\|w^{(A)} - w^{(B)}\|^2$ over the weight
# matrices, paired in order (biases left out, as in every norm penalty); `nr.ActivityL1(alpha)` is a layer placed
# after the activation it penalizes, whose backward adds $\alpha\operatorname{sign}(\mathbf h)/n$; `nr.omp(X, W, k)` gives
# every row of `X` a code with **at most $k$** atoms (the book's $< k$ with its $k$ one larger).
#
# *Runs in about 30 s on two cores (the 27 runs of the tying sweep over seeds add about 10 s to the LeNet section's).*
#
# **On MNIST or Fashion-MNIST:** change the loading line to `nr.data.load_mnist()` or `nr.data.load_fashion_mnist()` (the README says how to get the files) and train for more epochs.

# %%
%matplotlib inline
import numpy as np
from matplotlib.figure import Figure
import numreg as nr

(X, y), (X_test, y_test) = nr.data.load_font_digits(n_train=5000, n_test=1000, seed=0)
# MNIST / Fashion-MNIST: (X, y), (X_test, y_test) = nr.data.load_fashion_mnist()   (see the README)
criterion = nr.SoftmaxCrossEntropy()

# %% [markdown]
# ## The penalty and its gradient
#
# $\Omega = \frac\alpha2\sum_{\text{pairs}}\|W^{(A)} - W^{(B)}\|^2$, so $\nabla_{W^{(A)}}\Omega = \alpha(W^{(A)} - W^{(B)})$ and
# $\nabla_{W^{(B)}}\Omega = -\alpha(W^{(A)} - W^{(B)})$. By hand on one pair, then by central differences on two
# small networks trained together (the gradient check of the data loss plus the penalty):

# %%
w_a, w_b = nr.Parameter(np.array([1.0, 2.0])), nr.Parameter(np.array([0.0, 0.0]))
tie = nr.TiedL2([w_a], [w_b], alpha=2.0)
tie.add_grad(None)                         # params=None: both sides get their gradient
print(f"value {tie.value(None)} (= 2/2 * (1 + 4)), grad A {w_a.grad}, grad B {w_b.grad}")

a_net = nr.mlp(6, (5,), 3, dropout=0.0, seed=0).astype(np.float64)
b_net = nr.mlp(6, (5,), 3, dropout=0.0, seed=1).astype(np.float64)
rng = np.random.default_rng(0)
x, labels = rng.standard_normal((7, 6)), rng.integers(0, 3, 7)
err = nr.gradcheck.check_model(a_net, criterion, x, labels, penalties=[nr.TiedL2(a_net, b_net, 0.7)])
print(f"central differences, cross-entropy of A + TiedL2(A, B): largest relative error {err:.1e}")

# %% [markdown]
# ## Tying B to A when B has few labels
#
# Model A, the seed network, is trained on 4,000 digits. Model B solves the same ten-class task on a *related*
# input distribution, the digits rotated by 25°, but has only 200 labeled examples. B (the seed network without
# dropout, so that the penalty is its only regularizer) is trained for 60 epochs from its own random
# initialization with no penalty, with ordinary $L^2$ decay towards 0, and with `nr.TiedL2(B, A, alpha)`
# towards the trained A (passing B to `fit` trains B only; A stays fixed). All are tested on the rotated test
# digits. A itself, applied to rotated digits unchanged, is the other baseline: $\alpha \to \infty$ is "B = A".
# Each run is repeated for 3 seeds (a seed draws B's 200 images, its initialization and its batch order, shared by
# every penalty, so the differences are paired); $\alpha$ is chosen on the other 800 rotated digits.

# %%
model_a = nr.mlp(seed=0)
nr.fit(model_a, criterion, nr.Adam(model_a.parameters()), (X[:4000], y[:4000]), epochs=15, seed=0, verbose=False)
print(f"A on its own test digits: accuracy {nr.evaluate(model_a, criterion, X_test, y_test)[1]:.3f}")

rotate = lambda images: nr.augment.affine(images, angle=25)
X_b_pool, X_b_test = rotate(X[4000:]), rotate(X_test)        # B's world: rotated digits
y_b_pool = y[4000:]
a_on_b = 1 - nr.evaluate(model_a, criterion, X_b_test, y_test)[1]
seeds, b_epochs = [0, 1, 2], 60


def train_b(penalty, seed):
    """B trained on 200 rotated digits drawn by `seed` (its own initialization and batch order too); the error on
    its training images and on the rotated test digits every 10 epochs, and on the other 800 rotated digits."""
    chosen = np.random.default_rng(seed).permutation(len(X_b_pool))
    train, val = chosen[:200], chosen[200:]
    model_b = nr.mlp(dropout=0, seed=100 + seed)
    recorder = []

    class Record(nr.Callback):
        def on_epoch_end(self, state):
            if state.epoch % 10 == 0:
                recorder.append((1 - nr.evaluate(model_b, criterion, X_b_pool[train], y_b_pool[train])[1],
                                 1 - nr.evaluate(model_b, criterion, X_b_test, y_test)[1]))

    nr.fit(model_b, criterion, nr.Adam(model_b.parameters()), (X_b_pool[train], y_b_pool[train]), epochs=b_epochs,
           batch_size=64, penalties=penalty(model_b), callbacks=[Record()], seed=seed, verbose=False)
    distance = np.sqrt(sum(np.sum((pb.data - pa.data) ** 2) for pb, pa in
                           zip(model_b.parameters(), model_a.parameters()) if pb.regularized))
    curves = np.array(recorder)
    return {"train": curves[:, 0], "test": curves[:, 1], "distance": distance,
            "val": 1 - nr.evaluate(model_b, criterion, X_b_pool[val], y_b_pool[val])[1]}


alphas = [1e-3, 1e-2, 1e-1, 1.0, 10.0]
l2_alphas = alphas[:3]
alone = [train_b(lambda b: [], seed) for seed in seeds]
l2 = [[train_b(lambda b: [nr.L2(alpha)], seed) for alpha in l2_alphas] for seed in seeds]
tied = [[train_b(lambda b: [nr.TiedL2(b, model_a, alpha)], seed) for alpha in alphas] for seed in seeds]
final = lambda runs, key="test": np.array([[r[key][-1] if key in ("train", "test") else r[key] for r in row]
                                           for row in runs])
best_tied = int(np.argmin(final(tied, "val").mean(axis=0)))
best_l2 = int(np.argmin(final(l2, "val").mean(axis=0)))
fmt = lambda v: "{:.3f} ± {:.3f}".format(*nr.plots.mean_se(v))
print(f"A applied to rotated digits: test error {a_on_b:.3f}     B alone (200 labels): "
      f"{fmt([r['test'][-1] for r in alone])}   (mean ± SE over {len(seeds)} seeds)\n")
print(f"{'alpha':>7} {'B + L2 (towards 0)':>19} {'B + TiedL2 (towards A)':>23} {'||W_B - W_A||':>14}   (test error)")
for i, alpha in enumerate(alphas):
    l2_text = fmt(final(l2)[:, i]) + ("*" if i == best_l2 else " ") if i < len(l2_alphas) else ""
    print(f"{alpha:7.0e} {l2_text:>19} {fmt(final(tied)[:, i]) + ('*' if i == best_tied else ' '):>23} "
          f"{final(tied, 'distance')[:, i].mean():14.2f}")
print("(* lowest error on the 800 rotated validation digits)")

fig = Figure(figsize=(12, 4), layout="constrained")
ax_curves, ax_sweep = fig.subplots(1, 2)
tied_name = f"B + TiedL2, alpha = {alphas[best_tied]:g}"
nr.plots.train_test_curves({"B alone": (np.stack([r["train"] for r in alone]), np.stack([r["test"] for r in alone])),
                            tied_name: (np.stack([row[best_tied]["train"] for row in tied]),
                                        np.stack([row[best_tied]["test"] for row in tied]))},
                           x=np.arange(10, b_epochs + 1, 10), ax=ax_curves, xlabel="epoch (4 Adam steps each)",
                           ylabel="error on rotated digits",
                           title=f"200 labels for B: training and test error ({len(seeds)} seeds, ± SE)")
nr.plots.strength_sweep(alphas, final(tied), baseline=[r["test"][-1] for r in alone], best=alphas[best_tied],
                        ax=ax_sweep, label="TiedL2 (towards A)", color=nr.plots.PALETTE[2])
nr.plots.strength_sweep(l2_alphas, final(l2), ax=ax_sweep, label="L2 (towards 0)", color=nr.plots.PALETTE[1],
                        xlabel=r"penalty weight $\alpha$", ylabel="test error on rotated digits",
                        title="Pull towards A, not towards 0")
ax_sweep.axhline(a_on_b, color="k", linestyle=":", label="A unchanged (alpha -> inf)")
ax_sweep.legend(fontsize=8)
fig

# %%
for name, runs, best in ((tied_name, tied, best_tied), (f"B + L2, alpha = {l2_alphas[best_l2]:g}", l2, best_l2)):
    print(nr.plots.paired_effect([r["test"][-1] for r in alone], final(runs)[:, best], name=name,
                                 metric="test error on rotated digits")[2])

# %% [markdown]
# Pulling B's weights towards zero does not help here (no change when weak, worse when strong: the printed
# verdict and the sweep), while pulling them towards A's helps, up to a point:
# at large $\alpha$ B becomes A, which never saw rotated digits. The prior knowledge "B is like A" is worth more
# than the generic "weights are small".
#
# ## Parameter sharing: a convolutional network against an MLP with as many parameters
#
# Tying taken to its limit is *sharing*: a convolution applies the same small kernel at every position of the
# image (§7.9, "the most popular and extensive use of parameter sharing occurs in convolutional neural
# networks"). That encodes the prior "a feature worth detecting here is worth detecting anywhere", which the book
# calls a very strong one; it should matter most when labels are few. A LeNet-like network
# (`nr.Conv2d(1, 6, 5)`, ReLU, `nr.MaxPool2d(2)`, `nr.Conv2d(6, 16, 5)`, ReLU, `nr.MaxPool2d(2)`, then 256-120-10)
# against a 784-44-10 MLP with about as many parameters, on 100, 300 and 1,000 training digits (stratified
# subsets of the first 4,000; three seeds, each drawing its own subset, initial weights and batch order, the same
# for both networks), the same training for both (Adam, lr 2e-3, batches of 64, about 100 steps), no penalty.

# %%
def lenet(seed):
    return nr.Sequential(nr.Conv2d(1, 6, 5), nr.ReLU(), nr.MaxPool2d(2),     # 28x28 -> 6 x 24x24 -> 6 x 12x12
                         nr.Conv2d(6, 16, 5), nr.ReLU(), nr.MaxPool2d(2),    # -> 16 x 8x8 -> 16 x 4x4
                         nr.Flatten(), nr.Linear(256, 120), nr.ReLU(), nr.Linear(120, 10), seed=seed)


def small_mlp(seed):
    return nr.mlp(784, (44,), 10, dropout=0.0, seed=seed)


def n_params(model):
    return sum(p.data.size for p in model.parameters())


conv_net = lenet(0)
print(f"LeNet: {n_params(conv_net):,} parameters; MLP 784-44-10: {n_params(small_mlp(0)):,}")
for layer in conv_net:
    if isinstance(layer, nr.Conv2d):
        print(f"  {layer.extra_repr().split(', stride')[0]}: {n_params(layer):,} parameters")
conv1 = conv_net[0]
print(f"each first-layer weight is used at {24 * 24} positions of a 28x28 image; an MLP weight at one "
      f"(a dense layer computing the same 6 x 24 x 24 outputs would need {6 * 24 * 24 * 28 * 28:,} weights)")

sizes, seeds, steps = (100, 300, 1000), (0, 1, 2), 100
images, images_test = X[:4000, None], X_test[:, None]       # (n, 1, 28, 28): one input channel
errors = {"LeNet": np.zeros((len(sizes), len(seeds))), "MLP 784-44-10": np.zeros((len(sizes), len(seeds)))}
trained = {}
for i, n in enumerate(sizes):
    for j, seed in enumerate(seeds):
        X_n, y_n = nr.data.subsample(images, y[:4000], n, seed=seed)
        for name, make in (("LeNet", lenet), ("MLP 784-44-10", small_mlp)):
            model = make(seed)
            nr.fit(model, criterion, nr.Adam(model.parameters(), lr=2e-3), (X_n, y_n),
                   epochs=int(np.ceil(steps * 64 / n)), batch_size=64, seed=seed, verbose=False)
            errors[name][i, j] = 1 - nr.evaluate(model, criterion, images_test, y_test)[1]
            trained[name, n, seed] = model
print(f"\ntest error, mean ± standard error over {len(seeds)} seeds:")
print(f"{'n_train':>8} {'LeNet':>15} {'MLP 784-44-10':>15} {'LeNet - MLP (paired)':>22}")
for i, n in enumerate(sizes):
    cells = [f"{e[i].mean():.3f} ± {e[i].std(ddof=1) / np.sqrt(len(seeds)):.3f}" for e in errors.values()]
    d = errors["LeNet"][i] - errors["MLP 784-44-10"][i]
    print(f"{n:8d} {cells[0]:>15} {cells[1]:>15} {f'{d.mean():+.3f} ± {d.std(ddof=1) / np.sqrt(len(seeds)):.3f}':>22}")

fig = Figure(figsize=(6.4, 4), layout="constrained")
ax = fig.subplots()
for (name, e), color, marker in zip(errors.items(), (nr.plots.PALETTE[2], nr.plots.PALETTE[0]), "os"):
    ax.errorbar(sizes, e.mean(axis=1), yerr=e.std(axis=1, ddof=1) / np.sqrt(len(seeds)), marker=marker,
                capsize=3, color=color, label=f"{name} ({n_params(trained[name, sizes[0], 0]):,} parameters)")
ax.set_xscale("log")
ax.set_xticks(sizes, [str(n) for n in sizes])
ax.set_xlabel("training digits")
ax.set_ylabel(f"test error (mean ± SE, {len(seeds)} seeds)")
ax.set_title("Sharing one kernel across positions: a strong prior")
ax.legend()
fig

# %% [markdown]
# The six first-layer kernels of the LeNet trained on 1,000 digits (seed 0), each a 5x5 image (its own color
# scale, red positive, blue negative), next to six of the MLP's 44 first-layer weight vectors drawn as 28x28
# images. Each kernel is one local detector slid over the whole image; each MLP unit has to learn its template
# separately for every position.

# %%
kernels = trained["LeNet", 1000, 0][0].W.data[:, 0]                     # (6, 5, 5)
templates = trained["MLP 784-44-10", 1000, 0][1].W.data[:, :6].T.reshape(6, 28, 28)
fig = Figure(figsize=(9, 3.2), layout="constrained")
axes = fig.subplots(2, 6)
for k in range(6):
    for ax, w, title in ((axes[0, k], kernels[k], f"LeNet kernel {k}"), (axes[1, k], templates[k], f"MLP unit {k}")):
        bound = np.abs(w).max()
        ax.imshow(w, cmap="RdBu_r", vmin=-bound, vmax=bound)
        ax.set_title(title, fontsize=8)
        ax.set_axis_off()
fig.suptitle("First-layer weights after 1,000 digits: 6 shared 5x5 kernels, 6 of 44 dense 28x28 templates")
fig

# %% [markdown]
# ## §7.10: an $L^1$ penalty on the representation
#
# A network with one hidden layer of 128 ReLU units, with `nr.ActivityL1(alpha)` right after the ReLU. The
# penalty is the mean over the batch of $\|\mathbf h_i\|_1$; passing the same object in `penalties=` only adds its
# value to the reported loss (its gradient comes from the model's backward pass). We measure, on the test
# set, how many activations are exactly zero and how many units each image uses.

# %%
rows, fractions, activity_runs = [], {}, {}
for alpha in (0.0, 1e-3, 3e-3, 1e-2, 3e-2):
    act = nr.ActivityL1(alpha)
    model = nr.Sequential(nr.Flatten(), nr.Linear(784, 128), nr.ReLU(), act, nr.Linear(128, 10), seed=0)
    nr.fit(model, criterion, nr.Adam(model.parameters()), (X[:4000], y[:4000]), epochs=15,
           penalties=[act], seed=0, verbose=False)
    accuracy = nr.evaluate(model, criterion, X_test, y_test)[1]
    model.eval()
    model(X_test)                                  # act.h now holds the test set's representation
    h = act.h
    fractions[alpha] = (h > 0).sum(axis=1)
    activity_runs[alpha] = (model, act, accuracy)
    print(f"alpha {alpha:<6g}: test accuracy {accuracy:.3f}   exact zeros in h {act.sparsity():6.1%}   "
          f"active units per image {np.mean(h > 0, axis=1).mean() * 128:5.1f} of 128   "
          f"units never active {np.mean(np.all(h == 0, axis=0)):5.1%}")

fig = Figure(figsize=(6.4, 3.6), layout="constrained")
ax = fig.subplots()
for (alpha, counts), color in zip(fractions.items(), nr.plots.PALETTE):
    ax.hist(counts, bins=np.arange(0, 130, 4), histtype="step", linewidth=2, color=color, label=f"alpha = {alpha:g}")
ax.set_xlabel("active (non-zero) hidden units per test image")
ax.set_ylabel("test images")
ax.set_title("ActivityL1: sparser representations as alpha grows")
ax.legend()
fig

# %% [markdown]
# ## §7.10: orthogonal matching pursuit, a code with at most $k$ atoms
#
# Eq. 7.49 asks for the best reconstruction with few non-zero coefficients, a combinatorial problem. OMP solves it
# greedily: pick the atom most correlated with the residual, re-fit all the atoms picked so far by least squares
# (so the residual is orthogonal to every one of them), repeat $k$ times. `nr.omp` does this for the whole batch at
# once. The dictionary here: 256 training images (not used for anything else), scaled to unit norm, as atoms.

# %%
n_atoms = 256
W_dict = X[4000:4000 + n_atoms].reshape(n_atoms, -1).T.astype(np.float64)     # (784, 256): one image per column
W_dict /= np.linalg.norm(W_dict, axis=0)
pixels = X[:4000].reshape(4000, -1).astype(np.float64)
pixels_test = X_test.reshape(len(X_test), -1).astype(np.float64)

h, support = nr.omp(pixels_test[0], W_dict, 5, return_support=True)
residual = pixels_test[0] - W_dict @ h
print(f"one test image: atoms chosen in order {support.tolist()}, coefficients {np.round(h[support], 3).tolist()}")
print(f"  residual orthogonal to the chosen atoms: max |W_S^T r| = {np.abs(W_dict[:, support].T @ residual).max():.1e}")

ks = [1, 2, 5, 10, 20, 40]
omp_error = []
for k in ks:
    H = nr.omp(pixels_test, W_dict, k)
    omp_error.append(np.mean(np.linalg.norm(pixels_test - H @ W_dict.T, axis=1) / np.linalg.norm(pixels_test, axis=1)))
    print(f"k = {k:2d} atoms of 256: non-zeros per code {np.count_nonzero(H, axis=1).max():2d}, "
          f"mean relative reconstruction error {omp_error[-1]:.3f}")

# %% [markdown]
# ## Parameter sparsity against representational sparsity
#
# Three ways to be sparse on the same digits: $L^1$ on the *weights* (`nr.L1(0.3)`, proximal steps, a network with
# 128 ReLU units), $L^1$ on the *activations* (the `nr.ActivityL1(1e-2)` network above), and OMP *codes* with
# $k = 10$ atoms fed to a softmax regression (against the same softmax regression on the raw pixels). For each:
# the fraction of first-layer weights that are exactly 0, the fraction of the test representation that is exactly 0,
# and the test accuracy.

# %%
def train_classifier(A, A_test, epochs=30):
    clf = nr.Sequential(nr.Linear(A.shape[1], 10), seed=0)
    nr.fit(clf, criterion, nr.Adam(clf.parameters(), lr=1e-2), (A.astype(np.float32), y[:4000]), epochs=epochs,
           seed=0, verbose=False)
    return nr.evaluate(clf, criterion, A_test.astype(np.float32), y_test)[1]


codes, codes_test = nr.omp(pixels, W_dict, 10), nr.omp(pixels_test, W_dict, 10)
pixel_accuracy, code_accuracy = train_classifier(pixels, pixels_test), train_classifier(codes, codes_test)

l1_model = nr.Sequential(nr.Flatten(), nr.Linear(784, 128), nr.ReLU(), nr.Linear(128, 10), seed=0)
nr.fit(l1_model, criterion, nr.Adam(l1_model.parameters()), (X[:4000], y[:4000]), epochs=15,
       penalties=[nr.L1(0.3)], seed=0, verbose=False)
l1_accuracy = nr.evaluate(l1_model, criterion, X_test, y_test)[1]
l1_h = l1_model[2](l1_model[1](l1_model[0](X_test)))      # the hidden layer (no dropout in this network)
act_model, act, act_accuracy = activity_runs[1e-2]

table = {   # name: (zero weights of the first layer, zero entries of the representation, test accuracy)
    "L1 on weights (alpha 0.3)": (np.mean(l1_model[1].W.data == 0), np.mean(l1_h == 0), l1_accuracy),
    "ActivityL1 (alpha 1e-2)": (np.mean(act_model[1].W.data == 0), act.sparsity(), act_accuracy),
    "OMP codes (k = 10 of 256)": (0.0, np.mean(codes_test == 0), code_accuracy),
}
print(f"{'':27} {'weights = 0':>12} {'representation = 0':>19} {'test accuracy':>14}")
for name, (w0, h0, accuracy) in table.items():
    print(f"{name:27} {w0:12.1%} {h0:19.1%} {accuracy:14.3f}")
print(f"{'softmax on raw pixels':27} {'':12} {np.mean(pixels_test == 0):19.1%} {pixel_accuracy:14.3f}")

fig = Figure(figsize=(10, 3.6), layout="constrained")
left, right = fig.subplots(1, 2)
left.plot(ks, omp_error, "o-", color=nr.plots.PALETTE[0])
left.set_xscale("log")
left.set_xlabel("k, atoms per code (of 256)")
left.set_ylabel(r"mean $\|x - Wh\| / \|x\|$ on test images")
left.set_title("OMP: reconstruction error against k")
positions = np.arange(len(table))
right.bar(positions - 0.2, [v[0] for v in table.values()], 0.4, color=nr.plots.PALETTE[1], label="weights exactly 0")
right.bar(positions + 0.2, [v[1] for v in table.values()], 0.4, color=nr.plots.PALETTE[2],
          label="representation exactly 0")
right.set_xticks(positions, [name.split(" (")[0] for name in table])
right.set_ylabel("fraction")
right.set_title("Sparse parameters or sparse representations")
right.legend()
fig

# %% [markdown]
# $L^1$ on the weights zeroes about half of them but leaves the representation no sparser than the unpenalized
# network's (compare the first line of the `ActivityL1` table); `ActivityL1` and OMP do the opposite: no weight is 0, but each image is described by few active units,
# or by 10 of 256 atoms, and a linear classifier on those 10 numbers per image does about as well as on 784 pixels.
#
# **Takeaway.** A penalty encodes a prior: "B is like A" (`TiedL2`) beats "weights are small" (`L2`) when it
# is true. Sharing is the same idea made exact: with about as many parameters as the MLP, the LeNet's shared
# kernels give a far lower test error at every training-set size tried here (the table above; the gap in
# error points stays about the same from 100 to 1,000 digits, so the *relative* gain grows). Like any prior it
# pays only where it is true: these digits are shifted, rotated and distorted, so a stroke detector is worth
# having everywhere. `experiments/lenet_vs_mlp.py` (records in `results/lenet_vs_mlp/`) finds the same on the
# font digits up to 10,000 images, but on Fashion-MNIST, whose garments are centred and size-normalized, this
# small LeNet is no better than the MLP from 100 to 3,000 images (and worse when both get few steps). An $L^1$ penalty on the activations makes each image use few units (and, here, a moderate $\alpha$ even
# helps the test accuracy), until too large an $\alpha$ switches most units off for good.
#
# **Verified by** (in `tests/regularize/`) `s7_09_tying_sharing/test_conv2d.py` and `test_conv_im2col.py`
# (`Conv2d` and the pooling layers against naive loops and against their first implementation, every gradient by
# central differences, ties and NaN in max-pooling), `s7_09_tying_sharing/test_tying.py` (value and gradient by
# hand, central differences on both sides and with the data loss, `fit` pulling A towards a fixed B),
# `s7_10_sparse_representations/test_activity.py` (value and backward by hand, the layer and a whole model by
# central differences, training making the representation sparser, determinism) and
# `s7_10_sparse_representations/test_omp.py` (OMP against a brute-force search over supports, exact for
# orthonormal and incoherent dictionaries, the residual orthogonal to the chosen atoms along the greedy path).
