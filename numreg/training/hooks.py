"""The chapter's techniques as named hooks around one step of the seed's loop.

Each hook is one line of :func:`numreg.fit`'s step, and does nothing when
its technique is not in use::

    data = hooks.augment(data)            # §7.4: training batches only
    optimizer.zero_grad()
    hooks.perturb_weights()               # §7.5: W + epsilon_W for this presentation
    output = model(data) ...              # (or train_step: FGSM §7.13, VAT, tangent prop, ...)
    hooks.restore_weights()
    penalty = hooks.add_penalty_grads()   # alpha * grad Omega(theta) (Eq. 7.2)
    optimizer.step()
    hooks.after_step(optimizer.lr)        # proximal steps (Eq. 7.23), projections (§7.2)
"""


class StepHooks:
    """The techniques applied around each step of ``fit`` (all optional).

    Parameters
    ----------
    params : list of Parameter
        The model's parameters.
    penalties : list, default ()
        Objects with ``value(params)`` and ``add_grad(params)`` (``nr.L2``,
        ``nr.L1``, ...); those with ``prox(params, lr)`` also take a
        proximal step after the optimizer's.
    constraints : list, default ()
        Objects with ``project(params)`` (``nr.MaxNorm``, ``nr.NormBall``).
    augment : callable or None, default None
        ``augment(data) -> data`` for each training batch.
    weight_noise : object or None, default None
        With ``perturb(params)`` and ``restore(params)`` (``nr.WeightNoise``).
    train_step : object or None, default None
        With ``train_step(model, criterion, data, target) -> (output, loss)``,
        replacing the step's forward, loss and backward (``nr.FGSM``, ...).
    """

    def __init__(self, params, penalties=(), constraints=(), augment=None, weight_noise=None, train_step=None):
        self.params = params
        self.penalties = list(penalties)
        self.proxes = [pen for pen in self.penalties if hasattr(pen, "prox")]
        self.constraints = list(constraints)
        self._augment = augment
        self.weight_noise = weight_noise
        self.train_step = train_step

    def augment(self, data):
        """§7.4: a new, transformed batch (the data set itself is never changed)."""
        return data if self._augment is None else self._augment(data)

    def perturb_weights(self):
        """§7.5: add ``epsilon_W`` to the weights for this forward and backward pass."""
        if self.weight_noise is not None:
            self.weight_noise.perturb(self.params)

    def restore_weights(self):
        """§7.5: take ``epsilon_W`` off again; the gradient stays the one at ``W + epsilon_W``."""
        if self.weight_noise is not None:
            self.weight_noise.restore(self.params)

    def add_penalty_grads(self):
        """``grad += alpha grad Omega`` for every penalty (Eq. 7.2); returns ``sum alpha Omega``."""
        total = 0.0
        for pen in self.penalties:
            total += pen.value(self.params)
            pen.add_grad(self.params)
        return total

    def after_step(self, lr):
        """The proximal steps of L1 (Eq. 7.23), then the projections onto the constraints (§7.2)."""
        for pen in self.proxes:
            pen.prox(self.params, lr)
        for con in self.constraints:
            con.project(self.params)

    def random_sources(self):
        """``{name: object}`` of the hooks that may hold random generators (saved in checkpoints)."""
        return {"augment": self._augment, "weight_noise": self.weight_noise, "adversarial": self.train_step}
