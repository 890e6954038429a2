"""The project's own error types.

Every failure a user can cause (a bad file, a bad query, a locked store, a server that is down)
is raised as a subclass of :class:`ImrGraphError`. The CLI turns these into one-line messages
without a traceback; anything else escaping is a bug.
"""

from __future__ import annotations


class ImrGraphError(Exception):
    """Base class of every error imrgraph raises on purpose."""


class InputError(ImrGraphError):
    """A file could not be read as an IMR letter. ``reason`` is the short, user-facing why."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason

    def __reduce__(self) -> tuple[type, tuple[str, str]]:
        # Rebuild from (path, reason), not from args: ingest workers send these across processes.
        return (self.__class__, (self.path, self.reason))


class ExtractionError(InputError):
    """The file's text could not be extracted (corrupt, encrypted, scanned, empty, too big)."""


class CorruptFile(ExtractionError):
    """The file is damaged or is not the kind of file its name says (a text file named .pdf)."""


class EmptyFile(ExtractionError):
    """The file has zero bytes, or a text file holds only whitespace."""


class EncryptedFile(ExtractionError):
    """The PDF needs a password to open."""


class NoTextLayer(ExtractionError):
    """The PDF opens but no page has text (a scanned image without OCR)."""


class NotAnImrLetter(InputError):
    """The text was read but it is not an IMR final determination letter."""


class LimitExceeded(InputError):
    """A size, page-count or time limit was exceeded for one file."""


class ValidationFailed(ImrGraphError):
    """A letter's graph does not conform to the SHACL shapes."""


class StoreError(ImrGraphError):
    """The triple store could not be opened, read or written."""


class StoreLocked(StoreError):
    """Another process holds the embedded store open for writing."""


class EndpointError(StoreError):
    """A SPARQL server did not answer, or answered with an error."""


class QueryTimeout(StoreError):
    """A query ran past its time limit (``--timeout``) and was stopped; it is not retried."""


class QueryError(ImrGraphError):
    """A saved query is unknown, malformed, or was given bad parameters."""


class ResourceMissing(ImrGraphError):
    """A packaged resource (ontology, shapes, queries) could not be found."""
