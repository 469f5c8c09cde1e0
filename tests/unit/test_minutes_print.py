"""The HTML minutes as a document: printed on A4 by a real browser, their stylesheet allowed by their
own Content-Security-Policy. Runs where Chromium is installed (CI's machine has it)."""

import re
import shutil
import subprocess
from datetime import timedelta

import pytest

from bot.i18n import translator
from bot.minutes.items import Line
from bot.minutes.writers import render
from tests.unit.test_minutes_pure import T0, B, sample

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
A4_POINTS = (595, 842)  # 210 × 297 mm


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")
def test_html_minutes_print_on_a4_with_their_stylesheet_allowed(tmp_path):
    lines = tuple(Line(i, T0 + timedelta(seconds=i), B, f"message {i}") for i in range(200))
    page = tmp_path / "minutes.html"
    page.write_bytes(render(sample(lines=lines), "html", translator("fr")))
    pdf = tmp_path / "minutes.pdf"
    run = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            "--enable-logging=stderr",
            "--v=0",
            f"--print-to-pdf={pdf}",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    document = pdf.read_bytes()
    boxes = {
        (round(float(w)), round(float(h)))
        for w, h in re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", document)
    }
    assert boxes == {A4_POINTS}
    pages = len(re.findall(rb"/Type /Page\b", document))
    assert 2 <= pages <= 12, pages  # 200 log lines: a few pages, not one per line
    assert "Content Security Policy" not in run.stderr  # the stylesheet was applied
