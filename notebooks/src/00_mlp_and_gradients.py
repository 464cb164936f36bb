# Source of notebooks/00_mlp_and_gradients.ipynb -- edit here, then: python notebooks/build.py 00

# %% [markdown]
# # 00 · The multilayer perceptron and its gradients
#
# Chapter 7 of *Deep Learning* (Goodfellow, Bengio & Courville) is about regularizing networks trained by
# gradient descent. Every technique in it changes either the objective $J$ or the way its gradient
# $\nabla_\theta J$ is used, so before any of them we need a network whose gradient we **know** is right.
#
# numreg's network is the seed lecture's PyTorch `Net` (784-128-128-10, ReLU, dropout 0.5), with one
# difference: there is no autograd. Each layer has a `backward` written by hand, and the claim of this
# notebook is that each of them is the exact derivative of its `forward`, which we check numerically,
# the way every test of numreg does.
#
# *Runs in a few seconds on two cores, on the embedded data (generated in code, no download).*

# %%
%matplotlib inline
import numpy as np
from matplotlib.figure import Figure
import numreg as nr

# %% [markdown]
# ## The data
#
# `nr.data.load_font_digits` draws MNIST-shaped digits (28×28, float32 in $[0, 1]$, ten balanced classes)
# from the fonts matplotlib ships, distorted at random: a data set that needs no network. We use small
# sub-samples everywhere in these notebooks so that each runs in seconds.
#
# **On MNIST or Fashion-MNIST** replace the next line by `nr.data.load_mnist()` or
# `nr.data.load_fashion_mnist()` (the README says how to get the files); everything below runs unchanged.

# %%
(X, y), (X_test, y_test) = nr.data.load_font_digits(n_train=5000, n_test=1000, seed=0)
print(X.shape, X.dtype, y.shape, "labels", np.bincount(y))

fig = Figure(figsize=(9, 2.2), layout="constrained")
for i, ax in enumerate(fig.subplots(2, 10).flat):
    ax.imshow(X[i], cmap="gray_r", vmin=0, vmax=1)
    ax.set_title(str(y[i]), fontsize=9)
    ax.axis("off")
fig

# %% [markdown]
# ## The seed's network, layer by layer
#
# The seed notebook's `Net.forward` flattens the image, then applies `fc1`, ReLU, dropout, `fc2`, ReLU,
# dropout, `fc3`. In numreg the same network is a `Sequential` (and `nr.mlp(seed=0)` builds it in one call):

# %%
model = nr.Sequential(
    nr.Flatten(),                                            # x = x.view(-1, 28 * 28)
    nr.Linear(28 * 28, 128), nr.ReLU(), nr.Dropout(0.5),     # x = self.dropout(F.relu(self.fc1(x)))
    nr.Linear(128, 128), nr.ReLU(), nr.Dropout(0.5),         # x = self.dropout(F.relu(self.fc2(x)))
    nr.Linear(128, 10),                                      # x = self.fc3(x)
    seed=0)
print(model)
print("parameters:", sum(p.size for p in model.parameters()))

# %% [markdown]
# ## The backward pass, by hand
#
# For a batch $x$ of $n$ rows, each layer maps its input to its output and, given
# $\delta = \partial J / \partial(\text{output})$, returns $\partial J / \partial(\text{input})$ and adds the
# gradients of its parameters:
#
# | layer | forward | backward |
# |---|---|---|
# | `Linear` | $a = xW + b$ | $\nabla_W J \mathrel{+}= x^\top \delta,\quad \nabla_b J \mathrel{+}= \sum_i \delta_i,\quad \partial J/\partial x = \delta W^\top$ |
# | `ReLU` | $h = \max(0, a)$ | $\partial J/\partial a = \delta \odot [a > 0]$ |
# | `Dropout(p)` | $h = m \odot a / (1 - p)$, $m_j \sim \text{Bernoulli}(1 - p)$ | $\partial J/\partial a = m \odot \delta / (1 - p)$ (same mask) |
# | `SoftmaxCrossEntropy` | $J = -\frac1n \sum_i \log \operatorname{softmax}(z_i)_{y_i}$ | $\partial J/\partial z = \big(\operatorname{softmax}(z) - \operatorname{onehot}(y)\big)/n$ |
#
# One training step is the seed's step, with `loss.backward()` replaced by the one extra line
# `model.backward(criterion.backward())`:

# %%
criterion = nr.SoftmaxCrossEntropy()
optimizer = nr.Adam(model.parameters())

data, target = X[:256], y[:256]
model.train()
optimizer.zero_grad()
output = model(data)
loss = criterion(output, target)
model.backward(criterion.backward())     # PyTorch: loss.backward()
print(f"loss before the step: {loss:.5f}  (log 10 = {np.log(10):.5f}: the untrained net guesses)")

# the last layer's gradient, from the table: x^T delta with delta = (softmax(z) - onehot(y)) / n
delta = (nr.softmax(output) - np.eye(10)[target]) / len(target)
by_hand = model[-1].x.T @ delta
print("max |dW3 - x^T delta| =", np.abs(model[-1].W.grad - by_hand).max())

optimizer.step()
model.eval()
print(f"loss after one Adam step: {criterion(model(data), target):.5f}")

# %% [markdown]
# ## Checking a gradient: central differences
#
# For any scalar $f$ of a parameter vector $\theta$,
#
# $$\frac{\partial f}{\partial \theta_i} \approx \frac{f(\theta + h e_i) - f(\theta - h e_i)}{2h},$$
#
# with an error $O(h^2)$ (the $h^2$ term of the Taylor expansion cancels; a one-sided difference
# $\big(f(\theta + h e_i) - f(\theta)\big)/h$ is only $O(h)$). Too small an $h$, though, and the rounding error
# of $f$, about $\epsilon_{\text{mach}}|f|/h$, takes over. The figure measures both on a small network, in
# float64 and float32: in float64 the best central difference agrees with the hand-written backward to
# about $10^{-10}$, which is why numreg's tests check gradients in float64 with a bound of $10^{-7}$.

# %%
rng = np.random.default_rng(0)
xs, ys = rng.standard_normal((8, 20)), rng.integers(0, 5, 8)


def error_against_h(dtype, hs, one_sided=False):
    small = nr.mlp(in_features=20, hidden=(16, 16), out_features=5, dropout=0.0, seed=1).astype(dtype)
    small.eval()
    loss_fn = nr.SoftmaxCrossEntropy()
    W = small[1].W                        # the first Linear's weights, 20 x 16
    W.grad[...] = 0
    loss_fn(small(xs.astype(dtype)), ys)
    small.backward(loss_fn.backward())
    analytic = W.grad.astype(np.float64)
    f = lambda: loss_fn(small(xs.astype(dtype)), ys)
    errors = []
    for h in hs:
        if one_sided:
            f0, num = f(), np.zeros(W.shape)
            flat = W.data.reshape(-1)
            for i in range(flat.size):
                old = flat[i]
                flat[i] = old + h
                num.flat[i] = (f() - f0) / h
                flat[i] = old
        else:
            num = nr.gradcheck.numerical_gradient(f, W.data, h=h)
        errors.append(np.linalg.norm(num - analytic) / np.linalg.norm(analytic))
    return np.array(errors)


hs = np.logspace(-11, -1, 11)
curves = {"central, float64": error_against_h(np.float64, hs),
          "one-sided, float64": error_against_h(np.float64, hs, one_sided=True),
          "central, float32": error_against_h(np.float32, hs)}

fig = Figure(figsize=(6.4, 4), layout="constrained")
ax = fig.subplots()
for (label, err), color, marker in zip(curves.items(), nr.plots.PALETTE, "os^"):
    ax.loglog(hs, err, marker=marker, color=color, label=label)
ax.axhline(1e-7, color="grey", linestyle=":", label="numreg's test bound 1e-7")
ax.set_xlabel("step h")
ax.set_ylabel("relative error  ||numerical - backward|| / ||backward||")
ax.set_title("Finite differences against the hand-written backward")
ax.legend()
best = {k: (hs[v.argmin()], v.min()) for k, v in curves.items()}
for k, (h, e) in best.items():
    print(f"{k:20s} best h = {h:.0e}, relative error {e:.1e}")
fig

# %% [markdown]
# ## Every layer and the whole network
#
# `nr.gradcheck.check_layer(layer, x)` compares a layer's input and parameter gradients with central
# differences of $L = \sum (\text{forward}(x) \odot r)$ for a fixed random $r$; random layers (dropout,
# Gaussian noise) have their generator rewound before each evaluation, so every evaluation sees the
# **same** mask. `check_model` does the same for a model and its loss. Each number is the largest
# relative error over all entries.

# %%
x = rng.standard_normal((6, 5))
checks = {
    "Linear(5, 4)": nr.gradcheck.check_layer(nr.Linear(5, 4, seed=0), x),
    "ReLU": nr.gradcheck.check_layer(nr.ReLU(), x + np.sign(x) * 1e-2),   # keep away from the kink at 0
    "Tanh": nr.gradcheck.check_layer(nr.Tanh(), x),
    "Sigmoid": nr.gradcheck.check_layer(nr.Sigmoid(), x),
    "Dropout(0.5), mask replayed": nr.gradcheck.check_layer(nr.Dropout(0.5, seed=0), x),
    "GaussianNoise(0.3), noise replayed": nr.gradcheck.check_layer(nr.GaussianNoise(0.3, seed=0), x),
    "small MLP + cross-entropy, dropout on": nr.gradcheck.check_model(
        nr.mlp(20, (16, 16), 5, dropout=0.5, seed=1).astype(np.float64), nr.SoftmaxCrossEntropy(), xs, ys),
    "seed network 784-128-128-10 (20 random directions)": nr.gradcheck.check_model(
        nr.mlp(seed=0).astype(np.float64), nr.SoftmaxCrossEntropy(),
        X[:8].astype(np.float64), y[:8], directions=20),
}
for name, err in checks.items():
    print(f"{name:52s} {err:.1e}  {'ok' if err < 1e-7 else 'FAILED'}")

# %% [markdown]
# ## The check has teeth
#
# A check that always passes proves nothing. Here is a `Linear` whose backward forgets the bias gradient,
# a plausible slip. The gradient of $W$ is still right, but the check of the whole model fails by many
# orders of magnitude:

# %%
class ForgetfulLinear(nr.Linear):
    def backward(self, dy, input_grad=True):
        self.W.grad += self.x.T @ dy               # right
        return dy @ self.W.data.T if input_grad else None   # ... but no  b.grad += dy.sum(axis=0)


buggy = nr.Sequential(ForgetfulLinear(20, 16), nr.ReLU(), nr.Linear(16, 5), seed=1).astype(np.float64)
print(f"relative error with the bias term missing: {nr.gradcheck.check_model(buggy, nr.SoftmaxCrossEntropy(), xs, ys):.2f}")

# %% [markdown]
# ## A few epochs of the seed's training
#
# With its gradients checked, the network learns. `nr.fit` is the seed's `train_model` loop (notebook 08
# writes it out line for line) and prints the seed's log; `nr.plots.loss_curves` is the seed's last figure.
# Three epochs on 4,000 images are enough to see both losses fall.

# %%
train, valid = nr.data.train_valid_split(X, y, valid_fraction=0.2, seed=0)
model = nr.mlp(seed=0)
optimizer = nr.Adam(model.parameters())
history = nr.fit(model, criterion, optimizer, train, valid, epochs=3, batch_size=256, seed=0)
test_loss, test_accuracy = nr.evaluate(model, criterion, X_test, y_test)
print(f"test loss {test_loss:.4f}, test accuracy {test_accuracy:.3f}")
nr.plots.loss_curves(history, title="the seed network, 3 epochs")

# %% [markdown]
# **Takeaway.** Every layer's backward agrees with central differences to ~$10^{-10}$ in float64; a missing
# term gives an error of order 1. numreg's tests apply this check to every layer, loss, penalty and noise
# source of the following notebooks (`tests/core/test_layers.py`, `tests/core/test_model.py`, `tests/core/test_losses.py`),
# and `python -m numreg gradcheck` prints the table above from the command line.
