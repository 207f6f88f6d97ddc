"""Vietnamese text helpers."""
import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(value: str) -> str:
    """Lower-case, without diacritics, single-spaced: "Trường THPT Chu Văn An" -> "truong thpt chu van an"."""
    value = unicodedata.normalize("NFD", value or "")
    value = "".join(ch for ch in value if unicodedata.category(ch) != "Mn")
    value = value.replace("đ", "d").replace("Đ", "D")
    return _SPACES.sub(" ", value).strip().lower()


def curly_quotes(value: str, *, inner: bool = False) -> str:
    """Straight double quotes as Vietnamese curly ones, in pairs; `inner` uses ‘ ’ (quotes inside quotes)."""
    opening, closing = ("‘", "’") if inner else ("“", "”")
    parts = (value or "").split('"')
    text = parts[0]
    for index, part in enumerate(parts[1:]):
        text += (opening if index % 2 == 0 else closing) + part
    if inner:
        text = text.replace("“", "‘").replace("”", "’")
    return text


def campaign_phrase(name: str, word: str = "phong trào") -> str:
    """A campaign's name inside a sentence: "phong trào “Thi đua CCHC 2024”", but a name that already
    says it is a "Phong trào …" is written as it is, never "phong trào “Phong trào …”"."""
    name = _SPACES.sub(" ", name or "").strip()
    if fold(name).startswith(fold(word)):
        return curly_quotes(name)
    return f"{word} “{curly_quotes(name, inner=True)}”"


def slugify(value: str, max_length: int = 80) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", fold(value)).strip("-")
    return slug[:max_length].rstrip("-")
