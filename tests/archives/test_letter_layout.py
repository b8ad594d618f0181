"""The reply letter in official document layout (GB/T 9704), read from the generated files: the
issuing body's mark and the rule under the document number in red, the page number "— N —" at the
right of odd pages and the left of even pages (PDF: pdftotext's word boxes; Word: a PAGE field in the
odd and even footers), and the viewer's watermark — in the PDF, in the Word document (Word's text
watermark anchored in the header), on the archive list and the opinion list."""

from __future__ import annotations

import io
import re
import subprocess

import pytest
from django.urls import reverse
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from jijian.archives import opinions
from jijian.archives.models import OpinionRequest
from tests.archives.helpers import idn, make_archive

pytestmark = pytest.mark.django_db

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
V = "{urn:schemas-microsoft-com:vml}"


def _signed(staff, tree, *, persons: int) -> OpinionRequest:
    """A signed reply about `persons` people (the first with an archive, the others without)."""
    make_archive(staff["keeper"], tree.township_a, name="刘某", id_number=idn(1), level="section")
    names = "\n".join(["刘某 " + idn(1), *(f"赵{n:03d}" for n in range(2, persons + 1))])
    request = opinions.opinion_submit(
        actor=staff["org"], ref_no="随组函〔2026〕12号", purpose="promotion", persons_text=names
    )
    opinions.opinion_draft(actor=staff["keeper"], request=request, version=request.version)
    for office in ("petition_office", "case_management", "case_review"):
        request.refresh_from_db()
        opinions.opinion_endorse(actor=staff[office], request=request, version=request.version, office=office)
    request.refresh_from_db()
    opinions.opinion_sign(actor=staff["leader"], request=request, version=request.version)
    return request


@pytest.fixture
def org(staff, login):
    staff["org"].full_name = "孙组织"
    staff["org"].save()
    return login(staff["org"])


def _pdf(client, request, tmp_path):
    response = client.get(reverse("archives:opinion_pdf", args=[request.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    path = tmp_path / "reply.pdf"
    path.write_bytes(response.content)
    return path


def _docx(client, request):
    response = client.get(reverse("archives:opinion_docx", args=[request.pk]))
    assert response.status_code == 200
    return Document(io.BytesIO(response.content))


# --- PDF -----------------------------------------------------------------------------------------
def _page_numbers(pdf) -> list[dict]:
    """Per page, its width and the page number as laid out: the words on the line of the two dashes
    (一字线) in the bottom margin, under the type area (35 mm), from left to right (the watermark's
    names and times cross the margin too, rotated: never on that line). pdftotext -bbox gives every
    word with its box, in points."""
    html = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = []
    for attrs, body in re.findall(r"<page ([^>]*)>(.*?)</page>", html, flags=re.S):
        width = float(re.search(r'width="([\d.]+)"', attrs).group(1))
        height = float(re.search(r'height="([\d.]+)"', attrs).group(1))
        words = [
            (float(x0), float(y0), float(x1), float(y1), word)
            for x0, y0, x1, y1, word in re.findall(
                r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', body
            )
            if float(y0) > height - 35 / 25.4 * 72
        ]
        dashes = [w for w in words if w[4] == "—"]
        assert dashes, "no page number"
        # Upright glyphs of one line share their box's top and bottom exactly; a rotated watermark glyph
        # crossing the line does not (its box is the rotated glyph's), however near it comes.
        top, bottom = dashes[0][1], dashes[0][3]
        on_line = sorted(
            w
            for w in words
            if abs(w[1] - top) < 0.05 and abs(w[3] - bottom) < 0.05 and dashes[0][0] <= w[0] <= dashes[-1][2]
        )
        pages.append({"width": width, "words": [(w[0], w[2], w[4]) for w in on_line]})
    return pages


def test_the_pdf_letter_numbers_its_pages_odd_right_even_left(staff, tree, org, tmp_path):
    request = _signed(staff, tree, persons=40)  # long enough for more than two pages
    pages = _page_numbers(_pdf(org, request, tmp_path))
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        # "— N —": the number between two dashes (一字线).
        assert [w for *_, w in page["words"]] == ["—", str(number), "—"], page["words"]
        left, right = page["words"][0][0], page["words"][-1][1]
        if number % 2:
            assert left > page["width"] / 2, f"page {number} is odd: its number is at the right"
        else:
            assert right < page["width"] / 2, f"page {number} is even: its number is at the left"


def test_the_pdf_letter_has_the_red_mark_and_rule_and_the_watermark(staff, tree, org, tmp_path):
    from PIL import Image

    request = _signed(staff, tree, persons=3)
    pdf = _pdf(org, request, tmp_path)
    # The words as laid out, with their boxes: the watermark's rotated glyphs cross the page wherever
    # the time puts them, so reading order is no guide; each line of the letter is a word of its own.
    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", "1", "-l", "1", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    words = [
        (float(y0), word)
        for y0, word in re.findall(r'<word xMin="[-\d.]+" yMin="([-\d.]+)"[^>]*>([^<]*)</word>', html)
    ]

    def top_of(text: str) -> float:
        return next(y for y, word in words if text in word)

    mark = top_of(f"{tree.county.name}纪委监委文件")  # 发文机关标志
    number = top_of("复随组函〔2026〕12号")  # 发文字号
    assert mark < number < top_of("关于提拔任用人选")
    # The viewer's watermark: their name, which the letter itself does not contain.
    assert any("孙" in word for _, word in words)
    subprocess.run(
        ["pdftoppm", "-r", "100", "-f", "1", "-l", "1", "-png", str(pdf), str(tmp_path / "p")], check=True
    )
    image = Image.open(next(tmp_path.glob("p*.png"))).convert("RGB")
    width, height = image.size
    pixels = image.load()

    def red(x, y):
        r, g, b = pixels[x, y]
        return r > 200 and g < 90 and b < 90

    red_rows = [sum(red(x, y) for x in range(width)) for y in range(height // 3)]
    # The mark: red text in the first third of the page; the rule: one row red across most of the type
    # area (156 mm of 210 mm), which no line of text is.
    assert sum(red_rows) > 2000
    type_area = 156 / 210 * width
    assert max(red_rows) > 0.9 * type_area
    # Nothing else on the page is red: below the first third, no red pixel.
    assert not any(red(x, y) for y in range(height // 3, height) for x in range(0, width, 2))


# --- Word ----------------------------------------------------------------------------------------
def _footer_number(footer) -> tuple:
    paragraph = footer.paragraphs[0]
    xml = paragraph.paragraph_format.element
    instructions = [i.text for i in xml.iter(f"{W}instrText")]
    kinds = [f.get(f"{W}fldCharType") for f in xml.iter(f"{W}fldChar")]
    return paragraph, instructions, kinds


def test_the_word_letter_numbers_its_pages_in_the_footer(staff, tree, org):
    doc = _docx(org, _signed(staff, tree, persons=3))
    assert doc.settings.odd_and_even_pages_header_footer  # odd and even pages differ
    section = doc.sections[0]
    for footer, alignment in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),  # odd pages
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        paragraph, instructions, kinds = _footer_number(footer)
        assert [i.strip() for i in instructions] == ["PAGE"]
        assert kinds == ["begin", "separate", "end"]
        assert paragraph.text == "— 1 —"  # the field's shown value between the two dashes
        assert paragraph.alignment == alignment
        # One character (4号) in from the type area's edge, on the outer side.
        indent = paragraph.paragraph_format.right_indent or paragraph.paragraph_format.left_indent
        assert indent == Pt(14)
        for run in paragraph.runs:
            assert run.font.size == Pt(14)  # 4号
            fonts = run.element.rPr.find(f"{W}rFonts")
            assert fonts.get(f"{W}eastAsia") == "宋体" and fonts.get(f"{W}ascii") == "宋体"


def test_the_word_letter_has_the_red_mark_and_rule(staff, tree, org):
    doc = _docx(org, _signed(staff, tree, persons=3))
    mark, number = doc.paragraphs[0], doc.paragraphs[1]
    assert mark.text == f"{tree.county.name}纪委监委文件"
    assert all(str(run.font.color.rgb) == "E60012" for run in mark.runs)
    assert number.text == "复随组函〔2026〕12号"
    bottom = number.paragraph_format.element.find(f"{W}pPr/{W}pBdr/{W}bottom")
    assert bottom is not None and bottom.get(f"{W}color") == "E60012" and bottom.get(f"{W}val") == "single"


def test_the_word_letter_s_table_has_its_column_widths_on_the_grid(staff, tree, org):
    """LibreOffice lays a table out by its grid (w:gridCol) and Word by its cells (w:tcW): without the
    grid's widths LibreOffice drew four equal columns and the wording took twice the pages."""
    from docx.shared import Mm

    table = _docx(org, _signed(staff, tree, persons=3)).tables[0]
    widths = [Mm(14), Mm(22), Mm(36), Mm(84)]
    assert [round(column.width.mm) for column in table.columns] == [14, 22, 36, 84]  # the w:gridCol
    for row in table.rows:
        assert [round(cell.width.mm) for cell in row.cells] == [14, 22, 36, 84]  # each w:tcW
    assert sum(w.mm for w in widths) == pytest.approx(210 - 28 - 26)  # the type area


def test_the_word_letter_carries_the_viewers_watermark_on_every_page(staff, tree, org):
    from django.utils import timezone

    doc = _docx(org, _signed(staff, tree, persons=3))
    section = doc.sections[0]
    today = f"{timezone.localdate():%Y-%m-%d}"
    for header in (section.header, section.even_page_header):
        assert not header.is_linked_to_previous
        xml = header.paragraphs[0].paragraph_format.element
        shapes = list(xml.iter(f"{V}shape"))
        assert len(shapes) == 1
        assert shapes[0].get("type") == "#_x0000_t136"  # Word's text watermark (WordArt on a path)
        assert "rotation:315" in shapes[0].get("style") and shapes[0].get("fillcolor") == "silver"
        text = shapes[0].find(f"{V}textpath").get("string")
        assert text.startswith("孙组织 ") and today in text
    # The body is the letter only: the watermark is not text of the document.
    assert "孙组织" not in "".join(p.text for p in doc.paragraphs)


def test_each_download_is_watermarked_with_its_viewer(staff, tree, org, login):
    request = _signed(staff, tree, persons=3)
    staff["case_review"].full_name = "钱审理"
    staff["case_review"].save()
    reviewer = login(staff["case_review"])
    doc = _docx(reviewer, request)
    shape = next(doc.sections[0].header.paragraphs[0].paragraph_format.element.iter(f"{V}shape"))
    assert shape.find(f"{V}textpath").get("string").startswith("钱审理 ")


# --- pages ---------------------------------------------------------------------------------------
def test_the_archive_list_carries_the_viewers_watermark(staff, tree, login):
    staff["keeper"].full_name = "周干监"
    staff["keeper"].save()
    make_archive(staff["keeper"], tree.village_a)
    body = login(staff["keeper"]).get(reverse("archives:list")).content.decode()
    watermark = re.search(r'<div class="watermark" aria-hidden="true">(.*?)</div>', body, flags=re.S)
    assert watermark and "周干监" in watermark.group(1)
    assert "archives/archives.css" in body  # the style that lays the watermark over the page


def test_the_archive_lists_rows_reloaded_through_htmx_do_not_repeat_it(staff, tree, login):
    make_archive(staff["keeper"], tree.village_a)
    body = (
        login(staff["keeper"])
        .get(reverse("archives:list"), {"q": "王某"}, HTTP_HX_REQUEST="true")
        .content.decode()
    )
    assert 'class="watermark"' not in body and "王某" in body


def test_the_opinion_list_carries_the_viewers_watermark(staff, org):
    body = org.get(reverse("archives:opinions")).content.decode()
    watermark = re.search(r'<div class="watermark" aria-hidden="true">(.*?)</div>', body, flags=re.S)
    assert watermark and "孙组织" in watermark.group(1)
