"""What the serve tests share: stores with the example letters (plus a hostile one), and a real
``imrgraph serve`` on a free 127.0.0.1 port in its own process (no test client, no mocks).

No tests here; ``test_serve.py`` and ``test_serve_browser.py`` import these helpers.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from imrgraph.store import open_store
from imrgraph.store.ingest import ingest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "letters"
HOSTILE_CASE = "CM15-0666666"
HOSTILE_SERVICE = "Lumbar support brace <script>alert(1)</script>"
HOSTILE_RATIONALE = '<img src=x onerror="alert(2)">'
# a sentence the reason rules read as the brace item's reason: markup in a reason's evidence
HOSTILE_REASON = "A brace <script>alert(3)</script> is not recommended."


def hostile_letter(folder: Path) -> Path:
    """An example letter whose service and rationale hold markup (letters are untrusted)."""
    text = (EXAMPLES / "cm15-low-back-date-conflict.txt").read_text(encoding="utf-8")
    text = text.replace("CM15-0045678", HOSTILE_CASE)
    assert "Lumbar support brace: Upheld" in text
    text = text.replace("Lumbar support brace: Upheld", f"{HOSTILE_SERVICE}: Upheld")
    # the rationale of the brace item: markup in the middle of a sentence
    marker = text.index(f"{HOSTILE_SERVICE}: Upheld")
    rationale = text.index("Decision rationale:", marker) + len("Decision rationale:")
    inserted = f" The note {HOSTILE_RATIONALE} was read. {HOSTILE_REASON}"
    text = text[:rationale] + inserted + text[rationale:]
    path = folder / "hostile-letter.txt"
    path.write_text(text, encoding="utf-8")
    return path


def letter_paths(folder: Path) -> list[str]:
    """The example letters (PDF, as the README's quick start ingests them) and the hostile one."""
    return [str(p) for p in sorted(EXAMPLES.glob("*.pdf"))] + [str(hostile_letter(folder))]


def fill(store, folder: Path) -> None:
    summary = ingest(letter_paths(folder), store, workers=1)
    assert not summary.failures, summary.failures


def embedded_store(folder: Path) -> Path:
    """An embedded store with the examples and the hostile letter; closed (no lock held)."""
    path = folder / "store"
    with open_store(path, read_only=False) as store:
        fill(store, folder)
    return path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Served:
    """A running ``imrgraph serve``."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def client(self, **kwargs) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=60, **kwargs)


def start_server(args: list[str], log: Path, timeout: float = 60.0) -> Served:
    """``imrgraph serve ARGS --port P`` in its own process group, once it answers."""
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    for _attempt in range(3):  # the free port can be taken between probing and binding
        port = free_port()
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "imrgraph", "serve", *args, "--port", str(port)],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                start_new_session=True,
            )
        served = Served(f"http://127.0.0.1:{port}", process, log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if httpx.get(served.url + "/static/style.css", timeout=2).status_code == 200:
                    return served
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        stop_server(served)
    pytest.fail(f"imrgraph serve did not start: {log.read_text(errors='replace')[-2000:]}")


def stop_server(served: Served) -> None:
    if served.process.poll() is not None:
        return
    try:
        os.killpg(served.process.pid, signal.SIGTERM)
        served.process.wait(timeout=15)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(served.process.pid, signal.SIGKILL)
        served.process.wait(timeout=10)


@dataclass
class Backend:
    """A store the server reads: its name, the serve arguments, and a way to open it."""

    name: str
    args: list[str]
    store_args: dict


def start_backend(name: str, tmp: Path) -> tuple[Backend, object]:
    """The embedded store, or a real ``oxigraph serve`` filled through ``--endpoint``.

    Returns the backend and a handle to stop (the Oxigraph server, or None).
    """
    if name == "embedded":
        path = embedded_store(tmp)
        return Backend(name, ["--store", str(path)], {"store": path}), None
    from conftest import _start

    from imrgraph.store import EndpointStore

    server = _start(tmp / "oxigraph-data")
    store = EndpointStore(server.query_url, retries=1, backoff=0.05)
    try:
        fill(store, tmp)
    finally:
        store.close()
    return Backend(name, ["--endpoint", server.query_url], {"endpoint": server.query_url}), server


def stop_backend(handle: object) -> None:
    if handle is not None:
        from conftest import _stop

        _stop(handle.process)  # type: ignore[attr-defined]
