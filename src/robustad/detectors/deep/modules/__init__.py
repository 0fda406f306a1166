"""Pure ``torch.nn.Module`` networks of the deep detectors (no estimator, no training code)."""
