"""Arabic-aware text folding for search.

Both the stored search text and the user's query go through `fold`, so "مؤسسة", "موسسه" and
"مُؤَسَّسَة" all match, as do "Établissement" and "etablissement".
"""
import re
import unicodedata

# Arabic diacritics (harakat, tanwin, shadda, sukun, dagger alef, Quranic marks) and tatweel.
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
# Bidi controls and zero-width characters that users paste from other documents.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_ARABIC_MAP = str.maketrans({
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",
    "ؤ": "و", "ئ": "ي", "ء": "",
    "ى": "ي", "ی": "ي", "ک": "ك",
    "ة": "ه",
    # Arabic-Indic and Eastern Arabic-Indic digits to ASCII
    **{chr(0x0660 + i): str(i) for i in range(10)},
    **{chr(0x06F0 + i): str(i) for i in range(10)},
})
_SPACES = re.compile(r"\s+")


def fold(text):
    """Return `text` folded for matching: Arabic letter variants unified, diacritics, tatweel
    and Latin accents removed, case-folded, whitespace collapsed."""
    if not text:
        return ""
    text = _INVISIBLE.sub("", str(text))
    text = _ARABIC_MARKS.sub("", text)
    text = text.translate(_ARABIC_MAP)
    # Strip Latin combining accents (é -> e) without touching Arabic letters.
    text = "".join(c for c in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(c))
    text = unicodedata.normalize("NFC", text).casefold()
    return _SPACES.sub(" ", text).strip()


def fold_terms(query):
    """Split a search query into folded terms (empty terms dropped)."""
    return [t for t in fold(query).split(" ") if t]
