"""Every language a resident can choose is complete, consistent with Japanese, and fits LINE.

A language is a folder of catalogues (civicline/messages/<code>/) and a glossary
(docs/languages/<code>.md). These tests hold each translated catalogue to the Japanese one: the same
files, keys, `{placeholders}` and shapes; LINE's limits for the kind of text a key is (found from how
the code uses it); and, outside Japanese, no Japanese left except the fixed terms its glossary lists.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from civicline import messages
from civicline.domain.applications.chat.menu import MENU
from civicline.domain.chat.replies import CARD_LABEL_MAX, QUICK_REPLY_LABEL_MAX
from civicline.richmenu.definition import MAX_CHAT_BAR_TEXT

ROOT = Path(__file__).resolve().parents[3]
CATALOGUES = Path(messages.__file__).parent
FORMS = CATALOGUES.parent / "forms"
GLOSSARIES = ROOT / "docs" / "languages"

JAPANESE = messages.DEFAULT_LANGUAGE
TRANSLATIONS = [lang for lang in messages.languages() if lang != JAPANESE]
# やさしい日本語 is Japanese: held to every rule but the one against Japanese script.
FOREIGN = [lang for lang in TRANSLATIONS if lang.split("-")[0] != "ja"]

# LINE's limits (Messaging API reference): message text 5,000 characters, alt text 400, an action's
# display text 300; labels as civicline.domain.chat.replies fits them; the rich menu's caption as its
# definition model allows.
TEXT_MAX = 5000
ALT_TEXT_MAX = 400
DISPLAY_TEXT_MAX = 300
CAPTION_MAX = 40

# Taps that are buttons on a card (Flex), not quick replies: settings_card.py, data_rights/erasure.py.
CARD_BUTTONS = frozenset(
    {
        "settings.card.change",
        "settings.card.restart",
        "data_rights.confirm.erase",
        "data_rights.confirm.cancel",
    }
)
# What a tap shows as the resident's own line (settings_questions.py, settings_card.py).
DISPLAY_TEXTS = frozenset(
    {"settings.genre.display_on", "settings.genre.display_off", "settings.card.change_display"}
)

# Placeholder values as long as the code passes them, to measure a filled message.
SAMPLES = {
    "year": "2026",
    "month": "12",
    "day": "31",
    "count": "999",
    "shown": "20",
    "limit": "20",
    "decade": "1990",
    "wareki": "平成元年",
    "min_year": "1900",
    "current_year": "2026",
    "step": "4",
    "total": "4",
    "minutes": "30",
    "min": "1",
    "max": "200",
    "length": "200",
    "reception_number": "KH-20261129-0001",
    "code": "160-0022",
}
SAMPLE_OTHER = "x" * 30  # a city's label, a masked value, a field name

# Kana in any form (not ・, the middle dot all CJK scripts share); Han ideographs (with 々 and 〆), which
# only Chinese may use.
KANA_RANGES = "\u3040-\u309f\u30a0-\u30fa\u30fc-\u30ff\u31f0-\u31ff\uff66-\uff9f"
KANA = re.compile(rf"[{KANA_RANGES}]+")
JAPANESE_SCRIPT = re.compile(rf"[\u3005\u3006\u3400-\u4dbf\u4e00-\u9fff{KANA_RANGES}]+")
# Japanese forms of kanji that Simplified Chinese writes otherwise (広→广, 請→请, 込 has none): a
# Japanese word copied into a Chinese sentence by mistake shows itself by one of these.
JAPANESE_ONLY_KANJI = frozenset(
    "広報請設変続録読選択応済図帰転歳円込払売気楽様確認個達問窓関係郵電話経験満記見発価値戻処況覧営単険難齢談対児連絡館"
    "実際単証書類済権総務課県鉄駅東線広場戸貸辺閲覧専門診療薬剤"
)


def _japanese_runs(lang: str, text: str) -> list[str]:
    """The stretches of `text` that are Japanese rather than the language's own script."""
    if lang.startswith("zh"):
        runs = KANA.findall(text)
        runs += [ch for ch in text if ch in JAPANESE_ONLY_KANJI]
        return runs
    return JAPANESE_SCRIPT.findall(text)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)


def _placeholders(value: Any) -> set[str]:
    return {name for text in _strings(value) for _, name, _, _ in string.Formatter().parse(text) if name}


def _shape(value: Any) -> Any:
    """What must match Japanese: strings, lists of strings (typed words: any number), maps (same keys)."""
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [sorted({_shape(item) for item in value}, key=str)]
    return type(value).__name__


def _file_keys(lang: str) -> dict[str, set[str]]:
    return {
        path.name: set((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).keys())
        for path in sorted((CATALOGUES / lang).glob("*.yaml"))
    }


def _form_label_keys() -> set[str]:
    """Keys a form uses as a quick reply: its kinds', steps' and choices' `label`."""

    def walk(node: Any) -> Iterator[str]:
        if isinstance(node, dict):
            for key, item in node.items():
                if key == "label" and isinstance(item, str):
                    yield item
                else:
                    yield from walk(item)
        elif isinstance(node, list):
            for item in node:
                yield from walk(item)

    return {
        key for path in FORMS.glob("*.yaml") for key in walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    }


QUICK_REPLY_KEYS = _form_label_keys() | {entry.label for entry in MENU}


def _limit(key: str) -> tuple[str, int]:
    """The kind of text a key is, by how the code uses it, and LINE's limit for that kind."""
    last = key.rsplit(".", 1)[-1]
    rules = (
        (key.startswith("richmenu.chat_bar."), "chat bar text", MAX_CHAT_BAR_TEXT),
        (key.startswith("richmenu.tile.") and last == "caption", "rich menu caption", CAPTION_MAX),
        (key in CARD_BUTTONS, "card button label", CARD_LABEL_MAX),
        (key in DISPLAY_TEXTS, "display text", DISPLAY_TEXT_MAX),
        (last == "alt_text", "alt text", ALT_TEXT_MAX),
        (
            key in QUICK_REPLY_KEYS
            or key.startswith("forms.label.")
            or re.fullmatch(r"(first_)?label(_\w+)?", last) is not None,
            "label",
            QUICK_REPLY_LABEL_MAX,
        ),
    )
    return next(((kind, limit) for applies, kind, limit in rules if applies), ("text", TEXT_MAX))


def _filled(lang: str, text: str) -> str:
    catalogue = messages.catalogue(lang)

    def longest(pattern: str) -> str:
        return max((v for k, v in catalogue.items() if re.fullmatch(pattern, k)), key=len)

    # {title} and {kind} are the language's own form titles and kinds: measure with the longest.
    longest_of = {
        "title": longest(r"forms\.\w+\.title"),
        "kind": longest(r"forms\.koho\.kind\.(?!prompt)\w+"),
    }
    values = {
        name: longest_of.get(name, SAMPLES.get(name, SAMPLE_OTHER))
        for _, name, _, _ in string.Formatter().parse(text)
        if name
    }
    return text.format(**values)


def glossary_terms(lang: str) -> set[str]:
    """The Japanese a language's glossary keeps inside its renderings, e.g. 大久保 in "Okubo (大久保)".

    Read from the glossary's tables (first column Japanese, second the rendering), so the docs and this
    test cannot drift apart.
    """
    path = GLOSSARIES / f"{lang}.md"
    terms: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not line.lstrip().startswith("|") or len(cells) < 2 or set(cells[0]) <= set("-: "):
            continue
        terms.update(_japanese_runs(lang, cells[1]))
    return terms


@pytest.mark.parametrize("lang", TRANSLATIONS)
def test_every_language_has_the_files_and_keys_of_japanese_and_nothing_else(lang: str) -> None:
    # Given the Japanese catalogue, which every resident falls back to
    japanese = _file_keys(JAPANESE)
    # When a translation's files are read
    translated = _file_keys(lang)
    # Then it has the same files, each with the same keys: no resident meets a Japanese fallback
    assert translated.keys() == japanese.keys(), f"{lang}: files differ from ja"
    for name, keys in japanese.items():
        assert not keys - translated[name], f"{lang}/{name} lacks {sorted(keys - translated[name])}"
        assert not translated[name] - keys, (
            f"{lang}/{name} has keys ja lacks {sorted(translated[name] - keys)}"
        )


@pytest.mark.parametrize("lang", TRANSLATIONS)
def test_every_message_keeps_the_placeholders_and_shape_of_japanese(lang: str) -> None:
    japanese = messages.catalogue(JAPANESE)
    for key, value in messages.catalogue(lang).items():
        if key not in japanese:
            continue  # reported by the test above
        assert _placeholders(value) == _placeholders(japanese[key]), f"{lang}: {key} placeholders"
        assert _shape(value) == _shape(japanese[key]), f"{lang}: {key} is shaped unlike ja"
        assert all(text.strip() for text in _strings(value)), f"{lang}: {key} is empty"


@pytest.mark.parametrize("lang", [JAPANESE, *TRANSLATIONS])
def test_every_message_fits_what_line_allows_for_its_kind(lang: str) -> None:
    too_long = []
    for key, value in messages.catalogue(lang).items():
        kind, limit = _limit(key)
        for text in _strings(value):
            filled = _filled(lang, text)
            if len(filled) > limit:
                too_long.append(f"{key} ({kind}, {len(filled)} > {limit}): {filled}")
    assert not too_long, f"{lang}:\n" + "\n".join(too_long)


@pytest.mark.parametrize("lang", FOREIGN)
def test_no_japanese_is_left_in_a_foreign_language_but_its_glossary_terms(lang: str) -> None:
    # Given the Japanese the language's glossary keeps on purpose (names on signs and mail)
    allowed = glossary_terms(lang)
    # When every message of the language is searched for Japanese script
    left = sorted(
        {
            f"{key}: {run}"
            for key, value in messages.catalogue(lang).items()
            for text in _strings(value)
            for run in _japanese_runs(lang, text)
            if not any(run in term for term in allowed)
        }
    )
    # Then the resident meets none they must understand
    assert not left, f"{lang}: Japanese outside docs/languages/{lang}.md:\n" + "\n".join(left)


@pytest.mark.parametrize("lang", TRANSLATIONS)
def test_every_language_has_a_glossary_with_its_fixed_terms(lang: str) -> None:
    path = GLOSSARIES / f"{lang}.md"
    assert path.is_file(), f"docs/languages/{lang}.md is missing"
    text = path.read_text(encoding="utf-8")
    for term in ("広報新宿", "新宿区", "受付番号", "受信設定"):
        assert term in text, f"{lang}: glossary lacks {term}"


def test_label_kinds_follow_how_the_code_uses_the_keys() -> None:
    # The classification above is the code's; a key it misreads would escape LINE's limits unseen.
    assert _limit("forms.koho.kind.new") == ("label", QUICK_REPLY_LABEL_MAX)
    assert _limit("forms.survey.satisfaction.5") == ("label", QUICK_REPLY_LABEL_MAX)
    assert _limit("applications_chat.menu.koho_new") == ("label", QUICK_REPLY_LABEL_MAX)
    assert _limit("settings.year.label_wareki") == ("label", QUICK_REPLY_LABEL_MAX)
    assert _limit("settings.more.first_label") == ("label", QUICK_REPLY_LABEL_MAX)
    assert _limit("intake.card.alt_text") == ("alt text", ALT_TEXT_MAX)
    assert _limit("intake.status.row_label")[0] == "text"
    assert _limit("richmenu.chat_bar.normal") == ("chat bar text", MAX_CHAT_BAR_TEXT)
