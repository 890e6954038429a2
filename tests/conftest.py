"""Shared fixtures: a real Oxigraph SPARQL server for the endpoint tests.

``oxigraph_server`` starts ``oxigraph serve --location DIR --bind 127.0.0.1:PORT`` (the PyPI
``oxigraph`` package, in the test extra) on a free port once per session, waits until it answers,
and always stops it (terminate, then kill, of its own process group), even when a test fails.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest


@dataclass
class OxigraphServer:
    """A running ``oxigraph serve``: its URLs and process."""

    base_url: str
    process: subprocess.Popen[bytes]

    @property
    def query_url(self) -> str:
        return f"{self.base_url}/query"

    @property
    def update_url(self) -> str:
        return f"{self.base_url}/update"

    @property
    def store_url(self) -> str:
        return f"{self.base_url}/store"

    def clear(self) -> None:
        """Empty the server's dataset (between tests that need a fresh one)."""
        httpx.post(
            self.update_url,
            content=b"DROP ALL",
            headers={"Content-Type": "application/sparql-update"},
            timeout=30,
        ).raise_for_status()


def _oxigraph_binary() -> str | None:
    # The console script next to this interpreter first: a pyenv shim would be a second process
    # between us and the server.
    candidate = Path(sys.executable).parent / "oxigraph"
    if candidate.is_file():
        return str(candidate)
    return shutil.which("oxigraph")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def _start(location: Path, timeout: float = 30.0) -> OxigraphServer:
    binary = _oxigraph_binary()
    if binary is None:
        pytest.fail("the `oxigraph` server is not installed (pip install -e '.[test]')")
    last_error = ""
    for _attempt in range(3):  # the free port can be taken between probing and binding
        port = _free_port()
        log = (location.parent / f"oxigraph-{port}.log").open("wb")
        process = subprocess.Popen(
            [binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: killed as a whole
        )
        server = OxigraphServer(f"http://127.0.0.1:{port}", process)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                break
            try:
                response = httpx.post(
                    server.query_url,
                    content=b"ASK {}",
                    headers={"Content-Type": "application/sparql-query"},
                    timeout=2,
                )
                if response.status_code == 200:
                    return server
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        _stop(process)
        log.close()
        last_error = (location.parent / f"oxigraph-{port}.log").read_text(errors="replace")
    pytest.fail(f"oxigraph serve did not start: {last_error[-500:]}")


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    """A real Oxigraph SPARQL server on 127.0.0.1, for the whole session."""
    location = tmp_path_factory.mktemp("oxigraph-server") / "data"
    server = _start(location)
    try:
        yield server
    finally:
        _stop(server.process)
