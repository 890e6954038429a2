"""Locate the ontology, shapes, queries and schema wherever imrgraph is installed.

In a wheel they are copied into the package (see ``force-include`` in pyproject.toml); in a source
checkout or an editable install they are the top-level folders of the repository. One source of
truth, two places to look.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from imrgraph.errors import ResourceMissing

_PACKAGE_DIR = Path(__file__).resolve().parent
_RESOURCE_DIRS = ("ontology", "shapes", "queries")


@cache
def resource_dir(name: str) -> Path:
    """Return the folder holding the packaged resource ``name`` (ontology, shapes or queries)."""
    if name not in _RESOURCE_DIRS:
        raise ResourceMissing(f"unknown resource folder {name!r}")
    for candidate in (_PACKAGE_DIR / name, _PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise ResourceMissing(f"imrgraph's {name}/ folder is missing from this installation")


def resource_path(name: str, filename: str) -> Path:
    """Return the path of ``filename`` inside resource folder ``name``; raise if absent."""
    path = resource_dir(name) / filename
    if not path.is_file():
        raise ResourceMissing(f"imrgraph's {name}/{filename} is missing from this installation")
    return path


def schema_path() -> Path:
    """The JSON Schema of `imrgraph parse` output (letter.schema.json)."""
    return _PACKAGE_DIR / "schema" / "letter.schema.json"
