"""Data: IDX files, MNIST / Fashion-MNIST, the embedded font-digit set, splitting and batching."""
