"""Prechelt's study, small: which stopping criterion, at what cost? (§7.8; Prechelt 1998)

Many independent training runs -- several problems (sub-samples of 200 and
1000 images of the embedded font digits and of Fashion-MNIST, and two
regression tasks of ``nr.analysis.make_correlated_regression``), three
architectures per kind of problem, many seeds -- each trained for a fixed
budget of epochs while its per-epoch training loss ``E_tr`` and validation
loss ``E_va`` are recorded, and its test loss and test error at every new
minimum of ``E_va`` (the only epochs a criterion can choose). As Prechelt:
full-batch RPROP (``nr.Rprop``, eta+ = 1.1, eta- = 0.5) and squared error,
on one-hot targets for classification (``--optimizer adam``, ``--loss ce``
for the usual setting). The validation sets are small (50 or 100 images, 20
or 30 regression examples) so that the curves are noisy enough for the
criteria to disagree; the report counts how often they did.

Every criterion (GL1, GL2, GL3, GL5; PQ0.5, PQ1, PQ2; UP2, UP3, UP4; and
patience) is then applied to each recorded run, as Prechelt did: a
criterion's stopping epoch is ``criterion.first_stop(E_tr, E_va)`` (the same
epoch ``nr.EarlyStopping(criterion=...)`` stops ``nr.fit`` at, which the
script checks on one run), and its network is the one with the lowest
validation loss up to that epoch (``restore_best``).

Per criterion the table gives, in the form of Prechelt's table:

- training time: mean epochs until the stop, and the mean ratio to the
  fastest ("slowness", as Prechelt's tables) and to the slowest criterion's
  time on the same run;
- generalization: the mean test loss (squared error) and test error of the
  chosen network relative to those at the best stopping point in hindsight
  (the epoch of lowest validation loss over the whole budget), and how often
  it was at least as good.

Prechelt found that slower criteria buy about 4% lower generalization error
for about 4 times the training time (1296 runs, 12 problems, 24
architectures). GL criteria can fire in the first epochs, while full-batch RPROP's steps still grow and E_va
jumps; the report gives how often, and the table again with stops in the first ``WARMUP`` = 20 epochs
ignored (post hoc, on the same records). The runs are a study (``numreg.study``): every problem x
architecture x seed, recorded in ``--out`` as it finishes, so an interrupted
study resumes, and spread over a process pool or a Dask cluster. The
criteria's table also goes to ``<out>/criteria.json``.

    python experiments/prechelt.py --seeds 20 --workers 2   # 360 runs, about 12 min on 2 loaded cores
    python experiments/prechelt.py --quick                  # a few seconds
    python experiments/prechelt.py --problems data --data fashion-mnist --loss ce --optimizer adam
    python experiments/prechelt.py --executor dask --scheduler tcp://scheduler:8786
"""
import json
import os

# Small matrices: one BLAS thread per process (set before numpy loads); the runs, not the
# matrix products, share the cores. An explicit setting in the environment is kept.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

import numreg as nr  # noqa: E402
from numreg import study as st  # noqa: E402
from numreg.study import cli  # noqa: E402

CRITERIA = [nr.GL(1), nr.GL(2), nr.GL(3), nr.GL(5), nr.PQ(0.5), nr.PQ(1), nr.PQ(2), nr.UP(2), nr.UP(3), nr.UP(4),
            nr.Patience(10)]


REGRESSION = "regression"      # nr.analysis.make_correlated_regression, not a data set of nr.data


def problem_data(config):
    """``(train, valid, test)`` of a run: disjoint random sub-samples fixed by the problem (not the seed).

    Images: ``n_train`` training and ``n_valid`` validation images drawn from the training set, and
    ``n_test`` test images. Regression: ``nr.analysis.make_correlated_regression`` with ``d`` features,
    correlation ``rho`` and noise 1, one draw split into the three parts.
    """
    n, nv, nt = config["n_train"], config["n_valid"], config["n_test"]
    if config["data"] == REGRESSION:
        X, y, _ = nr.analysis.make_correlated_regression(n + nv + nt, d=config["d"], rho=config["rho"],
                                                         noise=1.0, seed=config["d"] + n)
        X, y = X.astype(np.float32), y.astype(np.float32).reshape(-1, 1)
        return (X[:n], y[:n]), (X[n:n + nv], y[n:n + nv]), (X[n + nv:], y[n + nv:])
    (X, y), (Xt, yt) = st.dataset(config["data"], 6000 if config["data"] == "font-digits" else None, 2000)
    idx = np.random.default_rng(n + 7919 * nv).permutation(len(X))[: n + nv]
    tr, va = idx[:n], idx[n:]
    return (X[tr], y[tr]), (X[va], y[va]), (Xt[:nt], yt[:nt])


def _one_hot(y):
    out = np.zeros((len(y), 10), np.float32)
    out[np.arange(len(y)), y] = 1.0
    return out


def _targets(config, y):
    """Squared error on classification (as Prechelt): one-hot targets; otherwise the labels."""
    return _one_hot(y) if config["loss"] == "mse" and config["data"] != REGRESSION else y


def _loss(config):
    return nr.MSELoss() if config["loss"] == "mse" else nr.SoftmaxCrossEntropy()


class _Test(nr.Callback):
    """Record the test loss and test error whenever the validation loss reaches a new minimum.

    Only such epochs can be chosen (the network kept is the one of lowest validation loss up to the
    stop), so the test set is evaluated there alone; the other epochs get None. The test error is the
    classification error (1 - accuracy) on images and the test squared error on regression.
    """

    def __init__(self, config, X, y):
        self.config, self.X, self.y, self.losses, self.errors = config, X, y, [], []
        self.best = np.inf
        self.criterion = _loss(config)

    def on_epoch_end(self, state):
        va = state.history.valid_loss[-1]
        if not va < self.best:
            self.losses.append(None)
            self.errors.append(None)
            return
        self.best = va
        out = nr.predict(state.model, self.X)
        loss = float(self.criterion.forward(out, _targets(self.config, self.y)))
        err = loss if self.config["data"] == REGRESSION else float(np.mean(out.argmax(axis=1) != self.y))
        self.losses.append(loss)
        self.errors.append(err)


def _model(config, seed):
    d_in = config["d"] if config["data"] == REGRESSION else 784
    d_out = 1 if config["data"] == REGRESSION else 10
    return nr.mlp(d_in, config["hidden"], d_out, dropout=0.0, activation=config.get("activation", "relu"),
                  seed=seed)


def _optimizer(config, model):
    if config["optimizer"] == "rprop":
        # Prechelt: RPROP (batch learning), eta+ = 1.1, eta- = 0.5
        return nr.Rprop(model.parameters(), lr=config["lr"], etas=(0.5, 1.1))
    return nr.Adam(model.parameters(), lr=config["lr"])


def _train(config, seeds, callbacks):
    (X, y), (Xv, yv), _ = problem_data(config)
    model = _model(config, seeds.model)
    batch = len(X) if config["optimizer"] == "rprop" else config["batch_size"]    # RPROP: full batch
    return nr.fit(model, _loss(config), _optimizer(config, model), (X, _targets(config, y)),
                  (Xv, _targets(config, yv)), epochs=config["epochs"], batch_size=batch, callbacks=callbacks,
                  seed=seeds.shuffle, verbose=False)


def run(config, seeds):
    """Train one run for its whole budget; its per-epoch losses and (at new validation minima) test errors."""
    _, _, (Xt, yt) = problem_data(config)
    test = _Test(config, Xt, yt)
    h = _train(config, seeds, [test])
    best = int(np.argmin(h.valid_loss))
    return {"train_loss": h.train_loss, "valid_loss": h.valid_loss, "test_loss": test.losses,
            "test_error": test.errors, "best_epoch": best + 1, "best_valid_loss": h.valid_loss[best],
            "test_error_at_best": test.errors[best]}


def _first_stop(criterion, tr, va, warmup=0):
    """``criterion.first_stop(tr, va)``, but ignoring a firing in the first ``warmup`` epochs."""
    if warmup == 0:
        return criterion.first_stop(tr, va)
    fires = np.nonzero(criterion.fires(tr, va)[warmup:])[0]
    return int(fires[0]) + warmup + 1 if len(fires) else None


def evaluate_criteria(records, criteria=CRITERIA, warmup=0):
    """Apply every criterion to every record.

    Returns ``{name: list of (stop epoch, test loss, test error, stopped)}``, one entry per run, and
    the per-run reference ``(test loss, test error)`` at the best stopping point in hindsight: the
    epoch of lowest validation loss over the whole budget. ``warmup``: a criterion firing in the first
    ``warmup`` epochs is not heard (the post-hoc sensitivity check of the report).
    """
    out = {c.name: [] for c in criteria}
    reference = []
    for r in records:
        tr, va = np.array(r["train_loss"], dtype=float), np.array(r["valid_loss"], dtype=float)
        tl, te = np.array(r["test_loss"], dtype=float), np.array(r["test_error"], dtype=float)
        best = int(np.argmin(va))
        reference.append((tl[best], te[best]))
        for c in criteria:
            t = _first_stop(c, tr, va, warmup)
            stopped = t is not None
            t = len(va) if t is None else t
            chosen = int(np.argmin(va[:t]))                # restore_best: theta* up to the stop
            out[c.name].append((t, tl[chosen], te[chosen], stopped))
    return out, np.array(reference)


def table(results, reference, criteria=CRITERIA):
    """Prechelt's table as text lines, and one summary dict per criterion."""
    times = {c.name: np.array([r[0] for r in results[c.name]], dtype=float) for c in criteria}
    stacked = np.stack(list(times.values()))
    fastest, slowest = np.min(stacked, axis=0), np.max(stacked, axis=0)
    rows = []
    for c in criteria:
        res = np.array([r[1:] for r in results[c.name]], dtype=float)    # test loss, test error, stopped
        rel_loss = res[:, 0] / reference[:, 0]
        rel_err = res[:, 1] / np.maximum(reference[:, 1], 1e-12)
        rows.append(dict(name=c.name, stopped=res[:, 2].mean(), epochs=times[c.name].mean(),
                         slowness=(times[c.name] / fastest).mean(), rel_slowest=(times[c.name] / slowest).mean(),
                         rel_loss=rel_loss.mean(), as_good=np.mean(res[:, 0] <= reference[:, 0]),
                         err=res[:, 1].mean(), rel_err=rel_err.mean()))
    head = (f"{'criterion':<11} {'stopped':>8} {'epochs':>7} {'slowness':>9} {'/slowest':>9} {'test loss rel.':>15}"
            f" {'as good':>8} {'test error':>11} {'error rel.':>11}")
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(f"{r['name']:<11} {r['stopped']:>8.0%} {r['epochs']:>7.1f} {r['slowness']:>9.2f} "
                     f"{r['rel_slowest']:>9.2f} {r['rel_loss']:>15.4f} {r['as_good']:>8.0%} {r['err']:>11.4g} "
                     f"{r['rel_err']:>11.4f}")
    return lines, rows


def noise(records, results, criteria=CRITERIA):
    """How noisy the validation curves are, and whether the criteria stop at different epochs.

    Per run: the local minima of E_va (epochs lower than both neighbours), the share of epochs after
    the hindsight best where E_va falls (0 for a curve rising smoothly after its minimum), and the
    number of distinct stopping epochs over the GL, PQ and UP criteria (patience left out).
    """
    names = [c.name for c in criteria if not c.name.startswith("patience")]
    minima, falls, distinct = [], [], []
    for i, r in enumerate(records):
        va = np.array(r["valid_loss"], dtype=float)
        minima.append(int(np.sum((va[1:-1] < va[:-2]) & (va[1:-1] < va[2:]))))
        after = np.diff(va[int(np.argmin(va)):])
        falls.append(float(np.mean(after < 0)) if len(after) else 0.0)
        distinct.append(len({results[n][i][0] for n in names}))
    return {"local_minima_median": float(np.median(minima)), "local_minima_mean": float(np.mean(minima)),
            "falls_after_best": float(np.mean(falls)), "distinct_stops_mean": float(np.mean(distinct)),
            "runs_with_distinct_stops": int(np.sum(np.array(distinct) > 1)), "runs": len(records),
            "criteria_compared": len(names)}


def tradeoff(rows, k=3):
    """The ``k`` fastest against the ``k`` slowest criteria: time ratio and relative gains."""
    by_time = sorted(rows, key=lambda r: r["slowness"])
    fast, slow = by_time[:k], by_time[-k:]
    m = lambda rs, key: float(np.mean([r[key] for r in rs]))   # noqa: E731
    return {"fast": [r["name"] for r in fast], "slow": [r["name"] for r in slow],
            "time_ratio": m(slow, "slowness") / m(fast, "slowness"),
            "loss_gain": 1 - m(slow, "rel_loss") / m(fast, "rel_loss"),
            "error_gain": 1 - m(slow, "rel_err") / m(fast, "rel_err")}


def check_fit_agrees(env, criterion):
    """Re-train one run with ``EarlyStopping(criterion=...)`` and check it stops where the post-hoc analysis says."""
    config, record = env["config"], env["record"]
    # the post-hoc analysis reads the History's running train_loss, so the callback must see the same
    es = nr.EarlyStopping(criterion=criterion, train_error="running")
    h = _train(config, st.run_seeds(env["seed"]), [es])
    expect = criterion.first_stop(record["train_loss"], record["valid_loss"]) or config["epochs"]
    return h.epochs, expect


IMAGE_SETS = ("font-digits", "fashion-mnist")
WARMUP = 20          # epochs of the report's sensitivity check: stops before it ignored

PRECHELT = ("Prechelt (1998), abstract, as in the seed file: 1296 training runs, 12 problems, 24 architectures; "
            "\"slower stopping criteria allow for small improvements in generalization (here: about 4% on "
            "average), but cost *much* more training time (here: about factor 4 longer on average)\"")


def problems(args):
    """The problems: ``(data, n_train, n_valid, extra)``. Small validation sets keep the curves noisy."""
    images = IMAGE_SETS if args.problems == "all" else (args.data,)
    if args.quick:
        out = [(images[0], 200, 50, {})]
        if args.problems == "all":
            out.append((REGRESSION, 40, 20, {"d": 8, "rho": 0.8}))
        return out
    out = [(d, n, nv, {}) for d in images for n, nv in ((200, 50), (1000, 100))]
    if args.problems == "all":
        out += [(REGRESSION, 40, 20, {"d": 8, "rho": 0.8}), (REGRESSION, 100, 30, {"d": 32, "rho": 0.5})]
    return out


def make_study(args):
    """The runs: every problem x architecture x seed, a fixed budget of epochs each."""
    configs = []
    for data, n, nv, extra in problems(args):
        reg = data == REGRESSION
        if args.quick:
            archs = [(8,)] if reg else [(16,)]
        else:
            archs = [(8,), (32,), (16, 16)] if reg else [(16,), (64,), (32, 32)]
        epochs = args.epochs or (100 if args.quick else 500)
        lr = args.lr or (0.01 if args.optimizer == "rprop" else 3e-3)
        for h in archs:
            configs.append({"data": data, "n_train": n, "n_valid": nv, "n_test": 1000, **extra, "hidden": list(h),
                            "epochs": epochs, "loss": args.loss, "optimizer": args.optimizer, "batch_size": 64,
                            "lr": lr})
    return st.Study("prechelt", run, configs, seeds=args.seeds)


def add_arguments(parser):
    g = parser.add_argument_group("Prechelt's setting")
    g.add_argument("--problems", choices=("all", "data"), default="all",
                   help="all: subsets of the font digits and of Fashion-MNIST, and two regression tasks "
                        "(default); data: only subsets of --data")
    g.add_argument("--loss", choices=("mse", "ce"), default="mse",
                   help="mse: squared error, on one-hot targets for classification, as Prechelt (default); "
                        "ce: softmax cross-entropy (regression is always squared error)")
    g.add_argument("--optimizer", choices=("rprop", "adam"), default="rprop",
                   help="rprop: full-batch nr.Rprop with eta+ = 1.1, eta- = 0.5, as Prechelt (default); "
                        "adam: mini-batches of 64")
    g.add_argument("--epochs", type=int, default=None, help="budget of every run (default 500; --quick 100)")
    g.add_argument("--lr", type=float, default=None, help="initial RPROP step / Adam rate (default 0.01 / 3e-3)")


def _by(records, key):
    groups = {}
    for i, e in enumerate(records):
        groups.setdefault(key(e["config"]), []).append(i)
    return groups


def report(result, args):
    """Prechelt's table from the recorded runs, and the check that nr.fit stops where the analysis says."""
    records = [e["record"] for e in result.records]
    if not records:
        return
    results, reference = evaluate_criteria(records)
    lines, rows = table(results, reference)
    loss = "squared error" if args.loss == "mse" else "cross-entropy (squared error on regression)"
    opt = "full-batch RPROP (eta+ 1.1, eta- 0.5)" if args.optimizer == "rprop" else "Adam"
    probs = sorted({(e["config"]["data"], e["config"]["n_train"], e["config"]["n_valid"]) for e in result.records})
    archs = sorted({tuple(e["config"]["hidden"]) for e in result.records})
    print()
    print(f"Stopping criteria on {len(records)} runs: {len(probs)} problems (data, n_train, n_valid: "
          f"{'; '.join(f'{d} {n}/{v}' for d, n, v in probs)}), hidden layers {', '.join(map(str, archs))}; "
          f"{opt}, {loss}; E_va, E_tr: validation and training loss; strips of 5 epochs; patience = 10 epochs")
    print("stopped: share of runs where the criterion fired within the budget (else: stop at the budget);")
    print("slowness: epochs to stop / epochs of the fastest criterion on the same run (mean; Prechelt's tables);")
    print("/slowest: epochs to stop / epochs of the slowest criterion on the same run (mean);")
    print("test loss rel.: test loss of theta* (best validation loss up to the stop) / test loss at the best")
    print("  stopping point in hindsight (lowest validation loss over the whole budget), mean over runs;")
    print("as good: share of runs where it is <= that reference; test error: classification error of theta*")
    print("  (squared error on regression), and relative to the test error at the hindsight point")
    print()
    print("\n".join(lines))
    t = tradeoff(rows)
    print()
    print(f"The 3 fastest criteria ({', '.join(t['fast'])}) vs the 3 slowest ({', '.join(t['slow'])}): "
          f"{t['time_ratio']:.2f}x the training time for {100 * t['loss_gain']:+.1f}% lower test loss "
          f"({100 * t['error_gain']:+.1f}% lower test error).")
    print(f"  {PRECHELT}.")
    groups = {}
    for name, idx in [("images", [i for i, e in enumerate(result.records) if e["config"]["data"] != REGRESSION]),
                      ("regression", [i for i, e in enumerate(result.records) if e["config"]["data"] == REGRESSION])]:
        if idx and len(idx) < len(records):
            sub = {k: [v[i] for i in idx] for k, v in results.items()}
            _, r = table(sub, reference[idx])
            groups[name] = tradeoff(r)
            g = groups[name]
            print(f"  {name} alone ({len(idx)} runs): {g['time_ratio']:.2f}x the time for "
                  f"{100 * g['loss_gain']:+.1f}% lower test loss ({100 * g['error_gain']:+.1f}% lower test error)")
    nz = noise(records, results)
    print(f"Noise of the validation curves: median {nz['local_minima_median']:.0f} local minima of E_va per run "
          f"(mean {nz['local_minima_mean']:.1f}); after the best epoch E_va still fell in "
          f"{100 * nz['falls_after_best']:.0f}% of the epochs; the {nz['criteria_compared']} GL/PQ/UP criteria "
          f"stopped at {nz['distinct_stops_mean']:.1f} distinct epochs on average, and at more than one in "
          f"{nz['runs_with_distinct_stops']} of {nz['runs']} runs")
    early = {c.name: float(np.mean([r[0] <= WARMUP for r in results[c.name]])) for c in CRITERIA}
    w_results, _ = evaluate_criteria(records, warmup=WARMUP)
    w_lines, w_rows = table(w_results, reference)
    wt = tradeoff(w_rows)
    print()
    print(f"Share of runs where the criterion stopped within the first {WARMUP} epochs (RPROP's start, "
          f"E_va still jumping): " + ", ".join(f"{k} {v:.0%}" for k, v in early.items()))
    print(f"The same runs with every stop in the first {WARMUP} epochs ignored (post hoc, no new training):")
    print()
    print("\n".join(w_lines))
    print()
    print(f"With that warm-up: the 3 fastest ({', '.join(wt['fast'])}) vs the 3 slowest ({', '.join(wt['slow'])}): "
          f"{wt['time_ratio']:.2f}x the training time for {100 * wt['loss_gain']:+.1f}% lower test loss "
          f"({100 * wt['error_gain']:+.1f}% lower test error).")
    ok = [check_fit_agrees(result.records[0], c) for c in (nr.GL(2), nr.UP(3))]
    print(f"check: nr.fit with EarlyStopping(criterion=GL2 / UP3) on run 1 stops after epochs "
          f"{[a for a, _ in ok]}, the post-hoc analysis says {[b for _, b in ok]}")
    print(f"wall time of the training runs (summed over workers): {sum(e['wall_time'] for e in result.records):.0f} s")
    out = args.out or os.path.join("runs", "prechelt")
    summary = {"runs": len(records), "problems": [list(p) for p in probs], "architectures": [list(a) for a in archs],
               "optimizer": args.optimizer, "loss": args.loss, "criteria": rows, "tradeoff": t, "groups": groups,
               "noise": nz, "check_fit": ok, "prechelt": PRECHELT,
               "warmup": {"epochs": WARMUP, "early_stops": early, "criteria": w_rows, "tradeoff": wt}}
    with open(os.path.join(out, "criteria.json"), "w") as f:
        json.dump(summary, f, indent=1, default=float)
    print(f"wrote {os.path.join(out, 'criteria.json')}")
    return rows


def main(argv=None):
    return cli.main(make_study, argv, description=__doc__, add_arguments=add_arguments,
                    metrics=["best_epoch", "best_valid_loss", "test_error_at_best"], report=report, seeds=3)


if __name__ == "__main__":
    main()
