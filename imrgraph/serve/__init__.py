"""``imrgraph serve``: the graph on the web, read-only (``create_app``; see ``app.py``)."""

from imrgraph.serve.app import DEFAULT_BASE, create_app
from imrgraph.serve.limits import Limits

__all__ = ["DEFAULT_BASE", "Limits", "create_app"]
