"""Extraction: a letter file (PDF or text) -> cleaned page texts (``ExtractedDocument``).

Modules along the data's path: ``document`` (entry point, limits, input checks), ``pdf`` (PDFium
text), ``text`` (decoding and Unicode normal form), ``running`` (page headers/footers).
"""

from imrgraph.extract.document import DEFAULT_LIMITS, ExtractedDocument, Limits, extract
from imrgraph.extract.running import remove_running_lines

__all__ = ["DEFAULT_LIMITS", "ExtractedDocument", "Limits", "extract", "remove_running_lines"]
