"""Scale-out on Dask (layer 4): distributed benchmark runs and batch scoring of large files.

dask is imported only inside these functions (``pip install 'robustad[scale]'``), so
``import robustad`` and ``import robustad.scale`` never import it.

Examples
--------
>>> import sys, robustad.scale
>>> "dask" in sys.modules or callable(robustad.scale.run_benchmark_dask)
True
"""

from robustad.scale.benchmark import DaskExecutor, run_benchmark_dask
from robustad.scale.cluster import connect
from robustad.scale.scoring import score_files

__all__ = ["DaskExecutor", "connect", "run_benchmark_dask", "score_files"]
