"""Fill the Traditional Chinese catalogues from their Simplified Chinese msgids (`make messages`).

The interface's source language is Simplified Chinese: every msgid is the Simplified text itself, so
the Traditional text is its conversion, character by character and by OpenCC's phrase tables ("s2tw":
纪检监察 → 紀檢監察, 发 → 發/髮 by the phrase around it). Placeholders (%(name)s, {{ value }}) and
markup are ASCII and pass unchanged. A translator who corrects an entry by hand marks it with the
comment `# reviewed`: this script leaves such entries as they are.

    python scripts/hant_catalogue.py src/jijian/locale/zh_Hant/LC_MESSAGES/django.po ...
"""

from __future__ import annotations

import sys

import polib
from opencc import OpenCC

REVIEWED = "reviewed"


def fill(path: str, converter: OpenCC) -> int:
    catalogue = polib.pofile(path, wrapwidth=100)
    catalogue.metadata.update(
        {
            "Language": "zh_Hant",
            "Language-Team": "jijian",
            "Last-Translator": "scripts/hant_catalogue.py (OpenCC s2tw)",
            "Plural-Forms": "nplurals=1; plural=0;",
        }
    )
    changed = 0
    for entry in catalogue:
        if entry.obsolete or REVIEWED in (entry.tcomment or "").split():
            continue
        if entry.msgid_plural:
            wanted = {0: converter.convert(entry.msgid_plural)}
            if entry.msgstr_plural != wanted:
                entry.msgstr_plural = wanted
                changed += 1
        else:
            wanted_text = converter.convert(entry.msgid)
            if entry.msgstr != wanted_text:
                entry.msgstr = wanted_text
                changed += 1
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    catalogue.metadata_is_fuzzy = []  # makemessages marks a new catalogue's header fuzzy
    catalogue.save(path)
    return changed


def main(paths: list[str]) -> None:
    converter = OpenCC("s2tw")
    for path in paths:
        print(f"{path}: {fill(path, converter)} 条已更新")


if __name__ == "__main__":
    main(sys.argv[1:])
