"""Text limits per channel, counted the way each network counts.

The web form runs the same rules in ``web/static/js/limits.js``; both are held to the
vectors in ``tests/vectors/text_limits.json``.

- X: twitter-text config v3 (weighted code points, emoji 2, every URL 23, NFC). The
  reference is twitter-text-parser, whose own regular expressions and emoji list are used
  here; only the URL scan is driven from this module (see ``_x_urls``).
- Mastodon: ``StatusLengthValidator``: grapheme clusters, after every URL with a protocol
  became 23 characters and every ``@user@domain`` became ``@user``.
- Bluesky: ``app.bsky.feed.post`` ``maxGraphemes``: extended grapheme clusters.
- LinkedIn, Facebook: UTF-16 code units (``String.length``), never fewer than any other
  reading of "characters", so a text that passes here is not refused for length there.
- webhook, outbox: no limit; the count is grapheme clusters, for display only.

Bluesky also has a second limit, ``maxLength`` of the same record: 3,000 bytes of UTF-8.
A few hundred graphemes of emoji can pass the first and fail the second, so ``byte_check``
is checked as well (``BYTE_LIMITS``).

Images have rules per network too (``IMAGE_RULES``, ``image_problems``): how many, how large,
which types, and the alt text's length and whether it is required.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

from chalicelib.domain import media

LIMITS: dict[str, int | None] = {
    "x": 280,
    "mastodon": 500,
    "bluesky": 300,
    "linkedin": 3000,
    "facebook_page": 63206,
    "webhook": None,
    "outbox": None,
}

# Limits on the UTF-8 encoding of the text, besides the count above: Bluesky's
# app.bsky.feed.post text has maxLength 3000 (bytes) as well as maxGraphemes 300.
BYTE_LIMITS: dict[str, int] = {"bluesky": 3000}

# X (transformed_url_length) and Mastodon (URL_PLACEHOLDER) both count a link as 23.
URL_LENGTH = 23

# Both URL grammars come from twitter-text and backtrack super-linearly on long runs of
# domain-like characters (4000 characters of "a.a.a." take 40 s in twitter-text-parser).
# Past this estimate of scanning work, which takes a run of several hundred such
# characters without a space (a long CJK paragraph, a hundred emoji in a row), URLs keep
# their full length: the count can only grow, and the request stays fast. limits.js uses
# the same estimate, so both sides agree on where that happens.
URL_SCAN_BUDGET = 500_000

_SPACES = "\t-\r \x85\xa0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_INVALID = "\ufffe\ufeff\uffff"
_DIRECTIONAL = "\u202a-\u202e\u061c\u200e\u200f\u2066-\u2069"
_LATIN_ACCENTS = (
    "\xc0-\xd6\xd8-\xf6\xf8-\xff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259\u025b"
    "\u0263\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff"
)


@dataclass(frozen=True)
class LimitCheck:
    channel_type: str
    count: int
    limit: int | None
    ok: bool


def count(channel_type: str, text: str) -> int:
    """The length of ``text`` as the network behind ``channel_type`` measures it."""
    counter = _COUNTERS.get(channel_type)
    if counter is None:
        raise ValueError(f"unknown channel type {channel_type!r}")
    return counter(_as_sent(text))


def check(channel_type: str, text: str) -> LimitCheck:
    """The network's count against its limit; a byte limit is ``byte_check``'s."""
    n = count(channel_type, text)
    limit = LIMITS[channel_type]
    return LimitCheck(channel_type, n, limit, limit is None or n <= limit)


def byte_check(channel_type: str, text: str) -> LimitCheck:
    """``text``'s size in bytes of UTF-8, against the network's byte limit if it has one.

    The count is always the byte length; without a byte limit ``limit`` is None and the
    check is ok. A lone surrogate is sent as U+FFFD, three bytes, as in the browser.
    """
    if channel_type not in _COUNTERS:
        raise ValueError(f"unknown channel type {channel_type!r}")
    size = len(_as_sent(text).encode("utf-8"))
    limit = BYTE_LIMITS.get(channel_type)
    return LimitCheck(channel_type, size, limit, limit is None or size <= limit)


def x_has_url(text: str) -> bool:
    """Whether X sees a link in ``text`` (the links its counter counts as 23): what makes a
    post the dearer kind on X's pay-per-use pricing (``domain.pricing``)."""
    normalized = re.sub(r"\r\n|\r|\n", "\n", unicodedata.normalize("NFC", _as_sent(text)))
    return bool(_x_urls(normalized, _x_grammar()))


def _as_sent(text: str) -> str:
    """The text as it travels as JSON or a JavaScript string.

    A Python str may hold surrogate code points (from ``json.loads`` of ``"\\ud83d"``):
    paired ones are the character they encode, a lone one cannot be sent and becomes
    U+FFFD. This is also what the browser counts.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return text


def _utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _graphemes(text: str) -> int:
    import regex

    clusters = regex.findall(r"\X", text)
    # regex applies GB9c (Indic conjuncts, Unicode 15.1) without checking that the chain
    # starts with a consonant, so "'" + virama + "ह" comes out as one cluster where UAX #29
    # and Intl.Segmenter see two. Each such join is one cluster too few.
    loose = sum(len(_loose_conjunct().findall(c)) for c in clusters if len(c) > 1)
    return len(clusters) + loose


@cache
def _loose_conjunct() -> Any:
    import regex

    chain = r"[\p{InCB=Extend}\p{InCB=Linker}]*"
    return regex.compile(
        rf"(?<=(?:^|[^\p{{InCB=Consonant}}\p{{InCB=Extend}}\p{{InCB=Linker}}]){chain}"
        rf"\p{{InCB=Linker}}{chain})\p{{InCB=Consonant}}"
    )


def _scan_cost(text: str, chain: re.Pattern[str]) -> int:
    """Upper estimate of the URL scan's work: a match is tried at each position of a run of
    domain characters that does not follow an ASCII letter or digit, and each try can read
    to the end of the run."""
    cost = 0
    for run in chain.findall(text):
        tries = 1 + len(_NOT_ALNUM.findall(run, 0, len(run) - 1))
        cost += tries * len(run)
    return cost


_NOT_ALNUM = re.compile(r"[^A-Za-z0-9]")


def _tld_lists() -> tuple[list[str], list[str]]:
    from twitter_text.regexp.valid_cctld import valid_cctld
    from twitter_text.regexp.valid_gtld import valid_gtld

    def words(pattern: str) -> list[str]:
        return pattern[pattern.index("(?:(?:") + 6 : pattern.index(")(?=")].split("|")

    return words(valid_gtld.pattern), words(valid_cctld.pattern)


def _trie(words: Iterable[str]) -> str:
    """One alternation as a trie: the same strings match (no top-level domain is listed
    after a longer one it starts), but a miss costs a few steps instead of 1500."""
    root: dict[str, Any] = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        branches = [re.escape(c) + emit(child) for c, child in sorted(node.items()) if c]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(root)


# --- X -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _XGrammar:
    url: re.Pattern[str]
    ascii_domain: re.Pattern[str]
    tco: re.Pattern[str]
    no_protocol_before: re.Pattern[str]
    chain: re.Pattern[str]
    emoji: re.Pattern[str]
    config: dict[str, Any]


@cache
def _x_grammar() -> _XGrammar:
    from twitter_text.config import config
    from twitter_text.regexp.emoji import emoji
    from twitter_text.regexp.extract_url import extract_url
    from twitter_text.regexp.invalid_url_without_protocol_preceding_chars import (
        invalid_url_without_protocol_preceding_chars,
    )
    from twitter_text.regexp.valid_ascii_domain import valid_ascii_domain
    from twitter_text.regexp.valid_cctld import valid_cctld
    from twitter_text.regexp.valid_gtld import valid_gtld
    from twitter_text.regexp.valid_tco_url import valid_tco_url

    generic, country = _tld_lists()
    lookahead = "(?=[^0-9a-zA-Z@+-]|$))"
    fast = {
        valid_gtld.pattern: f"(?:{_trie(generic)}{lookahead}",
        valid_cctld.pattern: f"(?:{_trie(country)}{lookahead}",
    }

    def faster(pattern: re.Pattern[str]) -> re.Pattern[str]:
        source = pattern.pattern
        for slow, quick in fast.items():
            source = source.replace(slow, quick)
        return re.compile(source, pattern.flags)

    # twitter-text's domain characters, plus the three that join labels.
    chain = re.compile(r"[^!'#%&()*+,\\/:;<=>?@\[\]^{|}~$" + _SPACES + _INVALID + _DIRECTIONAL + "]+")
    return _XGrammar(
        url=faster(extract_url),
        ascii_domain=faster(valid_ascii_domain),
        tco=valid_tco_url,
        no_protocol_before=invalid_url_without_protocol_preceding_chars,
        chain=chain,
        emoji=emoji,
        config=config["version3"],
    )


def _idna_length(domain: str) -> int | None:
    try:
        return len(domain.encode("idna"))
    except ValueError:  # UnicodeError: an empty, over-long or prohibited label
        return None


def _x_urls(text: str, grammar: _XGrammar) -> dict[int, str]:
    """twitter-text-parser's ``extract_urls_with_indices``, on the faster expressions."""
    if "." not in text or _scan_cost(text, grammar.chain) > URL_SCAN_BUDGET:
        return {}
    urls: dict[int, str] = {}
    for match in grammar.url.finditer(text):
        _, before, url, protocol, domain, _, path, _ = match.groups()
        end = match.end()
        start = end - len(url)
        encoded = _idna_length(domain)
        if encoded is None or len(protocol or "https://") + len(url) + encoded - len(domain) > 4096:
            continue
        if protocol is None:
            if grammar.no_protocol_before.match(before):
                continue
            last: tuple[int, str] | None = None
            for ascii_match in grammar.ascii_domain.finditer(domain):
                last = (start + ascii_match.start(), ascii_match.group(0))
                urls[last[0]] = last[1]
            if last is not None and path:
                urls[last[0]] = url.replace(domain, last[1])
            continue
        tco = grammar.tco.search(url)
        if tco:
            if len(tco.group(1)) > 40:
                continue
            url = tco.group(0)
        urls[start] = url
    return urls


@cache
def _emoji_start() -> re.Pattern[str]:
    """Every sequence on twitter-text's emoji list starts with one of these. Trying the list
    only there is finditer's result, without its cost at every letter of a long text.
    Compiled on first use: the range up to U+10FFFF costs 8 ms of CPU to compile, which every
    cold start paid."""
    return re.compile("[#*0-9\xa9\xae\u203c-\U0010ffff]")


def _x_emojis(text: str, grammar: _XGrammar) -> dict[int, str]:
    emojis: dict[int, str] = {}
    end = 0
    for candidate in _emoji_start().finditer(text):
        if candidate.start() < end:
            continue
        match = grammar.emoji.match(text, candidate.start())
        if match:
            emojis[match.start()] = match.group(0)
            end = match.end()
    return emojis


def _count_x(text: str) -> int:
    grammar = _x_grammar()
    config = grammar.config
    normalized = re.sub(r"\r\n|\r|\n", "\n", unicodedata.normalize("NFC", text))
    urls = _x_urls(normalized, grammar)
    emojis = _x_emojis(normalized, grammar)
    weighted = 0
    index = 0
    while index < len(normalized):
        if index in urls:
            weighted += config["transformed_url_length"] * config["scale"]
            index += len(urls[index])
        elif index in emojis:
            weighted += config["default_weight"]
            index += len(emojis[index])
        else:
            code_point = ord(normalized[index])
            weighted += next(
                (r["weight"] for r in config["ranges"] if r["start"] <= code_point <= r["end"]),
                config["default_weight"],
            )
            index += 1
    return int(weighted // config["scale"])


# --- Mastodon ------------------------------------------------------------------------


@dataclass(frozen=True)
class _MastodonGrammar:
    url: Any
    tco: Any
    mention: Any
    end_mention: Any
    chain: re.Pattern[str]
    blank: Any


@cache
def _mastodon_grammar() -> _MastodonGrammar:
    """Mastodon's ``config/initializers/twitter_regex.rb`` over the twitter-text 3.1 gem,
    and ``Account::MENTION_RE``, in the ``regex`` module's syntax."""
    import regex

    generic, country = _tld_lists()
    domain_char = (
        r"[^\x00-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f\x85\xa0\u1680\u180e\u2000-\u200a"
        r"\u2028\u2029\u202f\u205f\u3000\ufffe\ufeff\uffff]"
    )
    subdomain = rf"(?:(?:{domain_char}(?:[_-]|{domain_char})*)?{domain_char}\.)"
    domain_name = rf"(?:(?:{domain_char}(?:-|{domain_char})*)?{domain_char}\.)"
    lookahead = r"(?=[^0-9a-z@+\-]|$)"
    tld = rf"(?:{_trie(generic)}){lookahead}|(?:{_trie(country)}){lookahead}|xn--[0-9a-z]+"
    domain = rf"(?:{subdomain}*{domain_name}(?:{tld}))"
    path_char = r"[^\p{White_Space}<>()?]"
    parens = rf"\((?:{path_char}+|(?:{path_char}*\({path_char}+\){path_char}*))\)"
    # The ending characters were interpolated before Mastodon redefined the balanced
    # parentheses, so they still carry the gem's narrower path characters.
    gem_path_char = rf"[a-z\p{{Script=Cyrillic}}0-9!*';:=+,.$/%#\[\]\-\u2013_~&|@{_LATIN_ACCENTS}]"
    gem_parens = rf"\((?:{gem_path_char}+|(?:{gem_path_char}*\({gem_path_char}+\){gem_path_char}*))\)"
    path_end = rf"(?:[^\p{{White_Space}}()?!*\"'「」<>;:=,.$%\[\]~&|@]|{gem_parens})"
    path = rf"(?:(?:{path_char}*(?:{parens}{path_char}*)*{path_end})|(?:{path_char}+/))"
    uchars = (
        r"\xa0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef\U00010000-\U0001fffd\U00020000-\U0002fffd"
        r"\U00030000-\U0003fffd\U00040000-\U0004fffd\U00050000-\U0005fffd"
        r"\U00060000-\U0006fffd\U00070000-\U0007fffd\U00080000-\U0008fffd"
        r"\U00090000-\U0009fffd\U000a0000-\U000afffd\U000b0000-\U000bfffd"
        r"\U000c0000-\U000cfffd\U000d0000-\U000dfffd\U000e1000-\U000efffd"
        r"\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd"
    )
    query = rf"[a-z0-9!?*'();:&=+$/%#\[\]\-_.,~|@\^{uchars}]"
    query_end = rf"[a-z0-9_&=#/\-{uchars}]"
    url = (
        r"(?:[^A-Z0-9@＠$#＃\ufffe\ufeff\uffff]|^)"
        r"(?P<url>(?P<protocol>(?:https?|dat|dweb|ipfs|ipns|ssb|gopher|gemini)://)?"
        rf"(?P<domain>{domain})(?::[0-9]+)?(?:/{path}*)?(?:\?{query}*{query_end})?)"
    )
    gem_query = r"[a-z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]"
    word = r"\p{L}\p{M}\p{Nd}\p{Pc}"  # Onigmo's [[:word:]]
    flags = regex.IGNORECASE | regex.MULTILINE | regex.V0
    return _MastodonGrammar(
        url=regex.compile(url, flags),
        tco=regex.compile(rf"^https?://t\.co/([a-z0-9]+)(?:\?{gem_query}*[a-z0-9\-_&=#/])?", flags),
        mention=regex.compile(
            rf"(?<![=/{word}])@([a-zA-Z0-9_]+(?:[.-]+[a-zA-Z0-9_]+)*(?:@[{word}]+(?:[.-]+[{word}]+)*)?)"
        ),
        end_mention=regex.compile(rf"[@＠{_LATIN_ACCENTS}]|://"),
        chain=re.compile(
            "[^\\x00-\\x2c\\x2f\\x3a-\\x40\\x5b-\\x5e\\x60\\x7b-\\x7f\\x85\\xa0\\u1680\\u180e"
            "\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufffe\\ufeff\\uffff]+"
        ),
        blank=regex.compile(r"[\p{White_Space}]*"),
    )


_TURKISH_I = {0x130: "i", 0x131: "i"}


def _mastodon_urls(text: str, grammar: _MastodonGrammar) -> list[tuple[int, int]]:
    """twitter-text's ``extract_urls_with_indices(extract_url_without_protocol: false)``."""
    if ":" not in text or _scan_cost(text, grammar.chain) > URL_SCAN_BUDGET:
        return []
    spans = []
    # Dotted and dotless i match "i" here, as under Python's re (the X reference) and in
    # limits.js; the regex module would take only one of them.
    for match in grammar.url.finditer(text.translate(_TURKISH_I)):
        if match.group("protocol") is None:
            continue
        start, end = match.span("url")
        tco = grammar.tco.search(match.group("url"))
        if tco:
            if len(tco.group(1)) > 40:
                continue
            end = start + len(tco.group(0))
        domain = text[slice(*match.span("domain"))]
        encoded = _idna_length(domain)
        if encoded is None or end - start + max(encoded - len(domain), 0) > 4096:
            continue
        spans.append((start, end))
    return spans


def _count_mastodon(text: str) -> int:
    grammar = _mastodon_grammar()
    if grammar.blank.fullmatch(text):
        return 0
    entities: list[tuple[int, int, str]] = [
        (start, end, "x" * URL_LENGTH) for start, end in _mastodon_urls(text, grammar)
    ]
    if "@" in text or "＠" in text:
        for match in grammar.mention.finditer(text):
            screen_name = match.group(1)
            domain = screen_name.partition("@")[2]
            if grammar.end_mention.match(text, match.end()) or len(domain) > 253:
                continue
            entities.append((match.start(1) - 1, match.end(1), "@" + screen_name.split("@")[0]))
    pieces: list[str] = []
    position = 0
    for start, end, replacement in sorted(entities, key=lambda entity: entity[0]):
        if start < position:
            continue  # overlaps the entity kept before it
        pieces += [text[position:start], replacement]
        position = end
    pieces.append(text[position:])
    return _graphemes("".join(pieces))


_COUNTERS: dict[str, Callable[[str], int]] = {
    "x": _count_x,
    "mastodon": _count_mastodon,
    "bluesky": _graphemes,
    "linkedin": _utf16_units,
    "facebook_page": _utf16_units,
    "webhook": _graphemes,
    "outbox": _graphemes,
}


# --- Images ----------------------------------------------------------------------------
#
# What each network takes, from its documentation (2026); limits.js carries the same table.
# Where a network downscales a large image instead of refusing it (Mastodon, Bluesky,
# Facebook), no pixel limit is listed: the bytes the reviewers approved are the bytes sent.
# - Mastodon: MediaAttachment IMAGE_LIMIT 16 MB, MAX_DESCRIPTION_LENGTH 1,500 characters;
#   statuses.max_media_attachments 4 (GET /api/v2/instance); JPEG, PNG, GIF, WebP (and more).
# - Bluesky: app.bsky.embed.images, at most 4 images, blob maxSize 2,000,000 bytes, accept
#   image/jpeg, image/png, image/webp here (a GIF is shown as a still); `alt` is a required
#   field and the app caps it at 2,000 graphemes.
# - X: media best practices: 4 images per post, images up to 5 MB, 8,192 pixels per side at
#   most; JPEG, PNG, WebP, GIF; media metadata alt_text.text up to 1,000 characters.
# - LinkedIn: Images API: JPG, PNG, GIF, at most 36,152,320 pixels; Posts API MultiImage
#   2 to 20 images; altText up to 4,086 characters. No byte limit is documented: the upload's.
# - Facebook Page: Page photos: JPEG, PNG, GIF (also BMP, TIFF, which Freigabe does not take)
#   up to 10 MB; a feed post attaches at most 10 photos; no alt text limit is documented.
# - webhook, outbox: what any upload may be (domain/media.py).
# Characters of alt text are counted as the network counts (Bluesky: graphemes) or as UTF-16
# code units, never fewer than code points, so an alt text that passes here passes there.

MB = 1_000_000
MIB = 1024 * 1024


@dataclass(frozen=True)
class ImageRules:
    max_images: int
    max_bytes: int
    types: tuple[str, ...]
    max_alt: int
    alt_counter: str = "utf16"  # or "graphemes"
    alt_required: bool = False  # by the network itself, whatever the workflow says
    max_pixels: int | None = None  # width × height
    max_side: int | None = None  # the longer side


_EVERY_TYPE = media.IMAGE_TYPES
_UPLOAD = media.MAX_UPLOAD_BYTES

IMAGE_RULES: dict[str, ImageRules] = {
    "mastodon": ImageRules(4, 16 * MIB, _EVERY_TYPE, 1_500),
    "bluesky": ImageRules(4, 2 * MB, (media.JPEG, media.PNG, media.WEBP), 2_000,
                          alt_counter="graphemes", alt_required=True),
    "x": ImageRules(4, 5 * MIB, _EVERY_TYPE, 1_000, max_side=8_192),
    "linkedin": ImageRules(20, _UPLOAD, (media.JPEG, media.PNG, media.GIF), 4_086,
                           max_pixels=36_152_320),
    "facebook_page": ImageRules(10, 10 * MIB, (media.JPEG, media.PNG, media.GIF),
                                media.MAX_ALT_CHARS),
    "webhook": ImageRules(media.MAX_IMAGES, _UPLOAD, _EVERY_TYPE, media.MAX_ALT_CHARS),
    "outbox": ImageRules(media.MAX_IMAGES, _UPLOAD, _EVERY_TYPE, media.MAX_ALT_CHARS),
}

TYPE_NAMES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WebP", "image/gif": "GIF"}


class ImageLike(Protocol):
    """What the image rules read of an image (domain.media.Image has it)."""

    @property
    def content_type(self) -> str: ...
    @property
    def size(self) -> int: ...
    @property
    def width(self) -> int: ...
    @property
    def height(self) -> int: ...
    @property
    def alt(self) -> str: ...


@dataclass(frozen=True)
class ImageProblem:
    """One rule a channel's network sets that an image breaks. ``key`` names the message
    (i18n); ``image`` is the image's position from 1 (0: the post's images as a whole)."""

    key: str
    image: int
    params: dict[str, int | str]


def megabytes(size: int) -> str:
    """A byte limit as people write it: 2,000,000 and 2 MiB both read "2"."""
    unit = MIB if size % MIB == 0 else MB
    value = size / unit
    return str(int(value)) if value.is_integer() else f"{value:.1f}"


def alt_length(channel_type: str, alt: str) -> int:
    """The alt text's length as the channel's network counts it."""
    counter = IMAGE_RULES[channel_type].alt_counter
    text = _as_sent(alt)
    return _graphemes(text) if counter == "graphemes" else _utf16_units(text)


def image_problems(channel_type: str, images: Iterable[ImageLike],
                   require_alt_text: bool) -> list[ImageProblem]:
    """Every rule of the network behind ``channel_type`` that ``images`` break, in order.
    ``require_alt_text``: the workflow's rule, on top of the network's."""
    rules = IMAGE_RULES.get(channel_type)
    if rules is None:
        raise ValueError(f"unknown channel type {channel_type!r}")
    listed = list(images)
    problems: list[ImageProblem] = []
    if len(listed) > rules.max_images:
        problems.append(ImageProblem("too_many_images", 0,
                                     {"count": len(listed), "limit": rules.max_images}))
    for position, image in enumerate(listed, start=1):
        if image.content_type not in rules.types:
            problems.append(ImageProblem("image_type", position, {
                "type": TYPE_NAMES.get(image.content_type, image.content_type),
                "types": ", ".join(TYPE_NAMES[t] for t in rules.types)}))
        if image.size > rules.max_bytes:
            problems.append(ImageProblem("image_too_large", position,
                                         {"limit": megabytes(rules.max_bytes)}))
        if rules.max_pixels is not None and image.width * image.height > rules.max_pixels:
            problems.append(ImageProblem("image_too_many_pixels", position, {
                "width": image.width, "height": image.height, "limit": rules.max_pixels}))
        if rules.max_side is not None and max(image.width, image.height) > rules.max_side:
            problems.append(ImageProblem("image_too_wide", position, {
                "width": image.width, "height": image.height, "limit": rules.max_side}))
        alt = image.alt.strip()
        if not alt:
            if rules.alt_required or require_alt_text:
                problems.append(ImageProblem("alt_missing", position, {}))
            continue
        length = alt_length(channel_type, alt)
        if length > rules.max_alt:
            problems.append(ImageProblem("alt_too_long", position,
                                         {"count": length, "limit": rules.max_alt}))
    return problems
