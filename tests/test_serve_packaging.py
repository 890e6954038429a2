"""A plain `pip install .` carries what `imrgraph serve` needs: its templates and static files
are package data, found by the installed code from another folder."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_carries_the_serve_templates_and_styles(tmp_path: Path) -> None:
    wheel_dir = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheel_dir), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheel_dir.glob("imrgraph-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for template in (ROOT / "imrgraph" / "serve" / "templates").glob("*.j2"):
        assert f"imrgraph/serve/templates/{template.name}" in names
    assert "imrgraph/serve/static/style.css" in names
    assert "imrgraph/serve/static/favicon.svg" in names
    # the installed code finds them (not the source tree): unpack and import from there
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = (
        "import imrgraph.serve.app as a, importlib.resources as r;"
        "print(a.__file__);"
        "a._environment('https://w3id.org/imrgraph/').get_template('home.html.j2');"
        "print(len(r.files('imrgraph.serve').joinpath('static', 'style.css').read_bytes()))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert out[0].startswith(str(site))
    assert int(out[1]) > 1000
