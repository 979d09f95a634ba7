#!/usr/bin/env python3
"""Writes optuna-asha.json: the decisions of Optuna's own SuccessiveHalvingPruner on
sequences of reported values, for GenLabRunnerTests/PrunerTests.swift, which replays each
sequence through GenLab's asynchronous successive halving and expects the same decisions.

Each case: a minimum resource S, a reduction factor η, a direction, a number of trials and
a list of events in the order they happen — trial t reports `value` at step `step` (the
rung steps S, Sη, Sη², … that trial reaches, interleaved across trials at random, as
asynchronous workers would) — with Optuna's answer to `trial.should_prune()` after each.
A pruned trial reports no more. Values repeat on purpose (ties) and include NaN.

Run in a virtual environment with Optuna (the tests themselves never need it):
    python3 -m venv /tmp/optuna && /tmp/optuna/bin/pip install optuna
    /tmp/optuna/bin/python Tests/Fixtures/generate_asha_reference.py
"""
import json
import math
import os
import random

import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)


def case(seed, trials, min_resource, eta, direction, rungs, nan_rate=0.0, levels=None):
    rng = random.Random(seed)
    study = optuna.create_study(
        direction=direction,
        pruner=optuna.pruners.SuccessiveHalvingPruner(min_resource=min_resource, reduction_factor=eta,
                                                      min_early_stopping_rate=0),
    )
    steps = [min_resource * eta**k for k in range(rungs)]
    live = {}
    started = 0
    events = []
    # start trials one by one and let the live ones report at their next rung, in random order
    while started < trials or live:
        if started < trials and (not live or rng.random() < 0.5):
            live[started] = (study.ask(), 0)
            started += 1
            continue
        t = rng.choice(sorted(live))
        trial, k = live[t]
        if rng.random() < nan_rate:
            value = float("nan")
        elif levels:
            value = float(rng.choice(levels))
        else:
            value = round(rng.uniform(0, 10), 3)
        trial.report(value, steps[k])
        pruned = trial.should_prune()
        events.append({"trial": t, "step": steps[k], "value": None if math.isnan(value) else value, "pruned": pruned})
        if pruned:
            study.tell(trial, state=optuna.trial.TrialState.PRUNED)
            del live[t]
        elif k + 1 == len(steps):
            study.tell(trial, value)
            del live[t]
        else:
            live[t] = (trial, k + 1)
    return {"name": f"seed{seed}_eta{eta}_{direction}", "min_resource": min_resource, "reduction_factor": eta,
            "direction": direction, "trials": trials, "events": events}


cases = [
    case(1, 12, 2, 3, "minimize", 3),
    case(2, 20, 1, 2, "minimize", 4, levels=[1, 2, 3, 4]),
    case(3, 30, 5, 3, "maximize", 3),
    case(4, 27, 3, 3, "minimize", 3, nan_rate=0.1),
    case(5, 16, 4, 4, "maximize", 2, levels=[0.5, 0.25, 0.125]),
    case(6, 9, 10, 2, "minimize", 3),
]
out = {"optuna_version": optuna.__version__, "cases": cases}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "optuna-asha.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
print(f"wrote {path}: {len(cases)} cases, {sum(len(c['events']) for c in cases)} decisions (optuna {optuna.__version__})")
