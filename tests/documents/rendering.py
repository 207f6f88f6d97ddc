"""Rendering documents as the office prints them: LibreOffice → PDF, then poppler's tools.

Shared by the tests that look at what a person would see in a printed or PDF copy: the fonts
embedded in it, its page count, the text of each page.
"""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

# Every document names its own typeface; on Debian each has a metric twin that LibreOffice
# substitutes (fontconfig aliases): Times New Roman → Liberation Serif (fonts-liberation2 has
# the Vietnamese letters), Calibri (XlsxWriter's default) → Carlito (fonts-crosextra-carlito).
TWINS = {"Times New Roman": "LiberationSerif", "Calibri": "Carlito"}

needs_libreoffice = pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdffonts") is None,
    reason="LibreOffice and poppler-utils are installed by scripts/test.sh",
)


def render_pdfs(sources: list[Path], out_dir: Path) -> dict[Path, Path]:
    """Convert every file with one LibreOffice start (Writer and Calc alike); source → its PDF."""
    out_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{out_dir}/lo-profile",
                    "--convert-to", "pdf", "--outdir", str(out_dir), *map(str, sources)],
                   check=True, capture_output=True, timeout=600)
    pdfs = {source: out_dir / (source.stem + ".pdf") for source in sources}
    missing = [str(source) for source, pdf in pdfs.items() if not pdf.exists()]
    assert not missing, f"LibreOffice wrote no PDF for {missing}"
    return pdfs


def embedded_fonts(pdf: Path) -> set[str]:
    """The family of every font in the PDF, as pdffonts names it, without subset tag and style."""
    listing = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True).stdout
    families = set()
    for line in listing.splitlines()[2:]:  # a header line and a rule
        name = line.split()[0]
        name = re.sub(r"^[A-Z]{6}\+", "", name)  # subset tag
        families.add(re.split(r"[-,]", name)[0])
    return families


def page_count(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def page_texts(pdf: Path) -> list[str]:
    """The text of each page (form feeds separate pages in pdftotext's output)."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    return text.split("\f")[:page_count(pdf)]
