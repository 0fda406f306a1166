"""Classical detectors: an adapter over PyOD / scikit-learn, plus ECDF-based detectors."""

from robustad.detectors.classical.ecdf import COPOD, ECOD
from robustad.detectors.classical.models import HBOS, KNN, LOF, OCSVM, PCA, IForest

__all__ = ["COPOD", "ECOD", "HBOS", "KNN", "LOF", "OCSVM", "PCA", "IForest"]
