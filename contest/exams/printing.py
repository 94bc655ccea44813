"""The sealed papers printed for the paper fallback (EXAMS.md §2): each paper (试卷) without
keys, its answer sheet (答题卡), and the key sheet (参考答案) for the organisers."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l

from contest.core.files import render_pdf
from contest.domain.exams import ItemType, Section
from contest.exams.models import ExamSetting
from contest.exams.setup import ExamRefused, PaperView, key_text, papers_of_exam

#: How a section of each type is headed on a paper.
HEADINGS = {
    ItemType.SINGLE: _l("Single-choice questions"),
    ItemType.MULTIPLE: _l("Multiple-choice questions"),
    ItemType.JUDGE: _l("True-or-false questions"),
    ItemType.FILL: _l("Fill-in-the-blank questions"),
    ItemType.SHORT: _l("Short-answer questions"),
}

#: Lines left for the answer to a short item on the answer sheet.
SHORT_LINES = 6

CHINESE_DIGITS = "零一二三四五六七八九"

EXAM_CSS = """
.exam-info { margin: 0 0 5mm; text-align: center; }
.exam-info span { display: inline-block; margin: 0 4mm; }
.exam-line { display: inline-block; min-width: 32mm; border-bottom: 0.6pt solid #111; }
.exam-section h2 { font-size: 12pt; margin: 5mm 0 2mm; break-after: avoid; }
.exam-item { margin: 0 0 3mm; break-inside: avoid; }
.exam-item .stem { margin: 0 0 1mm; }
.exam-item .options { margin: 0 0 0 6mm; padding: 0; list-style: none; }
.exam-item .options li { margin: 0 0 0.5mm; }
.exam-space { height: 30mm; }
.sheet-row { margin: 0 0 2mm; break-inside: avoid; }
.sheet-row .no { display: inline-block; width: 10mm; font-weight: 700; }
.sheet-box { display: inline-block; margin-right: 4mm; }
.sheet-lines div { border-bottom: 0.6pt solid #444; height: 8mm; }
.voided { color: #b91c1c; }
"""


def numeral(number: int) -> str:
    """A section's number as the paper's language writes it (一, 二, … 九十九 in Chinese)."""
    if get_locale() is None or get_locale().language != "zh" or not 0 < number < 100:
        return str(number)
    tens, units = divmod(number, 10)
    text = (CHINESE_DIGITS[tens] if tens > 1 else "") + ("十" if tens else "")
    return text + (CHINESE_DIGITS[units] if units else "")


def _plain(number: Decimal) -> str:
    text = format(number.normalize(), "f")
    return text


def heading(place: int, section: Section) -> str:
    """A section's heading: 一、单项选择题（每题 1 分，共 40 题）."""
    return gettext(
        "%(number)s. %(type)s (%(marks)s marks each, %(count)s items)",
        number=numeral(place),
        type=HEADINGS[section.type],
        marks=_plain(section.marks),
        count=section.count,
    )


def _paper(setting: ExamSetting, number: int) -> PaperView:
    found = papers_of_exam(setting)
    if not found.sealed:
        raise ExamRefused("not_sealed")
    if not 1 <= number <= len(found.papers):
        raise ExamRefused("no_paper", paper=number)
    return found.papers[number - 1]


def _context(setting: ExamSetting) -> dict:
    return {
        "trade": setting.trade,
        "event": setting.trade.event,
        "setting": setting,
        "heading": heading,
        "plain": _plain,
        "key_text": key_text,
        "ItemType": ItemType,
    }


def paper_pdf(setting: ExamSetting, number: int) -> bytes:
    """试卷: the paper's sections and items in drawn order, options A–H, no keys."""
    paper = _paper(setting, number)
    return render_pdf("pdf/exam_paper.html", EXAM_CSS, paper=paper, **_context(setting))


def answer_sheet_pdf(setting: ExamSetting, number: int) -> bytes:
    """答题卡: each item's number with a box per option (single, multiple, judge), or lines
    to write on (fill, short)."""
    paper = _paper(setting, number)
    return render_pdf(
        "pdf/exam_sheet.html", EXAM_CSS, paper=paper, short_lines=SHORT_LINES, **_context(setting)
    )


def key_pdf(setting: ExamSetting) -> bytes:
    """参考答案: every paper's keys (and the reference answers of short items), the voided
    items marked, for the organisers."""
    found = papers_of_exam(setting)
    if not found.sealed:
        raise ExamRefused("not_sealed")
    return render_pdf("pdf/exam_key.html", EXAM_CSS, papers=found.papers, **_context(setting))
