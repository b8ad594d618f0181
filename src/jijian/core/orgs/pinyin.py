"""Pinyin keys for search: initials ("zj") and full pinyin ("zhengjun"), lower case.

A surname is read as a surname: pypinyin reads a character by its most common reading, which for
some surnames is not theirs (曾 ceng → zeng, 单 dan → shan, 仇 chou → qiu, 区 qu → ou, 解 jie → xie,
覃 tan → qin…), so `person_name_syllables` reads the first one or two characters from SURNAMES when
they are one of these, and the rest of the name as pypinyin reads it. A name whose surname has two
readings in use (乐 yue/le) takes the one dictionaries give for the surname."""

from __future__ import annotations

from pypinyin import Style, lazy_pinyin

# Surnames whose reading differs from pypinyin's default reading of the character(s); the compound
# surnames first (a two-character match wins over its first character).
SURNAMES: dict[str, tuple[str, ...]] = {
    "单于": ("chan", "yu"),
    "尉迟": ("yu", "chi"),
    "万俟": ("mo", "qi"),
    "长孙": ("zhang", "sun"),
    "曾": ("zeng",),
    "单": ("shan",),
    "仇": ("qiu",),
    "区": ("ou",),
    "查": ("zha",),
    "盖": ("ge",),
    "乐": ("yue",),
    "覃": ("qin",),
    "朴": ("piao",),
    "解": ("xie",),
    "翟": ("zhai",),
    "缪": ("miao",),
    "薄": ("bo",),
    "柏": ("bai",),
    "员": ("yun",),
    "都": ("du",),
    "种": ("chong",),
    "繁": ("po",),
    "折": ("she",),
    "秘": ("bi",),
    "阚": ("kan",),
    "能": ("nai",),
    "隗": ("wei",),
    "句": ("gou",),
    "粘": ("nian",),
    "乜": ("nie",),
    "藏": ("zang",),
    "召": ("shao",),
    "佴": ("nai",),
    "洗": ("xian",),
    "祭": ("zhai",),
    "尉": ("wei",),
}


def initials(text: str) -> str:
    """Pinyin initials, lower case: "郑军" -> "zj". Non-Chinese characters are kept as they are."""
    return "".join(p[0] for p in lazy_pinyin(text, style=Style.FIRST_LETTER) if p).lower()[:50]


def person_name_syllables(name: str) -> list[str]:
    """The syllables of a person's name, the surname read as a surname: 曾伟 → ["zeng", "wei"]."""
    name = name.strip()
    for surname in (name[:2], name[:1]):
        if surname and surname in SURNAMES:
            rest = name[len(surname) :]
            return [*SURNAMES[surname], *(lazy_pinyin(rest, style=Style.NORMAL) if rest else [])]
    return lazy_pinyin(name, style=Style.NORMAL)


def person_name_keys(name: str) -> tuple[str, str]:
    """A person's name's initials and full pinyin, lower case: 曾伟 → ("zw", "zengwei")."""
    syllables = [s for s in person_name_syllables(name) if s]
    return "".join(s[0] for s in syllables).lower(), "".join(syllables).lower()
