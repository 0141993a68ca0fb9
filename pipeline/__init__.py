"""newsgraph: raw news to typed triples with provenance.

The import package is `pipeline`; the distribution and the command are `newsgraph`.
"""

from __future__ import annotations

import logging
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("newsgraph")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+local"

logging.getLogger(__name__).addHandler(logging.NullHandler())
