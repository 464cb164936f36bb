"""A shared representation h = f(x): a denoising autoencoder with a supervised head (§7.6).

The seed's slide: "semi-supervised learning usually refers to learning a
representation h = f(x)", on which examples of one class are close. Here
``f`` is the encoder of a denoising autoencoder (Vincent et al. 2008, on
the slide): it sees a corrupted input ``x~`` (a random fraction of the
pixels set to 0) and a decoder ``g`` must restore the clean ``x`` from
``h = f(x~)``. That loss needs no labels, so *all* the data -- labeled and
unlabeled -- trains ``f``. A classifier head ``c`` on ``h`` is trained on
the labeled part. The two losses are summed (§7.6: "one can construct
models in which a generative model of either P(x) or P(x, y) shares
parameters with a discriminative model of P(y | x)"):

    J = CE(c(f(x~_l)), y_l) + lambda * MSE(g(f(x~)), x)

with the cross-entropy averaged over a labeled batch and the squared error
over a batch of all the data (labeled and unlabeled).
"""
from ...core import checks

import numpy as np

from ...core.losses import MSELoss, SoftmaxCrossEntropy, check_labels
from ...core.module import Module
from ...core.optim import Adam
from ...training import Callback, fit
from ._input import check_ssl_data

__all__ = ["DenoisingAutoencoderClassifier"]


class DenoisingAutoencoderClassifier(Module):
    """Encoder ``f`` shared by a denoising decoder ``g`` (all data) and a classifier head ``c`` (labeled data) (§7.6).

    Parameters
    ----------
    encoder : Module
        ``h = f(x)``, e.g. ``nr.Sequential(nr.Flatten(), nr.Linear(784, 128), nr.ReLU())``.
    decoder : Module
        ``x^ = g(h)`` with the flattened input's width, e.g.
        ``nr.Sequential(nr.Linear(128, 784), nr.Sigmoid())``.
    head : Module
        Logits ``c(h)``, e.g. ``nr.Linear(128, 10)``.
    corruption : float, default 0.3
        The fraction ``nu`` of input components set to 0 in ``x~`` (masking
        noise, Vincent et al. 2008), in [0, 1).
    lam : float, default 1.0
        ``lambda``, weight of the reconstruction loss, ``>= 0`` (0: the
        supervised classifier alone, with masking noise on its input).
    seed : int or None, default None
        Seed of the corruption's generator; with ``reseed(seed)`` also of
        every layer (``fit`` does not reseed).

    Notes
    -----
    ``forward(x)`` is the classifier ``c(f(x))`` on the clean input (no
    corruption, in any mode), so ``nr.predict`` and ``nr.evaluate`` work on
    this model as on any classifier.

    ``objective(X_l, y_l, X_all)`` computes ``J`` on one step's batches:
    the labeled batch and the batch of all data are stacked, corrupted,
    and encoded in one pass; the decoder sees every row (labeled rows are
    data too), the head the labeled rows. ``backward()`` then sums the two
    gradients at ``h``,

        dJ/dh = lambda dMSE/dh + [dCE/dh on the labeled rows; 0 elsewhere],

    and back-propagates once through the encoder. Checked by finite
    differences in ``tests/regularize/s7_06_semi_supervised/test_semisupervised.py``.

    References
    ----------
    Vincent, Larochelle, Bengio & Manzagol (2008), "Extracting and composing robust features with
    denoising autoencoders", ICML.
    Ranzato & Szummer (2008), "Semi-supervised learning of compact document representations with
    deep networks", ICML.
    Goodfellow, Bengio & Courville (2016), *Deep Learning*, §7.6.
    """

    def __init__(self, encoder, decoder, head, corruption=0.3, lam=1.0, seed=None):
        for name, m in (("encoder", encoder), ("decoder", decoder), ("head", head)):
            checks.instance(name, m, Module, "a numreg Module")
        self.encoder, self.decoder, self.head = encoder, decoder, head
        self.corruption = checks.probability("corruption", corruption)
        self.lam = checks.nonnegative("lam", lam)
        self.rng = checks.generator("seed", seed)
        self.ce, self.mse = SoftmaxCrossEntropy(), MSELoss()
        self.training = True

    def reseed(self, seed):
        """Re-draw every layer's parameters and generators, and the corruption's, from ``seed``. Returns self."""
        root = checks.generator("seed", seed)
        for m in (self.encoder, self.decoder, self.head):
            if hasattr(m, "reseed"):
                m.reseed(int(root.integers(2**63)))
            elif hasattr(m, "reset_parameters"):
                m.reset_parameters(root)
        self.rng = root.spawn(1)[0]
        return self

    def _modules(self):
        return (self.encoder, self.decoder, self.head)

    def named_children(self):
        """``encoder``, ``decoder`` and ``head``: parameters are named ``"encoder.<name>"`` and so on."""
        return list(zip(("encoder", "decoder", "head"), self._modules()))

    # -- the classifier ---------------------------------------------------------------

    def forward(self, x):
        """Logits ``c(f(x))`` of the clean input: (n, classes)."""
        self._mode = "classify"
        return self.head.forward(self.encoder.forward(x))

    def backward(self, dy, input_grad=True):
        """Back-propagate ``dJ/d logits`` of ``forward`` (the classifier alone)."""
        if getattr(self, "_mode", None) != "classify":
            raise RuntimeError("backward(dy) follows forward(x); after objective(...) call backward() without dy")
        dh = self.head.backward(dy)
        return self.encoder.backward(dh, input_grad=input_grad) if hasattr(self.encoder, "layers") else \
            self.encoder.backward(dh)

    # -- the semi-supervised objective ----------------------------------------------------

    def corrupt(self, x):
        """Masking noise: each component set to 0 with probability ``corruption`` (no rescaling)."""
        if self.corruption == 0.0:
            return x
        keep = self.rng.random(x.shape, dtype=np.float32 if x.dtype == np.float32 else np.float64) >= self.corruption
        return x * keep

    def objective(self, X_l, y_l, X_all):
        """``J = CE(c(f(x~_l)), y_l) + lambda MSE(g(f(x~)), x)`` on one step's batches; keeps what ``backward`` needs.

        Parameters
        ----------
        X_l : ndarray, (m, ...)
            A batch of labeled inputs.
        y_l : ndarray of int, (m,)
        X_all : ndarray, (b, ...)
            A batch of all the data (unlabeled, and labeled too).

        Returns
        -------
        J : float
            Also kept: ``self.losses = (CE, MSE)``.
        """
        self._mode = "objective"
        m = len(X_l)
        X = np.concatenate([X_l, X_all])
        target = X.reshape(len(X), -1)
        h = self.encoder.forward(self.corrupt(X))
        ce = self.ce.forward(self.head.forward(h[:m]), y_l)
        mse = self.mse.forward(self.decoder.forward(h), target)
        self._m = m
        self.losses = (ce, mse)
        return ce + self.lam * mse

    def backward_objective(self, input_grad=False):
        """Gradient of the last ``objective``: into every parameter's ``.grad``; ``dJ/dx~`` if ``input_grad``."""
        if getattr(self, "_mode", None) != "objective":
            raise RuntimeError("backward_objective() needs objective(...) first")
        dh = self.decoder.backward(self.mse.backward() * self.lam)
        dh[:self._m] += self.head.backward(self.ce.backward())
        if hasattr(self.encoder, "layers"):
            return self.encoder.backward(dh, input_grad=input_grad)
        dx = self.encoder.backward(dh)
        return dx if input_grad else None

    def fit(self, X_labeled, y_labeled, X_unlabeled, optimizer=None, epochs=10, batch_size=128,
            labeled_batch_size=32, valid=None, seed=None, verbose=False, callbacks=(), **fit_options):
        """Train on ``J`` through ``nr.fit``, with two batches per step.

        An epoch is one pass over all the data (labeled and unlabeled) in
        batches of ``batch_size``; each step also draws ``labeled_batch_size``
        labeled examples (the few labels are recycled many times per epoch).
        The step (a ``train_step`` of ``nr.fit``, :class:`DenoisingStep`) is::

            optimizer.zero_grad()
            loss = model.objective(x_labeled, y_labeled, x_all)
            model.backward_objective()
            optimizer.step()

        so penalties, constraints, callbacks (early stopping on the
        validation loss) and checkpoints all apply.

        Parameters
        ----------
        X_labeled, y_labeled, X_unlabeled : ndarray
            As in the other semi-supervised methods of §7.6.
        optimizer : Optimizer or None, default None
            None: ``nr.Adam(model.parameters(), lr=1e-3)``.
        epochs : int, default 10
        batch_size : int, default 128
        labeled_batch_size : int, default 32
            Labeled examples per step (at most all of them).
        valid : (X, y) or None, default None
            Classification loss and accuracy after each epoch.
        seed : int or None, default None
            Seed of the batch order (and, spawned from it, of the labeled draws).
        verbose : bool, default False
        callbacks : sequence, default ()
            As ``nr.fit``'s.
        **fit_options
            Anything else ``nr.fit`` takes (``penalties``, ``checkpoint``, ...).

        Returns
        -------
        History
            ``train_loss`` (``J``), plus ``task_train_loss``: per epoch ``[CE, MSE]``
            (means over the epoch's steps).
        """
        X_l, y_l, X_u, n_classes = check_ssl_data(X_labeled, y_labeled, X_unlabeled)
        labeled_batch_size = checks.count("labeled_batch_size", labeled_batch_size)
        dtype = self.parameters()[0].data.dtype
        shape = np.shape(X_labeled)[1:]
        X_l = X_l.astype(dtype, copy=False).reshape((len(X_l),) + shape)
        X_all = np.concatenate([X_l, X_u.astype(dtype, copy=False).reshape((len(X_u),) + shape)])
        y_l = check_labels(y_l, len(X_l), self.eval().forward(X_l[:1]).shape[1], "y_labeled")
        if optimizer is None:
            optimizer = Adam(self.parameters(), lr=1e-3)
        seed = checks.seed("seed", seed)
        callbacks = checks.sequence("callbacks", callbacks)
        draws = np.random.SeedSequence(seed).spawn(1)[0] if seed is not None else None
        step = DenoisingStep(X_l, y_l, labeled_batch_size, seed=draws)
        return fit(self, self.ce, optimizer, (X_all, None), valid=valid, epochs=epochs, batch_size=batch_size,
                   seed=seed, verbose=verbose, train_step=step, callbacks=[step, *callbacks], **fit_options)

    def __repr__(self):
        return f"DenoisingAutoencoderClassifier(corruption={self.corruption}, lam={self.lam})"


class DenoisingStep(Callback):
    """The step of :meth:`DenoisingAutoencoderClassifier.fit`: ``J`` on a batch of all the data plus labeled draws.

    A ``train_step`` for ``nr.fit``: ``data`` is a batch of all the data
    (fit's shuffled batches); the step adds ``labeled_batch_size`` labeled
    examples drawn without replacement and returns ``(logits, J)``. As a
    callback it records ``task_train_loss``, ``[CE, MSE]`` per epoch.

    Parameters
    ----------
    X_labeled : ndarray, (m, ...)
    y_labeled : ndarray of int, (m,)
    labeled_batch_size : int
        Labeled examples per step (at most ``m``).
    seed : int, SeedSequence or None, default None
        Seed of the labeled draws.
    """

    def __init__(self, X_labeled, y_labeled, labeled_batch_size, seed=None):
        self.X_l, self.y_l = X_labeled, y_labeled
        self.mb = min(int(labeled_batch_size), len(X_labeled))
        self.rng = checks.generator("seed", seed)

    def generators(self):
        return [self.rng]

    def train_step(self, model, criterion, data, target):
        li = self.rng.choice(len(self.X_l), size=self.mb, replace=False)
        loss = model.objective(self.X_l[li], self.y_l[li], data)
        model.backward_objective()
        self.parts += model.losses
        self.steps += 1
        return None, loss

    def on_train_begin(self, state):
        if not hasattr(state.history, "task_train_loss"):
            state.history.task_train_loss = []
        self.parts, self.steps = np.zeros(2), 0

    def on_epoch_end(self, state):
        state.history.task_train_loss.append((self.parts / max(self.steps, 1)).tolist())
        self.parts, self.steps = np.zeros(2), 0
