"""A plain (non-editable) `pip install .`, run from another folder, must carry the ontology,
shapes, queries and schema inside the package."""

from __future__ import annotations

import os
import site
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("wheel")
    wheel_dir = tmp / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheel_dir), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheel_dir.glob("imrgraph-*.whl")
    env_dir = tmp / "venv"
    # The runtime dependencies come from the interpreter running the tests; imrgraph itself only
    # from the wheel. `system_site_packages=True` would reach the *base* interpreter's packages,
    # not a virtualenv's, so the tests' own site-packages folders are listed in a .pth file: its
    # lines are appended after the venv's site-packages (the wheel wins), and .pth files inside
    # them (an editable imrgraph) are not run.
    venv.EnvBuilder(system_site_packages=False, with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    venv_site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    outer = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    outer.update(site.getsitepackages())
    (Path(venv_site) / "outer-site-packages.pth").write_text(
        "".join(f"{path}\n" for path in sorted(outer) if Path(path).is_dir())
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "-q",
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    return env_dir


@pytest.mark.slow
def test_wheel_carries_resources_and_runs_from_another_folder(
    installed_venv: Path, tmp_path: Path
) -> None:
    python = installed_venv / "bin" / "python"
    code = (
        "import imrgraph, imrgraph.resources as r;"
        "print(imrgraph.__file__);"
        "print(r.resource_path('ontology', 'imr.ttl'));"
        "print(r.resource_path('shapes', 'imr.shapes.ttl'));"
        "print(sorted(p.name for p in r.resource_dir('queries').glob('*.rq')));"
        "print(r.schema_path().is_file())"
    )
    # PYTHONPATH (a developer's checkout) would put the source tree before the wheel.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    out = subprocess.run(
        [str(python), "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True, env=env
    ).stdout.splitlines()
    site = str(installed_venv)
    assert out[0].startswith(site), f"imrgraph imported from {out[0]}, not the wheel"
    assert out[1].startswith(site) and out[2].startswith(site)
    assert "guidelines-upheld-denials.rq" in out[3]
    assert out[4] == "True"
    cli = subprocess.run(
        [str(installed_venv / "bin" / "imrgraph"), "--version"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    assert cli.stdout.startswith("imrgraph ")
