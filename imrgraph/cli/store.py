"""CLI commands: store (work in progress)."""

from __future__ import annotations

from imrgraph.cli._app import app  # noqa: F401
