"""robust_training="trimmed": the most anomalous share of each mini-batch does not train."""

from __future__ import annotations

import numpy as np
import pytest

import robustad
from robustad.detectors.deep.autoencoder import AutoEncoder
from robustad.exceptions import InvalidParameterError


class RecordingAutoEncoder(AutoEncoder):
    """Records the rows every loss call trains on."""

    def _loss(self, module, batch, generator):
        self.seen_ = [*getattr(self, "seen_", []), batch[0].detach().numpy().copy()]
        return super()._loss(module, batch, generator)


def _data() -> np.ndarray:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 4))
    X[:10] += 40.0  # planted, far outside the rest
    return X


def test_trimmed_training_never_trains_on_the_most_anomalous_rows() -> None:
    det = RecordingAutoEncoder(
        robust_training="trimmed",
        contamination=0.1,
        batch_size=100,
        epochs=4,
        validation_fraction=0.0,
        random_state=0,
    )
    det.seen_ = []
    det.fit(_data())
    # Twice the contamination is trimmed: 20 of every 100 rows.
    assert det.seen_ and all(batch.shape[0] == 80 for batch in det.seen_)
    # Standardised, the planted rows sit far above the rest: none of them was trained on.
    assert all(np.abs(batch).max() < 5 for batch in det.seen_)


def test_plain_training_uses_every_row() -> None:
    det = RecordingAutoEncoder(batch_size=100, epochs=2, validation_fraction=0.0, random_state=0)
    det.seen_ = []
    det.fit(_data())
    assert all(batch.shape[0] == 100 for batch in det.seen_)


def test_option_is_validated_saved_and_only_offered_where_it_applies(tmp_path) -> None:
    with pytest.raises(InvalidParameterError, match="robust_training"):
        robustad.make_detector("autoencoder", robust_training="median").fit(_data())
    det = robustad.make_detector("vae", robust_training="trimmed", epochs=2, random_state=0)
    loaded = robustad.load(det.fit(_data()).save(tmp_path / "m"))
    assert loaded.robust_training == "trimmed"
    assert "robust_training" not in robustad.make_detector("deep_svdd").get_params()
