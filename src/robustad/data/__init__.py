"""Data layer: load, validate, split, scale and synthesise datasets.

Everything here returns or consumes :class:`Dataset` objects (validated float64 features, 0/1
labels, feature names, provenance). pandas and scikit-learn are imported only inside the
functions that need them, so importing this package stays cheap.

Examples
--------
>>> from robustad.data import load_dataset, train_test_split
>>> train, test = train_test_split(load_dataset("cardio"), random_state=0)
>>> train.n_features == test.n_features == 21
True
"""

from robustad.data.dataset import Dataset
from robustad.data.io import read_table, write_table
from robustad.data.loading import DatasetInfo, list_datasets, load_dataset
from robustad.data.splits import scale, train_test_split
from robustad.data.synthetic import make_outlier_data
from robustad.data.validation import check_features, check_labels

__all__ = [
    "Dataset",
    "DatasetInfo",
    "check_features",
    "check_labels",
    "list_datasets",
    "load_dataset",
    "make_outlier_data",
    "read_table",
    "scale",
    "train_test_split",
    "write_table",
]
