"""The command line: ``python -m numreg train`` runs the seed notebook's experiment.

    python -m numreg train                      # embedded font digits, the seed's settings
    python -m numreg train --data fashion-mnist --out runs/fashion
    python -m numreg gradcheck                  # check every layer and loss, print a table
    python -m numreg data                       # where the real data sets are found

Every error is one line, ``error: ...`` naming the flag, on standard error,
with exit status 2 and no traceback (``--debug`` prints it). A run never
replaces an earlier run's files: ``train`` refuses an ``--out`` folder that
already holds them unless ``--overwrite`` (or ``--resume``, which continues
that run) is given.
"""
import argparse
import json
import os
import re
import sys
import time
import traceback

import numpy as np

from .core import checks

DATASETS = ("font-digits", "mnist", "fashion-mnist")
#: What ``train`` writes into ``--out``.
OUTPUTS = {"history.json": "the per-epoch losses and accuracies (nr.History)",
           "model.npz": "the weights of the restored best model",
           "checkpoint.npz": "EarlyStopping's best weights theta*, written at every improvement",
           "loss.png": "the loss curves",
           "summary.json": "data set, epochs run, best epoch, stop reason, seconds, test loss and accuracy"}


class CommandLineError(Exception):
    """An error of the command line's use (a flag's value, a file): printed as one ``error:`` line."""


class Parser(argparse.ArgumentParser):
    """argparse, with its usage errors printed as one ``error: ...`` line (exit status 2), as every other."""

    def error(self, message):
        self.exit(2, f"error: {message} (see '{self.prog} --help')\n")


def _typed(check, what, kind=float, **kw):
    """An argparse ``type=``: ``text`` converted by ``kind`` and checked by ``check`` (one of numreg.core.checks)."""
    def parse(text):
        try:
            return check("value", kind(text), **kw)
        except (ValueError, TypeError):
            raise argparse.ArgumentTypeError(f"must be {what}, got {text!r}") from None
    return parse


_count = _typed(checks.count, "an integer >= 1", int)
_seed = _typed(checks.integer, "an integer >= 0", int, low=0)
_probability = _typed(checks.probability, "a number in [0, 1)")
_fraction = _typed(checks.probability, "a number in (0, 1)", allow_zero=False)
_positive = _typed(checks.positive, "a finite number > 0")
_nonnegative = _typed(checks.nonnegative, "a finite number >= 0")


def _hidden(s):
    try:
        sizes = tuple(int(x) for x in s.replace("-", ",").split(",") if x)
    except ValueError:
        raise argparse.ArgumentTypeError(f"hidden sizes must be integers like 128,128, got {s!r}") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"hidden sizes must be positive, got {s!r}")
    return sizes


def build_parser():
    p = Parser(
        prog="python -m numreg",
        description="numreg: chapter 7 of Deep Learning (Goodfellow, Bengio & Courville) in pure NumPy. "
                    "Errors are one 'error: ...' line naming the flag (exit status 2).")
    p.add_argument("--debug", action="store_true", help="on an error, print the full traceback too")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    t = sub.add_parser(
        "train", help="train the seed notebook's MLP with early stopping (default: embedded data)",
        description="Train the seed notebook's network (784-128-128-10, ReLU, dropout 0.5, Adam, batch 256, "
                    "up to 100 epochs, early stopping with patience 20 on 20% of the training data held out), "
                    "print the seed's log and the test accuracy of the restored best model. Files written to "
                    "the --out folder: " + "; ".join(f"{k} ({v})" for k, v in OUTPUTS.items()) + "; and, "
                    "with --checkpoint PATH, the file PATH. A folder that already holds these files is "
                    "refused (a run never replaces an earlier run's files) unless --overwrite is given, "
                    "or --resume continues the run that wrote them.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    t.add_argument("--data", choices=DATASETS, default="font-digits",
                   help="font-digits: generated in code, no network; mnist / fashion-mnist: real IDX files "
                        "(see 'python -m numreg data')")
    t.add_argument("--root", default=None, help="folder holding the real data set's IDX files")
    t.add_argument("--download", action="store_true", help="download the real data set if not found")
    t.add_argument("--n-train", type=_count, default=None,
                   help="use only this many training examples (stratified sub-sample; None: all)")
    t.add_argument("--epochs", type=_count, default=100, help="maximum number of epochs")
    t.add_argument("--batch-size", type=_count, default=256, help="mini-batch size")
    t.add_argument("--hidden", type=_hidden, default=(128, 128), help="hidden layer sizes, comma-separated")
    t.add_argument("--dropout", type=_probability, default=0.5, help="drop probability p after each hidden layer")
    t.add_argument("--lr", type=_positive, default=1e-3, help="Adam learning rate")
    t.add_argument("--weight-decay", type=_nonnegative, default=0.0, help="AdamW decoupled weight decay (0: Adam)")
    t.add_argument("--label-smoothing", type=_probability, default=0.0, help="label smoothing epsilon (§7.5.1)")
    t.add_argument("--smoothing", choices=("book", "uniform"), default="book",
                   help="book: 1-eps and eps/(k-1); uniform: PyTorch's (1-eps)*onehot + eps/k")
    t.add_argument("--patience", type=_count, default=20, help="early-stopping patience in epochs")
    t.add_argument("--valid-fraction", type=_fraction, default=0.2, help="fraction of training data for validation")
    t.add_argument("--seed", type=_seed, default=0, help="seed of the initial weights, dropout and shuffling")
    t.add_argument("--out", default="runs/train", help="output folder (see above for the files written)")
    t.add_argument("--overwrite", action="store_true",
                   help="replace the files of an earlier run in --out (refused without this flag)")
    t.add_argument("--checkpoint", default=None, metavar="PATH",
                   help="write everything needed to continue (weights, optimizer, generators, early stopping, "
                        "history) to PATH after every epoch, atomically; an existing PATH is refused unless "
                        "--resume PATH continues its run or --overwrite replaces it")
    t.add_argument("--resume", default=None, metavar="PATH",
                   help="continue an interrupted run from the checkpoint at PATH (same flags as the first run)")
    t.add_argument("--quiet", action="store_true", help="print only the final summary")
    t.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                   help="on an error, print the full traceback too")

    g = sub.add_parser("gradcheck", help="check every layer and loss against central differences",
                       description="Central-difference gradient checks of every layer, loss and the seed "
                                   "network in float64; prints the largest relative error of each.")
    g.add_argument("--seed", type=_seed, default=0)

    sub.add_parser("data", help="say where MNIST / Fashion-MNIST are looked for and whether they are found",
                   description="Lists the folders searched for the real data sets and what was found there.")
    return p


def cmd_train(args):
    import numreg as nr
    from .files import save_npz
    from .plots import loss_curves

    quiet = args.quiet
    say = (lambda *a: None) if quiet else print
    _check_out(args.out, overwrite=args.overwrite or args.resume is not None)
    if args.checkpoint is not None and os.path.exists(args.checkpoint) and not args.overwrite \
            and args.resume is None:
        raise CommandLineError(f"--checkpoint {args.checkpoint} already exists (an earlier run's): give --resume "
                               f"{args.checkpoint} to continue that run, or --overwrite to replace it")
    if args.resume is not None:
        _check_resume(args.resume)
    t0 = time.perf_counter()
    (X, y), (X_test, y_test) = _load_data(args)
    train, valid = nr.data.train_valid_split(X, y, valid_fraction=args.valid_fraction, seed=args.seed)
    say(f"data: {args.data}, {len(train[0])} training, {len(valid[0])} validation, {len(X_test)} test "
        f"examples ({time.perf_counter() - t0:.1f} s)")

    model = nr.mlp(int(np.prod(X.shape[1:])), args.hidden, int(y.max()) + 1, dropout=args.dropout, seed=args.seed)
    say(model)
    criterion = nr.SoftmaxCrossEntropy(label_smoothing=args.label_smoothing, smoothing=args.smoothing)
    if args.weight_decay:
        optimizer = nr.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    else:
        optimizer = nr.Adam(model.parameters(), lr=args.lr)
    os.makedirs(args.out, exist_ok=True)
    early_stopping = nr.EarlyStopping(patience=args.patience, verbose=not quiet,
                                      path=os.path.join(args.out, "checkpoint.npz"))
    t1 = time.perf_counter()
    try:
        history = nr.fit(model, criterion, optimizer, train, valid, epochs=args.epochs, batch_size=args.batch_size,
                         callbacks=[early_stopping], seed=args.seed, verbose=not quiet,
                         checkpoint=args.checkpoint, resume=args.resume)
    except (ValueError, FileNotFoundError) as e:      # the checkpoint's and resume's: name the flags
        raise CommandLineError(re.sub(r"\b(resume|checkpoint)=", r"--\1 ", str(e))) from e
    seconds = time.perf_counter() - t1
    test_loss, test_acc = nr.evaluate(model, criterion, X_test, y_test)

    history.save(os.path.join(args.out, "history.json"))
    save_npz(os.path.join(args.out, "model.npz"), model.state_dict())
    fig = loss_curves(history, title=f"numreg on {args.data}: loss per epoch")
    fig.savefig(os.path.join(args.out, "loss.png"), dpi=100)
    summary = {"data": args.data, "epochs_run": history.epochs, "best_epoch": history.best_epoch,
               "stop_reason": history.stop_reason, "train_seconds": round(seconds, 2),
               "test_loss": round(test_loss, 5), "test_accuracy": round(test_acc, 4)}
    with open(os.path.join(args.out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2)
    print(f"best model from epoch {history.best_epoch} of {history.epochs} "
          f"({seconds:.1f} s): test loss {test_loss:.5f}, test accuracy {test_acc:.4f}")
    print(f"wrote {args.out}/" + ", ".join(OUTPUTS) + (f" and {args.checkpoint}" if args.checkpoint else ""))
    return 0


def _check_out(out, overwrite):
    """``--out`` can be written, and holds no earlier run's files unless ``overwrite``."""
    try:
        os.makedirs(out, exist_ok=True)
        probe = os.path.join(out, ".numreg-write-test")
        with open(probe, "w"):
            pass
        os.unlink(probe)
    except OSError as e:
        raise CommandLineError(f"--out {out}: cannot write there ({e.strerror or e})") from None
    earlier = [f for f in OUTPUTS if os.path.exists(os.path.join(out, f))]
    if earlier and not overwrite:
        raise CommandLineError(f"--out {out} already holds an earlier run ({', '.join(earlier)}): give another "
                               f"--out, or --overwrite to replace it")


def _check_resume(path):
    """``--resume`` names a readable checkpoint file (the rest is checked by fit, before any change)."""
    from .files import load_npz
    if not os.path.isfile(path):
        raise CommandLineError(f"--resume {path}: no such file")
    try:
        load_npz(path)
    except (ValueError, OSError) as e:
        raise CommandLineError(f"--resume {path}: not a checkpoint written by --checkpoint ({e})") from None


def _load_data(args):
    """The data set of ``--data``; a missing or unreachable one is an error naming the flags to fix it."""
    import numreg as nr
    from .data import mnist
    try:
        return nr.data.load_dataset(args.data, n_train=args.n_train, seed=args.seed, root=args.root,
                                    download=args.download)
    except FileNotFoundError:
        _, report = mnist._find(args.data, args.root)
        looked = "; ".join(line.strip() for line in report)
        raise CommandLineError(f"--data {args.data}: not found (looked in: {looked}); give --root FOLDER "
                               f"holding its four IDX files, or add --download to fetch them") from None
    except OSError as e:                        # urllib's URLError, a timeout, a refused connection
        url = mnist._base_url(args.data, None)
        reason = getattr(e, "reason", None) or e.strerror or e
        raise CommandLineError(f"--download: cannot fetch {args.data} from {url} ({reason}); are you "
                               f"offline? Give --root FOLDER holding its IDX files instead") from None
    except ValueError as e:                     # a corrupt or wrong file, a checksum that does not match
        raise CommandLineError(f"--data {args.data} (--root {args.root}): {e}") from None


def cmd_gradcheck(args):
    import numreg as nr
    from .gradcheck import check_layer, check_model

    rng = np.random.default_rng(args.seed)
    x = rng.standard_normal((6, 5))
    rows = [("Linear(5, 4)", check_layer(nr.Linear(5, 4, seed=args.seed), x)),
            ("ReLU", check_layer(nr.ReLU(), x + np.sign(x) * 1e-2)),
            ("Tanh", check_layer(nr.Tanh(), x)),
            ("Sigmoid", check_layer(nr.Sigmoid(), x)),
            ("Dropout(0.5), mask replayed", check_layer(nr.Dropout(0.5, seed=args.seed), x)),
            ("GaussianNoise(0.3), noise replayed", check_layer(nr.GaussianNoise(0.3, seed=args.seed), x))]
    z, labels = rng.standard_normal((6, 4)), rng.integers(0, 4, 6)
    for name, loss in [("SoftmaxCrossEntropy()", nr.SoftmaxCrossEntropy()),
                       ("SoftmaxCrossEntropy(0.1, 'book')", nr.SoftmaxCrossEntropy(0.1, "book")),
                       ("SoftmaxCrossEntropy(0.1, 'uniform')", nr.SoftmaxCrossEntropy(0.1, "uniform"))]:
        rows.append((name, check_model(nr.Sequential(nr.Linear(5, 4, seed=1)), loss, x, labels)))
    rows.append(("MSELoss", check_model(nr.Sequential(nr.Linear(5, 4, seed=1)), nr.MSELoss(), x, z)))
    model = nr.mlp(seed=args.seed)
    rows.append(("seed network 784-128-128-10, 20 directions",
                 check_model(model, nr.SoftmaxCrossEntropy(), rng.random((8, 784)), rng.integers(0, 10, 8),
                             directions=20)))
    width = max(len(r[0]) for r in rows)
    print(f"{'what':<{width}}  largest relative error")
    for name, err in rows:
        print(f"{name:<{width}}  {err:.2e}  {'ok' if err < 1e-7 else 'FAILED'}")
    return 0 if all(err < 1e-7 for _, err in rows) else 1


def cmd_data(args):
    from .data import mnist
    for name in ("mnist", "fashion-mnist"):
        paths, report = mnist._find(name, None)
        if paths:
            folder = os.path.dirname(next(iter(paths.values())))
            print(f"{name}: found in {folder}")
        else:
            print(f"{name}: not found; looked in:")
            print("\n".join(report))
    print("To get the data: apt-get install dataset-fashion-mnist (Debian/Ubuntu), set NUMREG_DATA to a folder "
          "holding the IDX files, or load_mnist(download=True) / load_fashion_mnist(download=True).")
    return 0


def main(argv=None):
    """Run the command line; returns the exit status (2 on any error, printed as one ``error:`` line)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:            # no command is a usage error, as argparse treats one
        parser.print_help(sys.stderr)
        return 2
    try:
        return {"train": cmd_train, "gradcheck": cmd_gradcheck, "data": cmd_data}[args.command](args)
    except (CommandLineError, ValueError, TypeError, OSError) as e:
        if args.debug:
            traceback.print_exc()
        print("error: " + " ".join(str(e).split()), file=sys.stderr)   # one line
        return 2
