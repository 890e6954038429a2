"""Output files that are whole or untouched.

A command asked to write ``-o FILE`` may fail after it started writing (the letter asked for does
not exist, the server stops answering, the disk fills). Writing into ``FILE`` directly would
leave it empty or truncated, losing what it held. So output goes to a temporary file in the same
folder (same file system: the rename is atomic) that replaces ``FILE`` only when everything was
written; on failure the temporary file is removed and ``FILE`` is as it was.

``-`` means standard output. A target that exists but is not a regular file (``/dev/null``, a
named pipe) is written in place: renaming over it would replace the device or the pipe.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from imrgraph.errors import ImrGraphError


def is_stdout(path: Path | str | None) -> bool:
    """``-o -`` (or no ``-o`` at all, where the command allows it): standard output."""
    return path is None or str(path) == "-"


def _target(path: Path) -> Path:
    """Where the bytes go: a symbolic link is followed (the link stays a link)."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def _mode_for(target: Path) -> int:
    """The new file's permissions: those of the file it replaces, else the umask's default."""
    with contextlib.suppress(OSError):
        return target.stat().st_mode & 0o7777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _cannot(path: Path, exc: OSError, what: str) -> ImrGraphError:
    return ImrGraphError(f"{path}: cannot write {what}: {exc.strerror or exc}")


@contextlib.contextmanager
def replacing(path: Path, what: str = "the file") -> Iterator[Path]:
    """A temporary path beside ``path``, renamed over ``path`` when the block ends normally.

    The temporary name keeps ``path``'s suffix, for writers that choose a format by it. On any
    exception the temporary file is removed and ``path`` is left as it was. ``what`` names the
    output in the one-line error (``FILE: cannot write the report: No space left on device``).
    """
    target = _target(path)
    if target.exists() and not target.is_file():
        if target.is_dir():
            raise ImrGraphError(f"{path}: is a folder; give a file name")
        yield target  # a device or a pipe: written in place
        return
    if target.exists() and not os.access(target, os.W_OK):  # a file made read-only stays
        raise ImrGraphError(f"{path}: cannot write {what}: Permission denied")
    try:
        handle, name = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=f".part{target.suffix}"
        )
    except OSError as exc:
        raise _cannot(path, exc, what) from exc
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        os.chmod(temporary, _mode_for(target))
        os.replace(temporary, target)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise _cannot(path, exc, what) from exc
    except ImrGraphError as exc:  # a writer's own message names the user's file, not ours
        temporary.unlink(missing_ok=True)
        raise type(exc)(str(exc).replace(str(temporary), str(path))) from exc
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def output_stream(path: Path | None, what: str = "the file") -> Iterator[BinaryIO]:
    """A binary stream to ``path`` through ``replacing``, or to standard output for ``-``."""
    if is_stdout(path):
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    assert path is not None
    with replacing(path, what) as temporary:
        try:
            stream = temporary.open("wb")
        except OSError as exc:
            raise _cannot(path, exc, what) from exc
        with stream:
            yield stream


def check_writable(path: Path, what: str = "the file") -> None:
    """Fail now, before any work, if ``path`` could not be written later.

    Creates and removes a temporary file in ``path``'s folder: the one test that answers for
    permissions, read-only mounts, a missing folder and ACLs alike. ``path`` itself is not
    touched.
    """
    target = _target(path)
    if target.is_dir():
        raise ImrGraphError(f"{path}: is a folder; give a file name")
    if target.exists() and not target.is_file():
        return  # a device or a pipe: written in place
    if target.exists() and not os.access(target, os.W_OK):
        raise ImrGraphError(f"{path}: cannot write {what}: Permission denied")
    try:
        with tempfile.NamedTemporaryFile(dir=target.parent, prefix=f".{target.name}."):
            pass
    except OSError as exc:
        raise _cannot(path, exc, what) from exc
