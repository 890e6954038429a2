"""PDF letters: bytes -> page texts, with PDFium (pypdfium2).

Why PDFium and not pdfplumber's ``extract_text``: on these letters it gives the same text line
for line about 50x faster (ENGINEERING.md; ``benchmarks/parse.py`` measures it again). pdfplumber
is kept for layout work, but the one layout feature of the letters, the two-column header table,
already comes out of PDFium as clean ``Label: value Label: value`` lines (each table row is one
text line, cells in reading order), so no page needs pdfplumber's slower layout pass.

Every failure of the PDF library is turned into one of the project's errors with a short reason;
nothing from pypdfium2 escapes (a corrupt file must not stop a batch of thousands).
"""

from __future__ import annotations

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from imrgraph.errors import CorruptFile, EncryptedFile, InputError, LimitExceeded

_HEADER_WINDOW = 1024  # the PDF spec allows junk before %PDF- within the first 1 KiB

_OPEN_REASONS = {
    pdfium_c.FPDF_ERR_PASSWORD: (EncryptedFile, "encrypted PDF (a password is required)"),
    pdfium_c.FPDF_ERR_SECURITY: (EncryptedFile, "PDF uses an unsupported security handler"),
    pdfium_c.FPDF_ERR_FORMAT: (CorruptFile, "corrupt PDF (its structure cannot be read)"),
    pdfium_c.FPDF_ERR_FILE: (CorruptFile, "corrupt PDF (cannot be opened)"),
}


def pdf_pages(data: bytes, path: str, max_pages: int) -> list[str]:
    """Return the raw text of each page of the PDF in ``data`` (``\\r\\n`` line ends kept).

    Raises CorruptFile (not a PDF, damaged), EncryptedFile (password), LimitExceeded (more than
    ``max_pages`` pages).
    """
    if b"%PDF-" not in data[:_HEADER_WINDOW]:
        raise CorruptFile(path, "not a PDF file (no %PDF header)")
    try:
        doc = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        kind, reason = _OPEN_REASONS.get(
            getattr(exc, "err_code", None), (CorruptFile, "corrupt PDF (cannot be opened)")
        )
        raise kind(path, reason) from exc
    except Exception as exc:  # any other failure inside the library: still the file's fault
        raise CorruptFile(path, f"corrupt PDF ({type(exc).__name__})") from exc
    try:
        count = len(doc)
        if count == 0:
            raise CorruptFile(path, "corrupt PDF (no pages)")
        if count > max_pages:
            raise LimitExceeded(path, f"too many pages ({count} > limit {max_pages})")
        pages = []
        for index in range(count):
            page = doc[index]
            textpage = page.get_textpage()
            try:
                pages.append(textpage.get_text_range())
            finally:
                textpage.close()
                page.close()
        return pages
    except InputError:
        raise
    except Exception as exc:  # PdfiumError on a damaged page, or anything else from the library
        raise CorruptFile(
            path, f"corrupt PDF (page text unreadable: {type(exc).__name__})"
        ) from exc
    finally:
        doc.close()
