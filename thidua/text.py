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


# Vietnamese alphabetical order (as ICU's "vi" collation): letters with their vowel marks are letters
# of their own (a < ă < â, d < đ, o < ô < ơ, u < ư); tones break ties (none, huyền, hỏi, ngã, sắc, nặng);
# case breaks the last ties.
_ALPHABET = ["a", "ă", "â", "b", "c", "d", "đ", "e", "ê", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "ô",
             "ơ", "p", "q", "r", "s", "t", "u", "ư", "v", "w", "x", "y", "z"]
_LETTER = {letter: position for position, letter in enumerate(_ALPHABET)}
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}  # breve, circumflex, horn: part of the letter


def vietnamese_key(value: str) -> tuple:
    """A sort key that orders names as Vietnamese does: "Dương Xá" < "Đa Phúc", "Hà Đông" < "Ứng Hòa".

    The same order as PostgreSQL's ICU collation "vi" (the `COLLATION` below), so that a list sorted in
    Python, on SQLite and on PostgreSQL reads the same.
    """
    primary, tones, cases = [], [], []
    for char in unicodedata.normalize("NFC", value or ""):
        lower = char.lower()
        parts = unicodedata.normalize("NFD", lower)
        base = "".join(c for c in parts if c not in _TONES)
        letter = unicodedata.normalize("NFC", base)
        tone = next((_TONES[c] for c in parts if c in _TONES), 0)
        if letter in _LETTER:
            primary.append((2, _LETTER[letter]))
        elif letter.isdigit():
            primary.append((1, int(letter) if letter.isascii() else ord(letter)))
        elif letter.isspace():
            primary.append((0, 0))
        else:
            primary.append((0, ord(letter)))
        tones.append(tone)
        cases.append(0 if char == lower else 1)
    return tuple(primary), tuple(tones), tuple(cases)


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
