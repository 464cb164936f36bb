# Source of notebooks/13_adversarial_training.ipynb -- edit here, then: python notebooks/build.py 10

# %% [markdown]
# # 10 · Adversarial training (§7.13)
#
# **The book's claims.** Networks that classify test data well can be fooled by an *adversarial example*: an
# input $\mathbf x'$ near a correctly classified $\mathbf x$, so near that a human sees no difference, to which the
# network gives another class (Szegedy et al. 2014). Goodfellow, Shlens & Szegedy (2015) argue that the main
# cause is excessive **linearity**: if the output is locally close to $\mathbf w^\top\mathbf x$, changing every input by
# at most $\epsilon$ in the direction $\operatorname{sign}(\mathbf w)$ changes it by $\epsilon\|\mathbf w\|_1$, which grows with the
# dimension, whereas random perturbations of the same size mostly cancel. The fast gradient sign method
# (FGSM) takes that direction for the loss:
#
# $$\mathbf x_{\text{adv}} = \mathbf x + \epsilon\,\operatorname{sign}\big(\nabla_{\mathbf x} J(\theta, \mathbf x, y)\big),$$
#
# and *adversarial training* trains on $\tilde J(\theta, \mathbf x, y) = \alpha J(\theta, \mathbf x, y) + (1 - \alpha) J(\theta, \mathbf x_{\text{adv}}, y)$,
# which encourages the function to be locally constant around the training data.
#
# numreg: `nr.fgsm(model, criterion, X, y, epsilon, clip=(0, 1))` computes $\nabla_{\mathbf x}J$ with the model's own
# hand-written backward pass (to the input) and returns $\mathbf x_{\text{adv}}$; `nr.fit(..., adversarial=nr.FGSM(epsilon))`
# trains on $\tilde J$ with $\alpha = 0.5$.
#
# *Runs in about 15 s on two cores.*
#
# **On MNIST or Fashion-MNIST:** change the loading line to `nr.data.load_mnist()` or `nr.data.load_fashion_mnist()` (the README says how to get the files); `python experiments/fgsm_adversarial_training.py --data fashion-mnist` runs the full comparison.

# %%
%matplotlib inline
import numpy as np
from matplotlib.figure import Figure
import numreg as nr

(X, y), (X_test, y_test) = nr.data.load_font_digits(n_train=5000, n_test=1000, seed=0)
X, y = X[:4000], y[:4000]
# MNIST / Fashion-MNIST: (X, y), (X_test, y_test) = nr.data.load_mnist()   (see the README)
criterion = nr.SoftmaxCrossEntropy()

# %% [markdown]
# ## The gradient to the input, checked
#
# FGSM needs $\nabla_{\mathbf x} J$, which `model.backward(criterion.backward(), input_grad=True)` returns. Against
# central differences on a small network in float64:

# %%
small = nr.mlp(12, (8,), 3, dropout=0.0, seed=0).astype(np.float64)
rng = np.random.default_rng(0)
x, labels = rng.standard_normal((4, 12)), rng.integers(0, 3, 4)
loss = criterion(small(x), labels)
dx = small.backward(criterion.backward(), input_grad=True)
numeric = nr.gradcheck.numerical_gradient(lambda: criterion(small(x), labels), x)
print(f"largest relative error of grad_x J: {nr.gradcheck.rel_error(dx, numeric):.1e}")

# %% [markdown]
# ## A trained network, attacked
#
# The seed network trained on 4,000 images, then attacked on the test set with FGSM (pixels kept in
# $[0, 1]$) and, for comparison, with *random* signs of the same size $\epsilon$: the same max-norm, but not aligned
# with the gradient.

# %%
plain = nr.mlp(seed=0)
nr.fit(plain, criterion, nr.Adam(plain.parameters()), (X, y), epochs=10, seed=0, verbose=False)
plain.eval()
epsilons = [0.0, 0.02, 0.05, 0.1, 0.15, 0.2]
signs = np.sign(np.random.default_rng(1).standard_normal(X_test.shape)).astype(np.float32)


def error_under_attack(model, epsilon):
    model.eval()
    X_adv = nr.fgsm(model, criterion, X_test, y_test, epsilon, clip=(0, 1))
    return 1 - nr.evaluate(model, criterion, X_adv, y_test)[1]


random_error = [1 - nr.evaluate(plain, criterion, np.clip(X_test + e * signs, 0, 1), y_test)[1] for e in epsilons]
fgsm_error = [error_under_attack(plain, e) for e in epsilons]
print(f"{'epsilon':>8} {'random signs':>13} {'FGSM':>8}")
for e, r, f in zip(epsilons, random_error, fgsm_error):
    print(f"{e:8.2f} {r:13.3f} {f:8.3f}")

# %% [markdown]
# Random perturbations of size $\epsilon = 0.1$ (a tenth of the pixel range) hardly matter; the same budget
# spent along the sign of the gradient wrecks the classifier. Some adversarial digits, with the network's
# answer before and after:

# %%
epsilon = 0.1
X_adv = nr.fgsm(plain, criterion, X_test[:8], y_test[:8], epsilon, clip=(0, 1))
before = nr.predict(plain, X_test[:8]).argmax(axis=1)
after = nr.predict(plain, X_adv).argmax(axis=1)
fig = Figure(figsize=(9, 2.6), layout="constrained")
axes = fig.subplots(2, 8)
for i in range(8):
    axes[0, i].imshow(X_test[i], cmap="gray_r", vmin=0, vmax=1)
    axes[0, i].set_title(f"says {before[i]}", fontsize=9)
    axes[1, i].imshow(X_adv[i], cmap="gray_r", vmin=0, vmax=1)
    axes[1, i].set_title(f"says {after[i]}", fontsize=9, color="k" if after[i] == y_test[i] else nr.plots.PALETTE[3])
    for ax in axes[:, i]:
        ax.axis("off")
fig.suptitle(f"Test digits (top) and their FGSM versions, epsilon = {epsilon} (bottom)")
fig

# %% [markdown]
# ## Adversarial training
#
# The same network trained on $\tilde J$ with `nr.FGSM(epsilon=0.1, alpha=0.5, clip=(0, 1))`: at each step the clean
# batch's gradient gives $\mathbf x_{\text{adv}}$, and the update follows $\frac12 J(\mathbf x) + \frac12 J(\mathbf x_{\text{adv}})$
# (about twice the cost of a plain step).

# %%
robust = nr.mlp(seed=0)
history = nr.fit(robust, criterion, nr.Adam(robust.parameters()), (X, y), epochs=10, seed=0, verbose=False,
                 adversarial=nr.FGSM(0.1, alpha=0.5, clip=(0, 1)))
robust_error = [error_under_attack(robust, e) for e in epsilons]
print(f"{'epsilon':>8} {'plain':>8} {'adversarially trained':>22}")
for e, a, b in zip(epsilons, fgsm_error, robust_error):
    print(f"{e:8.2f} {a:8.3f} {b:22.3f}")
nr.plots.adversarial_curves(epsilons, {"plain training": fgsm_error, "FGSM training, epsilon = 0.1": robust_error,
                                       "plain, random signs": random_error},
                            title="Test error under attack")

# %% [markdown]
# **Takeaway.** A perturbation of a tenth of the pixel range, invisible as noise, defeats the plain network when
# it is aligned with the gradient, as the linearity argument predicts. Adversarial training makes the network
# substantially more robust to it, though far from immune, and here it even lowers the error on clean images:
# the regularizing effect the book mentions. Note that the attack is computed against
# the model being tested (a "white-box" attack) with the same method it was trained against; stronger, iterated
# attacks are beyond this chapter.
#
# **Verified by** `tests/test_adversarial.py` (the input gradient by central differences, FGSM by hand and as the
# sign of the numerical gradient, the combined objective's gradient, `alpha = 1` being plain training bit for bit,
# adversarial training lowering the error under attack, the figure). Full table: `python experiments/fgsm_adversarial_training.py`
# (`--data fashion-mnist`); `python benchmarks/bench_fgsm.py` times an adversarial training step.
