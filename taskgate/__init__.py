"""taskgate: a release gate for AI agents.

The public Python API; the command line (``taskgate``) is a thin layer over it.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
