"""Training: the seed notebook's loop (``fit``), its history, the callbacks it calls, its checkpoints."""
