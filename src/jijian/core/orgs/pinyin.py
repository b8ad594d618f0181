from __future__ import annotations

from pypinyin import Style, lazy_pinyin


def initials(text: str) -> str:
    """Pinyin initials, lower case: "郑军" -> "zj". Non-Chinese characters are kept as they are."""
    return "".join(p[0] for p in lazy_pinyin(text, style=Style.FIRST_LETTER) if p).lower()[:50]
