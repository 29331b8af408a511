"""Text as a reader sees it, for matching keyword rules: the same text whatever code points
a writer used to type it. Only for matching — what is stored, hashed and published is the
text as written.

``for_matching`` applies, in order:

1. NFKC: fullwidth and other compatibility forms become the plain ones ("ＲＡＢＡＴＴ" →
   "RABATT", "％" and "﹪" → "%", ligatures, superscripts).
2. Drop invisible characters: every format character (category ``Cf``: soft hyphen,
   zero-width space/joiners, bidi controls, word joiner, BOM, tag characters …) and every
   other ``Default_Ignorable_Code_Point`` of Unicode (combining grapheme joiner, variation
   selectors, Hangul fillers, …), listed in ``_IGNORABLE_RANGES``.
3. Fold look-alikes (also before step 1, which would turn some into other letters): the
   Cyrillic and Greek letters that Unicode's confusables data (UTS #39, confusables.txt)
   maps to one Latin letter become that letter ("Rаbatt" with a Cyrillic "а" → "Rabatt").
   This is a table of the common Latin look-alikes, not the full UTS #39 skeleton: no
   maintained, small, pure-Python package provides the skeleton, and the full skeleton also
   folds Latin letters and digits into each other ("l", "I", "1"), which would make keywords
   match ordinary words they do not occur in.
4. Casefold, then fold look-alikes once more (a capital whose small letter is a look-alike).

Keywords and texts go through the same steps, so a keyword written with odd characters in
the workflow file matches the same texts as its plain spelling.
"""

from __future__ import annotations

import unicodedata

# Default_Ignorable_Code_Point (Unicode DerivedCoreProperties.txt) that are not all of
# category Cf; the Cf ones are dropped by category anyway and are listed for completeness.
_IGNORABLE_RANGES: tuple[tuple[int, int], ...] = (
    (0x00AD, 0x00AD),    # soft hyphen
    (0x034F, 0x034F),    # combining grapheme joiner
    (0x061C, 0x061C),    # Arabic letter mark
    (0x115F, 0x1160),    # Hangul choseong/jungseong fillers
    (0x17B4, 0x17B5),    # Khmer inherent vowels
    (0x180B, 0x180F),    # Mongolian free variation selectors, vowel separator
    (0x200B, 0x200F),    # zero-width space, ZWNJ, ZWJ, LRM, RLM
    (0x202A, 0x202E),    # bidi embeddings and overrides
    (0x2060, 0x206F),    # word joiner, invisible operators, bidi isolates, deprecated
    (0x3164, 0x3164),    # Hangul filler
    (0xFE00, 0xFE0F),    # variation selectors
    (0xFEFF, 0xFEFF),    # zero-width no-break space (BOM)
    (0xFFA0, 0xFFA0),    # halfwidth Hangul filler
    (0xFFF0, 0xFFF8),    # unassigned specials
    (0x1BCA0, 0x1BCA3),  # shorthand format controls
    (0x1D173, 0x1D17A),  # musical symbol format controls
    (0xE0000, 0xE0FFF),  # tags, variation selectors supplement
)

# Cyrillic and Greek letters -> the Latin letter they look like, after Unicode's
# confusables.txt (UTS #39). Digits (З→3, б→6) are left out: keywords are words. Unicode
# maps the capital iotas and the palochka to "l"; here they become "I", the letter they
# stand for before casefolding.
_LOOKALIKES: dict[str, str] = {
    # Cyrillic capitals
    "\u0405": "S", "\u0406": "I", "\u0408": "J", "\u0410": "A", "\u0412": "B",
    "\u0415": "E", "\u041a": "K", "\u041c": "M", "\u041d": "H", "\u041e": "O",
    "\u0420": "P", "\u0421": "C", "\u0422": "T", "\u0423": "Y", "\u0425": "X",
    "\u042c": "b", "\u0474": "V", "\u04ae": "Y", "\u04c0": "I", "\u050c": "G",
    "\u051c": "W",
    # Cyrillic small letters
    "\u0430": "a", "\u0433": "r", "\u0435": "e", "\u043e": "o", "\u0440": "p",
    "\u0441": "c", "\u0443": "y", "\u0445": "x", "\u0455": "s", "\u0456": "i",
    "\u0458": "j", "\u0461": "w", "\u0475": "v", "\u04af": "y", "\u04bb": "h",
    "\u04bd": "e", "\u04cf": "i", "\u0501": "d", "\u051b": "q", "\u051d": "w",
    "\ua647": "i",
    # Greek capitals
    "\u037f": "J", "\u0391": "A", "\u0392": "B", "\u0395": "E", "\u0396": "Z",
    "\u0397": "H", "\u0399": "I", "\u039a": "K", "\u039c": "M", "\u039d": "N",
    "\u039f": "O", "\u03a1": "P", "\u03a4": "T", "\u03a5": "Y", "\u03a7": "X",
    "\u03dc": "F", "\u03f9": "C", "\u03fa": "M",
    # Greek small letters
    "\u03b1": "a", "\u03b3": "y", "\u03b9": "i", "\u03bd": "v", "\u03bf": "o",
    "\u03c1": "p", "\u03c3": "o", "\u03c5": "u", "\u03f2": "c", "\u03f3": "j",
    "\u1d26": "r",
}
_FOLD = str.maketrans(_LOOKALIKES)


def is_ignorable(char: str) -> bool:
    """Invisible for a reader: a format character or a default-ignorable code point."""
    if unicodedata.category(char) == "Cf":
        return True
    code = ord(char)
    return any(low <= code <= high for low, high in _IGNORABLE_RANGES)


def for_matching(text: str) -> str:
    """``text`` as compared with keyword rules (see the module's docstring)."""
    # Folded before NFKC too: NFKC turns some look-alikes into other letters (the lunate
    # sigma "ϲ", a "c", would become "ς" and so an "o").
    compatible = unicodedata.normalize("NFKC", text.translate(_FOLD))
    visible = "".join(c for c in compatible if not is_ignorable(c))
    return visible.translate(_FOLD).casefold().translate(_FOLD)
