"""A tiny synthetic image set for the DBN and denoising tests: four 8x8 shapes with 3% of pixels flipped."""
import numpy as np

import numreg as nr


def shapes(n, seed=0, flip=0.03):
    """``(X (n, 64) binary, y (n,))``: a square ring, a vertical bar, a horizontal bar, an X."""
    P = np.zeros((4, 8, 8))
    P[0, 1, 1:7] = P[0, 6, 1:7] = P[0, 1:7, 1] = P[0, 1:7, 6] = 1
    P[1, :, 3:5] = 1
    P[2, 3:5, :] = 1
    P[3][np.eye(8, dtype=bool) | np.eye(8, dtype=bool)[::-1]] = 1
    g = np.random.default_rng(seed)
    y = g.integers(0, 4, n)
    X = np.abs(P[y].reshape(n, 64) - (g.random((n, 64)) < flip))
    return X.astype(np.float32), y


def sparse_dbn(seed=0, sizes=(64, 60, 30)):
    """An sDBN (3x3 local fields) pre-trained on 3000 shapes; 20 epochs a layer (< 1 s)."""
    X, y = shapes(3000, seed=seed)
    mask = nr.local_mask((8, 8), sizes[1], 3, seed=seed)
    dbn = nr.DBN(list(sizes), mask=mask, seed=seed)
    return dbn.pretrain(X, epochs=20, batch_size=50, lr=0.1, momentum=0.5, seed=seed), X, y
