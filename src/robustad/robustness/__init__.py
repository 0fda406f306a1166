"""Robustness: perturbations, calibrated thresholds, and (later) the robustness card (layer 3)."""
