"""The saved state of :class:`~numreg.regularize.s7_08_early_stopping.early_stopping.EarlyStopping`, checked.

``fit(resume=...)`` hands the callback the state its checkpoint holds;
every entry is checked and converted here before the callback changes, so a
damaged checkpoint raises a ``ValueError``/``TypeError`` naming the entry.
"""
from ...core import checks


def checked_state(d):
    """The entries of an ``EarlyStopping`` state, each checked and converted (ValueError/TypeError naming it)."""
    n = "state[{!r}]".format
    count = {k: checks.integer(n(k), d[k], low=0) for k in ("best_epoch", "best_step", "counter", "epoch", "_since_n")}
    records = {k: [checks.real(f"{n(k)}[{i}]", v, finite=False, allow_nan=True)
                   for i, v in enumerate(checks.sequence(n(k), d[k]))] for k in ("train_record", "valid_record")}
    evaluations = []
    for i, e in enumerate(checks.sequence(n("evaluations"), d["evaluations"])):
        s, v = checks.pair(f"{n('evaluations')}[{i}]", e, "a pair (step, value)")
        evaluations.append((checks.integer(f"{n('evaluations')}[{i}][0]", s, low=0),
                            checks.real(f"{n('evaluations')}[{i}][1]", v, finite=False, allow_nan=True)))
    best_state = d["best_state"]
    if best_state is not None:
        if not isinstance(best_state, dict):
            raise checks.type_error(n("best_state"), "None or a dict of arrays (a state_dict)", best_state)
        best_state = {k: checks.float_array(f"{n('best_state')}[{k!r}]", v, allow_empty=True).copy()
                      for k, v in best_state.items()}
    return {**count, **records, "evaluations": evaluations, "best_state": best_state,
            "best": checks.real(n("best"), d["best"], finite=False),
            "early_stop": checks.flag(n("early_stop"), d["early_stop"]),
            "stop_reason": checks.optional(checks.instance, n("stop_reason"), d["stop_reason"], str, "None or a str"),
            "message": checks.instance(n("message"), d["message"], str, "a str"),
            "_since_sum": checks.real(n("_since_sum"), d["_since_sum"], finite=False, allow_nan=True)}
