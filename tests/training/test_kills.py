"""No stray files: a training process killed (SIGKILL) at random moments leaves nothing the next run keeps.

A child trains a tiny network for many short epochs, writing its
checkpoint after every one, so that a kill often lands while the
checkpoint is being written. It is killed three times at moments drawn
from a seeded generator; each next run resumes from whatever checkpoint
is there. After every kill the checkpoint on disk is a complete one (the
writes are atomic); the last run finishes, and then no temporary file of
the checkpoint is left and it resumes once more. Bounded to a few
seconds; the child never touches the network.
"""
import json
import os
import textwrap

import numpy as np

import numreg as nr
from children import kill_after, start

CHILD = textwrap.dedent('''
    import os, sys
    import numpy as np
    import numreg as nr

    path, extra = sys.argv[1], int(sys.argv[2])
    resume = path if os.path.exists(path) else None
    epochs = 100000
    if extra:                      # finish: two more epochs than the checkpoint holds
        with np.load(path, allow_pickle=False) as z:
            import json
            epochs = json.loads(str(z["meta"]))["epoch"] + extra
    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 5)).astype(np.float32)
    y = np.arange(64) % 2
    model = nr.Sequential(nr.Linear(5, 4), nr.ReLU(), nr.Linear(4, 2), seed=0)
    print("STARTED", flush=True)
    nr.fit(model, nr.SoftmaxCrossEntropy(), nr.Adam(model.parameters()), (X, y), epochs=epochs, batch_size=32,
           seed=1, verbose=False, checkpoint=path, resume=resume)
    print("DONE", flush=True)
''')


def epoch_of(ckpt):
    with np.load(ckpt, allow_pickle=False) as z:       # a complete .npz: never a half-written one
        return json.loads(str(z["meta"]))["epoch"]


def test_random_kills_leave_no_temporary_file_and_the_checkpoint_resumes(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    ckpt, script = work / "run.npz", tmp_path / "child.py"
    script.write_text(CHILD)
    delays = np.random.default_rng(2026).uniform(0.05, 0.6, size=3)
    epochs = []
    for delay in delays:
        kill_after(start([script, ckpt, 0]), "STARTED", delay)
        if ckpt.exists():
            epochs.append(epoch_of(ckpt))
    assert epochs and epochs == sorted(epochs)           # each run went on from the last one's checkpoint

    child = start([script, ckpt, 2])                      # the next run: resumes and finishes
    out, _ = child.communicate(timeout=60)
    assert child.returncode == 0 and "DONE" in out
    assert nr.files.temporary_files(ckpt) == []
    assert sorted(os.listdir(work)) == ["run.npz"]        # nothing else left beside it
    assert epoch_of(ckpt) == epochs[-1] + 2               # it resumed from the last kill's checkpoint
