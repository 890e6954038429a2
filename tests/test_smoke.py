"""The package installs, the CLI answers, resources are found."""

import subprocess
import sys

from imrgraph import __version__


def test_version_from_module_entry_point():
    out = subprocess.run(
        [sys.executable, "-m", "imrgraph", "--version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == f"imrgraph {__version__}"
