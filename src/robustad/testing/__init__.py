"""Public test helpers: the detector contract suite.

Run it on your own detector to check it honours the robustad contract::

    from robustad.testing import check_detector
    check_detector(MyDetector())
"""

from robustad.testing.checks import all_checks, check_detector

__all__ = ["all_checks", "check_detector"]
