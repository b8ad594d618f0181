"""The signed integrity opinion reply as a Word document in the layout of official documents
(GB/T 9704-2012 党政机关公文格式): A4; margins top 37 mm, bottom 35 mm, left (订口) 28 mm, right 26 mm;
the issuing body's mark (发文机关标志) in red, centred, with the red rule below the document number
(发文字号, built from the request's reference number); the title in 2号 (22 pt) 小标宋; the main
addressee (主送机关); the body in 3号 (16 pt) 仿宋_GB2312, first lines indented two characters; the
issuing body (落款) and the date (成文日期) at the right; the page number (页码) in the footer as
"— 1 —" in 4号 (14 pt) 宋体 half-width digits, about 7 mm under the type area, odd pages at the right
and even pages at the left, one character in from the edge of the type area (a PAGE field, so Word
and LibreOffice number the pages as they lay them out).

Watermark: like the PDF, the document carries who downloaded it and when, as Word's own text
watermark (设计 › 水印 › 自定义水印: a light grey diagonal VML text shape anchored in the header, behind
the text, on every page; Word and LibreOffice show it and print it).

Fonts: a .docx names its fonts, the reader's machine draws them. The body names 仿宋_GB2312 (the
standard's font, on most office machines in China) and the title 方正小标宋简体; where a machine
lacks them, Word and LibreOffice fall back by the font's panose and East Asian family to another
Song/FangSong face, so the letter stays readable. settings.ARCHIVES_DOCX_BODY_FONT and
ARCHIVES_DOCX_TITLE_FONT change them (e.g. "FangSong" on machines with the Windows font only)."""

from __future__ import annotations

import io
from xml.sax.saxutils import quoteattr

from django.conf import settings
from django.utils import timezone
from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from jijian.core.language import platform_language
from jijian.core.roles import Role

from .models import OpinionRequest

RED = RGBColor(0xE6, 0x00, 0x12)
BODY_PT = 16  # 3号
TITLE_PT = 22  # 2号
MARK_PT = 36  # the issuing body's mark: larger than the title (the standard leaves the size free)
TABLE_PT = 12  # 小四, for the table of persons
PAGE_NUMBER_PT = 14  # 4号
PAGE_NUMBER_FONT = "宋体"


def body_font() -> str:
    return str(getattr(settings, "ARCHIVES_DOCX_BODY_FONT", "仿宋_GB2312"))


def title_font() -> str:
    return str(getattr(settings, "ARCHIVES_DOCX_TITLE_FONT", "方正小标宋简体"))


def _font(run, name: str, size: int, *, bold: bool = False, color: RGBColor | None = None) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    # The East Asian font is a separate attribute: without it Word draws the Chinese text in the
    # theme's font, whatever font.name says.
    rpr = run.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:eastAsia", "w:ascii", "w:hAnsi"):
        fonts.set(qn(attr), name)


def _paragraph(
    doc, text: str, *, size: int = BODY_PT, font: str | None = None, align=None, indent=True, **kw
):
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing = Pt(28.95)  # 22 lines of 28 characters on the type area (GB/T 9704 §5.2.1)
    if align is not None:
        p.alignment = align
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    _font(p.add_run(text), font or body_font(), size, **kw)
    return p


def _red_rule(paragraph) -> None:
    """The red rule (分隔线) under the document number: a bottom border of the paragraph."""
    ppr = paragraph.paragraph_format.element.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "12"), ("w:space", "4"), ("w:color", "E60012")):
        bottom.set(qn(key), value)
    border.append(bottom)
    ppr.append(border)


def _page_number(footer, *, odd: bool) -> None:
    """The footer's page number, "— N —" with N a PAGE field: at the right one character in on odd
    pages, at the left on even pages (GB/T 9704 §7.5)."""
    p = footer.paragraphs[0]
    fmt = p.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    if odd:
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        fmt.right_indent = Pt(PAGE_NUMBER_PT)
    else:
        p.alignment = WD_ALIGN_PARAGRAPH.LEFT
        fmt.left_indent = Pt(PAGE_NUMBER_PT)

    def run(text: str = ""):
        r = p.add_run(text)
        _font(r, PAGE_NUMBER_FONT, PAGE_NUMBER_PT)
        return r

    run("— ")
    # A complex field: begin, the instruction, separate, the value shown until the reader updates it
    # (Word and LibreOffice do when they lay the pages out), end.
    run().element.append(_fld_char("begin"))
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = " PAGE "
    run().element.append(instruction)
    run().element.append(_fld_char("separate"))
    run("1")
    run().element.append(_fld_char("end"))
    run(" —")


def _fld_char(kind: str):
    element = OxmlElement("w:fldChar")
    element.set(qn("w:fldCharType"), kind)
    return element


# Word's own text watermark: the WordArt shape type it writes (136, text on a path) and a shape of that
# type centred on the page, rotated, light grey and half transparent, behind the text.
WATERMARK_XML = """<w:pict xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"
 xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"
 xmlns:w10="urn:schemas-microsoft-com:office:word">
<v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800"
 path="m@7,l@8,m@5,21600l@6,21600e">
<v:formulas><v:f eqn="sum #0 0 10800"/><v:f eqn="prod #0 2 1"/><v:f eqn="sum 21600 0 @1"/>
<v:f eqn="sum 0 0 @2"/><v:f eqn="sum 21600 0 @3"/><v:f eqn="if @0 @3 0"/><v:f eqn="if @0 21600 @1"/>
<v:f eqn="if @0 0 @2"/><v:f eqn="if @0 @4 21600"/><v:f eqn="mid @5 @6"/><v:f eqn="mid @8 @5"/>
<v:f eqn="mid @7 @8"/><v:f eqn="mid @6 @7"/><v:f eqn="sum @6 0 @5"/></v:formulas>
<v:path textpathok="t" o:connecttype="custom" o:connectlocs="@9,0;@10,10800;@11,21600;@12,10800"
 o:connectangles="270,180,90,0"/>
<v:textpath on="t" fitshape="t"/>
<v:handles><v:h position="#0,bottomRight" xrange="6629,14971"/></v:handles>
<o:lock v:ext="edit" text="t" shapetype="t"/>
</v:shapetype>
<v:shape id="PowerPlusWaterMarkObject{n}" o:spid="_x0000_s{spid}" type="#_x0000_t136"
 style="position:absolute;margin-left:0;margin-top:0;width:415pt;height:83pt;rotation:315;z-index:-251654144;mso-position-horizontal:center;mso-position-horizontal-relative:margin;mso-position-vertical:center;mso-position-vertical-relative:margin"
 o:allowincell="f" fillcolor="silver" stroked="f">
<v:fill opacity=".5"/>
<v:textpath style="font-family:&quot;{font}&quot;;font-size:1pt" string={text}/>
<w10:wrap anchorx="margin" anchory="margin"/>
</v:shape>
</w:pict>"""


def _watermark(header, text: str, *, n: int) -> None:
    """Word's text watermark with `text` (the viewer and the time), anchored in `header`: the header
    is on every page its section gives it, so the watermark is too. `n` numbers the shape."""
    xml = WATERMARK_XML.format(n=n, spid=2050 + n, font=PAGE_NUMBER_FONT, text=quoteattr(text))
    header.paragraphs[0].add_run().element.append(parse_xml(xml))


def watermark_text(viewer) -> str:
    """Who downloads the letter and when: the same words as the PDF's watermark."""
    return f"{viewer.full_name or viewer.username} {timezone.localtime():%Y-%m-%d %H:%M}"


def doc_number(request: OpinionRequest) -> str:
    """The reply's document number: the request's reference number it answers (复…)."""
    return f"复{request.ref_no}"


def reply_docx(request: OpinionRequest, *, viewer) -> bytes:
    """The signed reply as .docx (GB/T 9704 layout), watermarked with `viewer` and the time. The
    caller checked it is signed and audited. An official document: in its prescribed wording whatever
    the reader's language, as the PDF."""
    with platform_language():
        return _reply_docx(request, watermark=watermark_text(viewer))


def _reply_docx(request: OpinionRequest, *, watermark: str) -> bytes:
    issuer = f"{request.org_unit.name}纪委监委"
    persons = list(request.persons.all())
    endorsements = [str(Role(e.office).label) for e in request.endorsements.all()]
    doc = Document()
    section = doc.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    # Page numbers: odd pages at the right, even at the left, so the number is on the outer edge of a
    # document printed on both sides; the number's line starts about 7 mm under the type area.
    doc.settings.odd_and_even_pages_header_footer = True
    section.footer_distance = Mm(22)
    _page_number(section.footer, odd=True)
    _page_number(section.even_page_footer, odd=False)
    _watermark(section.header, watermark, n=1)
    _watermark(section.even_page_header, watermark, n=2)
    doc.core_properties.title = f"关于{request.get_purpose_display()}人选党风廉政意见的回复"
    doc.core_properties.author = issuer

    # 版头: the issuing body's mark in red, the document number, the red rule.
    _paragraph(
        doc,
        f"{issuer}文件",
        size=MARK_PT,
        font=title_font(),
        align=WD_ALIGN_PARAGRAPH.CENTER,
        indent=False,
        color=RED,
    ).paragraph_format.space_after = Pt(BODY_PT * 2)
    number = _paragraph(doc, doc_number(request), align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _red_rule(number)
    _paragraph(doc, "", indent=False)

    # 主体: title, main addressee, body, the table of persons, closing.
    _paragraph(
        doc,
        f"关于{request.get_purpose_display()}人选党风廉政意见的回复",
        size=TITLE_PT,
        font=title_font(),
        align=WD_ALIGN_PARAGRAPH.CENTER,
        indent=False,
    )
    _paragraph(doc, "", indent=False)
    _paragraph(doc, f"{request.org_unit.name}组织部：", indent=False)
    _paragraph(
        doc,
        f"你部《{request.ref_no}》收悉。经对{len(persons)}名同志的信访举报、问题线索、案件查办及处分等情况"
        "进行核查，现将意见回复如下：",
    )
    table = doc.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, ("序号", "姓名", "意见", "回复意见"), strict=True):
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(cell.paragraphs[0].add_run(text), body_font(), TABLE_PT, bold=True)
    for person in persons:
        row = table.add_row().cells
        values = (str(person.position), person.name, str(person.get_verdict_display()), person.wording)
        for cell, text in zip(row, values, strict=True):
            _font(cell.paragraphs[0].add_run(text), body_font(), TABLE_PT)
    # The widths on the grid (w:gridCol, which LibreOffice lays the table out by: without them it
    # draws four equal columns) and on each cell (w:tcW, which Word reads), in a fixed layout.
    table.autofit = False
    widths = (Mm(14), Mm(22), Mm(36), Mm(84))  # 序号 on one line; the type area is 156 mm
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width
    _paragraph(
        doc,
        f"以上意见经{'、'.join(endorsements)}核查会签，依据截至回复之日本机关掌握的情况作出。特此函复。",
    )

    # 落款 and 成文日期, right-aligned, four characters from the right margin.
    _paragraph(doc, "", indent=False)
    _paragraph(doc, "", indent=False)
    for text in (
        issuer,
        f"{timezone.localtime(request.signed_at):%Y年%-m月%-d日}" if request.signed_at else "",
    ):
        p = _paragraph(doc, text, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
        p.paragraph_format.right_indent = Pt(BODY_PT * 4)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
