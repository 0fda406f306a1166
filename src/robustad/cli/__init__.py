"""Command-line interface (layer 5): thin wrappers over library calls."""
