// Text limits per channel, counted the way each network counts: the web form's copy of
// chalicelib/domain/limits.py. Both are held to tests/vectors/text_limits.json, so a
// count shown while writing is the count the server checks. No dependencies; runs in
// Chromium and Node 20 (Intl.Segmenter, Unicode property escapes, String#toWellFormed).

export const LIMITS = Object.freeze({
  x: 280,
  mastodon: 500,
  bluesky: 300,
  linkedin: 3000,
  facebook_page: 63206,
  webhook: null,
  outbox: null,
});

// Limits on the UTF-8 encoding of the text, besides the count: Bluesky's post text has
// maxLength 3000 (bytes) as well as maxGraphemes 300. limits.py has the same table.
export const BYTE_LIMITS = Object.freeze({
  bluesky: 3000,
});

// X (transformed_url_length) and Mastodon (URL_PLACEHOLDER) both count a link as 23.
export const URL_LENGTH = 23;

// The URL grammars backtrack super-linearly on long runs of domain-like characters, which
// would freeze the form while typing. Above this estimate of scanning work URLs keep
// their full length; limits.py draws the line at the same place.
export const URL_SCAN_BUDGET = 500000;

const COUNTERS = {
  x: countX,
  mastodon: countMastodon,
  bluesky: graphemes,
  linkedin: (text) => text.length, // UTF-16 code units: never fewer than another reading
  facebook_page: (text) => text.length,
  webhook: graphemes,
  outbox: graphemes,
};

export function count(channelType, text) {
  const counter = Object.hasOwn(COUNTERS, channelType) ? COUNTERS[channelType] : null;
  if (counter === null) throw new RangeError(`unknown channel type ${channelType}`);
  // A lone surrogate cannot be sent; the server reads it as U+FFFD, and so do we.
  return counter(String(text).toWellFormed());
}

// The verdict the form shows and blocks on: the network's count first, as the server checks
// it; when that passes but the text is over the network's byte limit, the byte count and
// byte limit instead, so the form refuses what the API would refuse.
export function check(channelType, text) {
  const n = count(channelType, text);
  const limit = LIMITS[channelType];
  const verdict = { channelType, count: n, limit, ok: limit === null || n <= limit };
  if (!verdict.ok) return verdict;
  const bytes = byteCheck(channelType, text);
  return bytes.ok ? verdict : bytes;
}

const utf8 = new TextEncoder();

// The text's size in bytes of UTF-8 against the network's byte limit (limit null: none).
export function byteCheck(channelType, text) {
  if (!Object.hasOwn(COUNTERS, channelType)) throw new RangeError(`unknown channel type ${channelType}`);
  const n = utf8.encode(String(text)).length; // a lone surrogate: U+FFFD, 3 bytes
  const limit = Object.hasOwn(BYTE_LIMITS, channelType) ? BYTE_LIMITS[channelType] : null;
  return { channelType, count: n, limit, ok: limit === null || n <= limit };
}

// Image rules per network: limits.py's IMAGE_RULES (its comment names each network's
// documentation). Alt text is counted as graphemes (Bluesky) or UTF-16 code units.
const JPEG = 'image/jpeg';
const PNG = 'image/png';
const WEBP = 'image/webp';
const GIF = 'image/gif';
const EVERY_TYPE = [JPEG, PNG, WEBP, GIF];
const MB = 1000000;
const MIB = 1024 * 1024;
const MAX_IMAGES = 10; // domain/media.py: per post
const MAX_UPLOAD_BYTES = 10 * MIB;
const MAX_ALT_CHARS = 1500;

const rules = (maxImages, maxBytes, types, maxAlt, more = {}) => Object.freeze({
  max_images: maxImages,
  max_bytes: maxBytes,
  types: Object.freeze(types),
  max_alt: maxAlt,
  alt_counter: 'utf16',
  alt_required: false,
  max_pixels: null,
  max_side: null,
  ...more,
});

export const IMAGE_RULES = Object.freeze({
  mastodon: rules(4, 16 * MIB, EVERY_TYPE, 1500),
  bluesky: rules(4, 2 * MB, [JPEG, PNG, WEBP], 2000, { alt_counter: 'graphemes', alt_required: true }),
  x: rules(4, 5 * MIB, EVERY_TYPE, 1000, { max_side: 8192 }),
  linkedin: rules(20, MAX_UPLOAD_BYTES, [JPEG, PNG, GIF], 4086, { max_pixels: 36152320 }),
  facebook_page: rules(10, 10 * MIB, [JPEG, PNG, GIF], MAX_ALT_CHARS),
  webhook: rules(MAX_IMAGES, MAX_UPLOAD_BYTES, EVERY_TYPE, MAX_ALT_CHARS),
  outbox: rules(MAX_IMAGES, MAX_UPLOAD_BYTES, EVERY_TYPE, MAX_ALT_CHARS),
});

export const TYPE_NAMES = Object.freeze({ [JPEG]: 'JPEG', [PNG]: 'PNG', [WEBP]: 'WebP', [GIF]: 'GIF' });

// A byte limit as people write it: 2,000,000 and 2 MiB both read "2".
export function megabytes(size) {
  const value = size / (size % MIB === 0 ? MIB : MB);
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

// Python's str.strip(), which the server applies to alt text (String#trim differs at the edges:
// U+FEFF, U+001C-U+001F).
const PY_SPACE = '[\\t\\n\\x0b\\x0c\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const EDGE_SPACE = new RegExp(`^${PY_SPACE}+|${PY_SPACE}+$`, 'g');

export function stripped(text) {
  return String(text).replace(EDGE_SPACE, '');
}

export function altLength(channelType, alt) {
  const text = String(alt).toWellFormed();
  return IMAGE_RULES[channelType].alt_counter === 'graphemes' ? graphemes(text) : text.length;
}

// Every rule of the channel's network the images break, as the server finds them:
// [{ key, image (position from 1; 0 for the images as a whole), params }]. An image is
// { content_type, size, width, height, alt }; requireAltText is the workflow's rule.
export function imageProblems(channelType, images, requireAltText) {
  if (!Object.hasOwn(IMAGE_RULES, channelType)) throw new RangeError(`unknown channel type ${channelType}`);
  const rule = IMAGE_RULES[channelType];
  const problems = [];
  if (images.length > rule.max_images) {
    problems.push({ key: 'too_many_images', image: 0, params: { count: images.length, limit: rule.max_images } });
  }
  images.forEach((image, index) => {
    const position = index + 1;
    const { width, height } = image;
    if (!rule.types.includes(image.content_type)) {
      problems.push({ key: 'image_type', image: position, params: {
        type: TYPE_NAMES[image.content_type] ?? image.content_type,
        types: rule.types.map((t) => TYPE_NAMES[t]).join(', '),
      } });
    }
    if (image.size > rule.max_bytes) {
      problems.push({ key: 'image_too_large', image: position, params: { limit: megabytes(rule.max_bytes) } });
    }
    if (rule.max_pixels !== null && width * height > rule.max_pixels) {
      problems.push({ key: 'image_too_many_pixels', image: position, params: { width, height, limit: rule.max_pixels } });
    }
    if (rule.max_side !== null && Math.max(width, height) > rule.max_side) {
      problems.push({ key: 'image_too_wide', image: position, params: { width, height, limit: rule.max_side } });
    }
    const alt = stripped(String(image.alt ?? ''));
    if (!alt) {
      if (rule.alt_required || requireAltText) problems.push({ key: 'alt_missing', image: position, params: {} });
      return;
    }
    const length = altLength(channelType, alt);
    if (length > rule.max_alt) {
      problems.push({ key: 'alt_too_long', image: position, params: { count: length, limit: rule.max_alt } });
    }
  });
  return problems;
}

let segmenter = null;

// V8's Intl.Segmenter slows down quadratically with the length of the string (40 000
// characters: seconds), so a long text is segmented in pieces, cut only between two
// characters no rule of UAX #29 joins: letters, CJK, kana, Hangul syllables, pictographs
// (no marks, joiners, jamo, regional indicators, prepended or control characters).
const CUT = /[\x20-\x7E\u00C0-\u024F\u0370-\u03FF\u0400-\u0481\u05D0-\u05EA\u0620-\u064A\u0904-\u0939\u3041-\u3096\u30A0-\u30FF\u4E00-\u9FFF\uAC00-\uD7A3\p{Extended_Pictographic}](?=[\x20-\x7E\u00C0-\u024F\u0370-\u03FF\u0400-\u0481\u05D0-\u05EA\u0620-\u064A\u0904-\u0939\u3041-\u3096\u30A0-\u30FF\u4E00-\u9FFF\uAC00-\uD7A3\p{Extended_Pictographic}])/gu;
const PIECE = 256;

function graphemes(text) {
  segmenter ??= new Intl.Segmenter('en', { granularity: 'grapheme' });
  const segments = (piece) => {
    let n = 0;
    for (const _ of segmenter.segment(piece)) n += 1; // eslint-disable-line no-unused-vars
    return n;
  };
  let n = 0;
  let start = 0;
  const cut = new RegExp(CUT);
  cut.lastIndex = PIECE;
  for (let match = cut.exec(text); match !== null; match = cut.exec(text)) {
    const at = match.index + match[0].length;
    n += segments(text.slice(start, at));
    start = at;
    cut.lastIndex = at + PIECE;
  }
  return n + segments(text.slice(start));
}

function codePoints(text) {
  let n = 0;
  for (const _ of text) n += 1; // eslint-disable-line no-unused-vars
  return n;
}

// Upper estimate of the URL scan's work, as limits.py computes it: a match is tried at
// each position of a run of domain characters that does not follow an ASCII letter or
// digit, and each try can read to the end of the run.
function scanCost(text, chain) {
  let cost = 0;
  for (const [run] of text.matchAll(chain)) {
    const others = codePoints(run.replace(/[A-Za-z0-9]/g, '')) - (/[A-Za-z0-9]$/.test(run) ? 0 : 1);
    cost += (1 + others) * codePoints(run);
  }
  return cost;
}

// One alternation as a trie: the same strings match, but a miss costs a few steps.
function trie(words) {
  const root = new Map();
  for (const word of words) {
    let node = root;
    for (const char of word) {
      if (!node.has(char)) node.set(char, new Map());
      node = node.get(char);
    }
    node.set('', new Map());
  }
  const emit = (node) => {
    const branches = [...node.keys()].filter((c) => c).sort()
      .map((c) => c.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&') + emit(node.get(c)));
    if (branches.length === 0) return '';
    const body = branches.length === 1 ? branches[0] : `(?:${branches.join('|')})`;
    return node.has('') ? `(?:${body})?` : body;
  };
  return emit(root);
}

// Python's "idna" codec (IDNA 2003, RFC 3490/3491), which twitter-text-parser uses to
// accept a domain: each label, after nameprep, 1-63 ASCII characters once Punycoded.
// Returns the encoded length, or -1 when the codec would fail. Browsers implement IDNA
// 2008 (UTS 46), which refuses labels this accepts, e.g. one holding a zero-width joiner.
const R = String.raw;
const NAMEPREP_DROP = new RegExp(R`[\u{AD}\u{34F}\u{1806}\u{180B}-\u{180D}\u{200B}-\u{200D}\u{2060}\u{FE00}-\u{FE0F}\u{FEFF}]`, 'gu'); // RFC 3454 B.1
const NAMEPREP_PROHIBITED = new RegExp(R`[\u{80}-\u{A0}\u{340}-\u{341}\u{6DD}\u{70F}\u{1680}\u{180E}\u{2000}-\u{200F}\u{2028}-\u{202F}\u{205F}-\u{2063}\u{206A}-\u{206F}\u{2FF0}-\u{2FFB}\u{3000}\u{D800}-\u{F8FF}\u{FDD0}-\u{FDEF}\u{FEFF}\u{FFF9}-\u{FFFF}\u{1D173}-\u{1D17A}\u{1FFFE}-\u{1FFFF}\u{2FFFE}-\u{2FFFF}\u{3FFFE}-\u{3FFFF}\u{4FFFE}-\u{4FFFF}\u{5FFFE}-\u{5FFFF}\u{6FFFE}-\u{6FFFF}\u{7FFFE}-\u{7FFFF}\u{8FFFE}-\u{8FFFF}\u{9FFFE}-\u{9FFFF}\u{AFFFE}-\u{AFFFF}\u{BFFFE}-\u{BFFFF}\u{CFFFE}-\u{CFFFF}\u{DFFFE}-\u{DFFFF}\u{E0001}\u{E0020}-\u{E007F}\u{EFFFE}-\u{10FFFF}]`, 'u'); // C.1.2-C.9
const RAND_AL = R`[\u{5BE}\u{5C0}\u{5C3}\u{5D0}-\u{5EA}\u{5F0}-\u{5F4}\u{61B}\u{61F}\u{621}-\u{63A}\u{640}-\u{64A}\u{66D}-\u{66F}\u{671}-\u{6D5}\u{6DD}\u{6E5}-\u{6E6}\u{6FA}-\u{6FE}\u{700}-\u{70D}\u{710}\u{712}-\u{72C}\u{780}-\u{7A5}\u{7B1}\u{200F}\u{FB1D}\u{FB1F}-\u{FB28}\u{FB2A}-\u{FB36}\u{FB38}-\u{FB3C}\u{FB3E}\u{FB40}-\u{FB41}\u{FB43}-\u{FB44}\u{FB46}-\u{FBB1}\u{FBD3}-\u{FD3D}\u{FD50}-\u{FD8F}\u{FD92}-\u{FDC7}\u{FDF0}-\u{FDFC}\u{FE70}-\u{FE74}\u{FE76}-\u{FEFC}]`; // D.1
const BIDI = {
  rtl: new RegExp(RAND_AL, 'u'),
  rtlEnds: new RegExp(`^${RAND_AL}(?:.*${RAND_AL})?$`, 'su'),
  ltr: new RegExp(R`(?!${RAND_AL})[\p{L}\p{Mc}]`, 'u'), // D.2, closely enough
};

function nameprep(label) {
  const prepared = label.replace(NAMEPREP_DROP, '').toLowerCase().replace(/ß/g, 'ss').replace(/ς/g, 'σ').normalize('NFKC');
  if (NAMEPREP_PROHIBITED.test(prepared)) return null;
  if (BIDI.rtl.test(prepared) && (BIDI.ltr.test(prepared) || !BIDI.rtlEnds.test(prepared))) return null;
  return prepared;
}

function punycodeLength(label) { // RFC 3492; the length is all that is needed
  const codes = [...label].map((c) => c.codePointAt(0));
  const basic = codes.filter((c) => c < 0x80).length;
  let length = basic > 0 ? basic + 1 : 0;
  const adapt = (delta, points, first) => {
    let d = first ? Math.floor(delta / 700) : delta >> 1;
    d += Math.floor(d / points);
    let k = 0;
    for (; d > 455; k += 36) d = Math.floor(d / 35);
    return k + Math.floor((36 * d) / (d + 38));
  };
  let [n, delta, bias, handled] = [0x80, 0, 72, basic];
  while (handled < codes.length) {
    const next = Math.min(...codes.filter((c) => c >= n));
    delta += (next - n) * (handled + 1);
    n = next;
    for (const c of codes) {
      if (c < n) delta += 1;
      if (c !== n) continue;
      let q = delta;
      for (let k = 36; ; k += 36) {
        const t = k <= bias ? 1 : Math.min(k - bias, 26);
        if (q < t) break;
        length += 1;
        q = Math.floor((q - t) / (36 - t));
      }
      length += 1;
      bias = adapt(delta, handled + 1, handled === basic);
      delta = 0;
      handled += 1;
    }
    delta += 1;
    n += 1;
  }
  return length;
}

function idnaLength(domain) {
  const ascii = (text) => !/[^\x00-\x7F]/.test(text);
  const fits = (length) => (length > 0 && length < 64 ? length : -1);
  if (ascii(domain)) return domain.split('.').every((label) => fits(label.length) > 0) ? domain.length : -1;
  const labels = domain.split(/[.\u3002\uFF0E\uFF61]/);
  if (labels.length > 1 && labels.at(-1) === '') labels.pop(); // a trailing dot stays one
  let total = domain.length - domain.replace(/[.\u3002\uFF0E\uFF61]/g, '').length;
  for (const label of labels) {
    let length = -1;
    if (ascii(label)) length = fits(label.length);
    else {
      const prepared = nameprep(label);
      if (prepared !== null && ascii(prepared)) length = fits(prepared.length);
      else if (prepared !== null && !prepared.startsWith('xn--')) length = fits(4 + punycodeLength(prepared));
    }
    if (length < 0) return -1;
    total += length;
  }
  return total;
}

// Python's re, under IGNORECASE, matches dotted and dotless i as "i"; JavaScript folds
// neither. The URL scans run on a copy with both replaced (same length, same offsets).
function foldTurkishI(text) {
  return text.replace(/[\u0130\u0131]/g, 'i');
}

const SPACES = R`\t-\r \x85\xA0\u1680\u180E\u2000-\u200A\u2028\u2029\u202F\u205F\u3000`;
const INVALID = R`\uFFFE\uFEFF\uFFFF`;
const DIRECTIONAL = R`\u202A-\u202E\u061C\u200E\u200F\u2066-\u2069`;
const LATIN_ACCENTS = R`\xC0-\xD6\xD8-\xF6\xF8-\xFF\u0100-\u024F\u0253\u0254\u0256\u0257\u0259\u025B\u0263\u0268\u026F\u0272\u0289\u028B\u02BB\u0300-\u036F\u1E00-\u1EFF`;

// --- X: twitter-text config v3, with twitter-text-parser's expressions -------------------

const X_RANGES = [[0, 4351], [8192, 8205], [8208, 8223], [8242, 8247]]; // weight 1, else 2

let xGrammarCache = null;

function xGrammar() {
  if (xGrammarCache) return xGrammarCache;
  const dc = `[^${R`!'#%&()*+,\\\-./:;<=>?@\[\]\^_{|}~$`}${SPACES}${INVALID}${DIRECTIONAL}]`;
  const subdomain = R`(?:(?:${dc}(?:[_\-]|${dc})*)?${dc}\.)`;
  const domainName = R`(?:(?:${dc}(?:-|${dc})*)?${dc}\.)`;
  const ahead = R`(?=[^0-9a-zA-Z@+\-]|$)`;
  const tld = `(?:${trie(GENERIC_TLDS)}${ahead})|(?:${trie(COUNTRY_TLDS)}${ahead})|${R`(?:xn--[\-0-9a-z]+)`}`;
  const domain = `(?:${subdomain}*${domainName}(?:${tld}))`;
  const cyrillic = R`\u0400-\u04FF`;
  const pathChar = R`[a-z${cyrillic}0-9!*';:=+,.$/%#\[\]\-\u2013_~@|&${LATIN_ACCENTS}]`;
  const parens = R`\((?:${pathChar}+|(?:${pathChar}*\(${pathChar}+\)${pathChar}*))\)`;
  // Spliced in as text, as twitter-text does: its "|" splits the enclosing group.
  const pathEnd = R`[+\-a-z${cyrillic}0-9=_#/${LATIN_ACCENTS}]|(?:${parens})`;
  const path = R`(?:(?:${pathChar}*(?:${parens}${pathChar}*)*${pathEnd})|(?:@${pathChar}+/))`;
  const query = R`[a-z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]`;
  const queryEnd = R`[a-z0-9\-_&=#/]`;
  const before = R`(?:[^A-Za-z0-9@＠$#＃${INVALID}]|[${DIRECTIONAL}]|^)`;
  const flags = FLAGS.split(' ')
    .map((c) => String.fromCodePoint(0x1f1a5 + c.charCodeAt(0), 0x1f1a5 + c.charCodeAt(1)));
  // Emoji as sequences, not graphemes, because twitter-text counts sequences from its
  // list: a text-style variation selector, a dangling joiner or a skin tone after a
  // non-person stays separate characters there.
  const unit = R`(?:\u{1F3F4}[\u{E0020}-\u{E007E}]+\u{E007F}|\p{Emoji_Modifier_Base}\p{Emoji_Modifier}|(?![\u{1F1E6}-\u{1F1FF}\u{1F3FB}-\u{1F3FF}])\p{Emoji_Presentation}|\p{Extended_Pictographic}\uFE0F?)`;
  xGrammarCache = {
    url: new RegExp(R`((${before})((https?:\/\/)?(${domain})(?::([0-9]+))?(\/${path}*)?(\?${query}*${queryEnd})?))`, 'dgiu'),
    asciiDomain: new RegExp(R`(?:(?:[\-a-z0-9${LATIN_ACCENTS}]+)\.)+(?:${tld})`, 'giu'),
    tco: new RegExp(R`^https?:\/\/t\.co\/([a-z0-9]+)(?:\?${query}*${queryEnd})?`, 'iu'),
    chain: new RegExp(R`[^!'#%&()*+,\\/:;<=>?@\[\]\^{|}~$${SPACES}${INVALID}${DIRECTIONAL}]+`, 'gu'),
    emoji: new RegExp(R`${flags.join('|')}|[#*0-9]\uFE0F?\u20E3|${unit}(?:\u200D${unit})*`, 'gu'),
  };
  return xGrammarCache;
}

function xUrls(text, grammar) {
  const urls = new Map();
  if (!text.includes('.') || scanCost(text, grammar.chain) > URL_SCAN_BUDGET) return urls;
  const folded = foldTurkishI(text);
  for (const match of folded.matchAll(grammar.url)) {
    const [, , before, , protocol, , , path] = match;
    const [start, end] = match.indices[3];
    const [domainStart, domainEnd] = match.indices[5];
    let url = text.slice(start, end);
    const domain = text.slice(domainStart, domainEnd);
    const encoded = idnaLength(domain);
    const length = codePoints(protocol || 'https://') + codePoints(url) + encoded - codePoints(domain);
    if (encoded < 0 || length > 4096) continue;
    if (!protocol) {
      if (/^[-_./]$/.test(before)) continue;
      let last = null;
      for (const ascii of folded.slice(domainStart, domainEnd).matchAll(grammar.asciiDomain)) {
        last = [start + ascii.index, domain.slice(ascii.index, ascii.index + ascii[0].length)];
        urls.set(last[0], last[1]);
      }
      if (last && path) urls.set(last[0], url.split(domain).join(last[1]));
      continue;
    }
    const tco = grammar.tco.exec(folded.slice(start, end));
    if (tco) {
      if (codePoints(tco[1]) > 40) continue;
      url = url.slice(0, tco[0].length);
    }
    urls.set(start, url);
  }
  return urls;
}

function countX(text) {
  const grammar = xGrammar();
  const normalized = text.normalize('NFC').replace(/\r\n|\r|\n/g, '\n');
  const urls = xUrls(normalized, grammar);
  const emojis = new Map([...normalized.matchAll(grammar.emoji)].map((m) => [m.index, m[0]]));
  let weighted = 0;
  for (let i = 0; i < normalized.length;) {
    const entity = urls.get(i) ?? emojis.get(i);
    if (entity !== undefined) {
      weighted += urls.has(i) ? URL_LENGTH : 2;
      i += entity.length;
    } else {
      const codePoint = normalized.codePointAt(i);
      weighted += X_RANGES.some(([lo, hi]) => lo <= codePoint && codePoint <= hi) ? 1 : 2;
      i += codePoint > 0xffff ? 2 : 1;
    }
  }
  return weighted;
}

// --- Mastodon: StatusLengthValidator over twitter-text 3.1 as Mastodon amends it --------

let mastodonGrammarCache = null;

function mastodonGrammar() {
  if (mastodonGrammarCache) return mastodonGrammarCache;
  const dc = R`[^\x00-\x2F\x3A-\x40\x5B-\x60\x7B-\x7F\x85\xA0\u1680\u180E\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\uFFFE\uFEFF\uFFFF]`;
  const subdomain = R`(?:(?:${dc}(?:[_\-]|${dc})*)?${dc}\.)`;
  const domainName = R`(?:(?:${dc}(?:-|${dc})*)?${dc}\.)`;
  const ahead = R`(?=[^0-9a-z@+\-]|$)`;
  const tld = `(?:${trie(GENERIC_TLDS)})${ahead}|(?:${trie(COUNTRY_TLDS)})${ahead}|xn--[0-9a-z]+`;
  const domain = `(?:${subdomain}*${domainName}(?:${tld}))`;
  const pathChar = R`[^\p{White_Space}<>()?]`;
  const parens = R`\((?:${pathChar}+|(?:${pathChar}*\(${pathChar}+\)${pathChar}*))\)`;
  // Mastodon's ending characters were built before it redefined the balanced
  // parentheses, so they still carry the gem's narrower path characters.
  const gemChar = R`[a-z\p{Script=Cyrillic}0-9!*';:=+,.$/%#\[\]\-\u2013_~&|@${LATIN_ACCENTS}]`;
  const gemParens = R`\((?:${gemChar}+|(?:${gemChar}*\(${gemChar}+\)${gemChar}*))\)`;
  const pathEnd = R`(?:[^\p{White_Space}()?!*"'「」<>;:=,.$%\[\]~&|@]|${gemParens})`;
  const path = R`(?:(?:${pathChar}*(?:${parens}${pathChar}*)*${pathEnd})|(?:${pathChar}+\/))`;
  const uchars = R`\xA0-\uD7FF\uF900-\uFDCF\uFDF0-\uFFEF\u{10000}-\u{1FFFD}\u{20000}-\u{2FFFD}\u{30000}-\u{3FFFD}\u{40000}-\u{4FFFD}\u{50000}-\u{5FFFD}\u{60000}-\u{6FFFD}\u{70000}-\u{7FFFD}\u{80000}-\u{8FFFD}\u{90000}-\u{9FFFD}\u{A0000}-\u{AFFFD}\u{B0000}-\u{BFFFD}\u{C0000}-\u{CFFFD}\u{D0000}-\u{DFFFD}\u{E1000}-\u{EFFFD}\uE000-\uF8FF\u{F0000}-\u{FFFFD}\u{100000}-\u{10FFFD}`;
  const query = R`[a-z0-9!?*'();:&=+$/%#\[\]\-_.,~|@\^${uchars}]`;
  const queryEnd = R`[a-z0-9_&=#/\-${uchars}]`;
  const word = R`\p{L}\p{M}\p{Nd}\p{Pc}`; // Onigmo's [[:word:]]
  mastodonGrammarCache = {
    url: new RegExp(R`(?:[^A-Z0-9@＠$#＃\uFFFE\uFEFF\uFFFF]|^)(?<url>(?<protocol>(?:https?|dat|dweb|ipfs|ipns|ssb|gopher|gemini):\/\/)?(?<domain>${domain})(?::[0-9]+)?(?:\/${path}*)?(?:\?${query}*${queryEnd})?)`, 'dgimu'),
    tco: new RegExp(R`^https?:\/\/t\.co\/([a-z0-9]+)(?:\?[a-z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]*[a-z0-9\-_&=#/])?`, 'iu'),
    mention: new RegExp(R`(?<![=/${word}])@([a-zA-Z0-9_]+(?:[.\-]+[a-zA-Z0-9_]+)*(?:@[${word}]+(?:[.\-]+[${word}]+)*)?)`, 'gu'),
    endMention: new RegExp(R`[@＠${LATIN_ACCENTS}]|:\/\/`, 'uy'),
    chain: new RegExp(R`[^\x00-\x2C\x2F\x3A-\x40\x5B-\x5E\x60\x7B-\x7F\x85\xA0\u1680\u180E\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\uFFFE\uFEFF\uFFFF]+`, 'gu'),
    blank: /^\p{White_Space}*$/u,
  };
  return mastodonGrammarCache;
}

function mastodonUrls(text, grammar) {
  const spans = [];
  if (!text.includes(':') || scanCost(text, grammar.chain) > URL_SCAN_BUDGET) return spans;
  for (const match of foldTurkishI(text).matchAll(grammar.url)) {
    if (!match.groups.protocol) continue;
    const [start, urlEnd] = match.indices.groups.url;
    const domain = text.slice(...match.indices.groups.domain);
    let end = urlEnd;
    let length = codePoints(text.slice(start, end));
    const tco = grammar.tco.exec(match.groups.url);
    if (tco) {
      if (codePoints(tco[1]) > 40) continue;
      end = start + tco[0].length;
      length = codePoints(tco[0]);
    }
    const encoded = idnaLength(domain);
    if (encoded < 0 || length + Math.max(encoded - codePoints(domain), 0) > 4096) continue;
    spans.push([start, end]);
  }
  return spans;
}

function countMastodon(text) {
  const grammar = mastodonGrammar();
  if (grammar.blank.test(text)) return 0;
  const entities = mastodonUrls(text, grammar).map(([start, end]) => [start, end, 'x'.repeat(URL_LENGTH)]);
  if (text.includes('@') || text.includes('＠')) {
    for (const match of text.matchAll(grammar.mention)) {
      const screenName = match[1];
      const end = match.index + match[0].length;
      const at = screenName.indexOf('@');
      grammar.endMention.lastIndex = end;
      if (grammar.endMention.test(text) || (at >= 0 && codePoints(screenName.slice(at + 1)) > 253)) continue;
      entities.push([match.index, end, `@${at >= 0 ? screenName.slice(0, at) : screenName}`]);
    }
  }
  entities.sort((a, b) => a[0] - b[0]);
  let rewritten = '';
  let position = 0;
  for (const [start, end, replacement] of entities) {
    if (start < position) continue; // overlaps the entity kept before it
    rewritten += text.slice(position, start) + replacement;
    position = end;
  }
  return graphemes(rewritten + text.slice(position));
}

// --- Data: twitter-text 3's top-level domains, and the flags on its emoji list (12.0) ---

const GENERIC_TLDS = [
  '삼성|닷컴|닷넷|香格里拉|餐厅|食品|飞利浦|電訊盈科|集团|通販|购物|谷歌|诺基亚|联通|网络|网站|网店|网址|组织机构|移动|珠宝|点看|游戏|淡马锡|机构|書籍|时尚|新闻|政府|政务|招聘|手表|手机|我爱你|慈善|微博|广东|工行|家電|娱乐|天主教|大拿|大众汽车|在线|嘉里大酒店|嘉里|商标|商店',
  '商城|公益|公司|八卦|健康|信息|佛山|企业|中文网|中信|世界|ポイント|ファッション|セール|ストア|コム|グーグル|クラウド|みんな|คอม|संगठन|नेट|कॉम|همراه|موقع|موبايلي|كوم|كاثوليك|عرب|شبكة|بيتك|بازار|العليان|ارامكو',
  'اتصالات|ابوظبي|קום|сайт|рус|орг|онлайн|москва|ком|католик|дети|zuerich|zone|zippo|zip|zero|zara|zappos|yun|youtube|you|yokohama|yoga|yodobashi|yandex|yamaxun',
  'yahoo|yachts|xyz|xxx|xperia|xin|xihuan|xfinity|xerox|xbox|wtf|wtc|wow|world|works|work|woodside|wolterskluwer|wme|winners|wine|windows|win|williamhill|wiki|wien',
  'whoswho|weir|weibo|wedding|wed|website|weber|webcam|weatherchannel|weather|watches|watch|warman|wanggou|wang|walter|walmart|wales|vuelos|voyage|voto|voting|vote',
  'volvo|volkswagen|vodka|vlaanderen|vivo|viva|vistaprint|vista|vision|visa|virgin|vip|vin|villas|viking|vig|video|viajes|vet|versicherung|vermögensberatung',
  'vermögensberater|verisign|ventures|vegas|vanguard|vana|vacations|ups|uol|uno|university|unicom|uconnect|ubs|ubank|tvs|tushu|tunes|tui|tube|trv|trust',
  'travelersinsurance|travelers|travelchannel|travel|training|trading|trade|toys|toyota|town|tours|total|toshiba|toray|top|tools|tokyo|today|tmall|tkmaxx|tjx',
  'tjmaxx|tirol|tires|tips|tiffany|tienda|tickets|tiaa|theatre|theater|thd|teva|tennis|temasek|telefonica|telecity|tel|technology|tech|team|tdk|tci|taxi|tax|tattoo',
  'tatar|tatamotors|target|taobao|talk|taipei|tab|systems|symantec|sydney|swiss|swiftcover|swatch|suzuki|surgery|surf|support|supply|supplies|sucks|style|study',
  'studio|stream|store|storage|stockholm|stcgroup|stc|statoil|statefarm|statebank|starhub|star|staples|stada|srt|srl|spreadbetting|spot|sport|spiegel|space|soy',
  'sony|song|solutions|solar|sohu|software|softbank|social|soccer|sncf|smile|smart|sling|skype|sky|skin|ski|site|singles|sina|silk|shriram|showtime|show|shouji',
  'shopping|shop|shoes|shiksha|shia|shell|shaw|sharp|shangrila|sfr|sexy|sex|sew|seven|ses|services|sener|select|seek|security|secure|seat|search|scot|scor',
  'scjohnson|science|schwarz|schule|school|scholarships|schmidt|schaeffler|scb|sca|sbs|sbi|saxo|save|sas|sarl|sapo|sap|sanofi|sandvikcoromant|sandvik|samsung',
  'samsclub|salon|sale|sakura|safety|safe|saarland|ryukyu|rwe|run|ruhr|rugby|rsvp|room|rogers|rodeo|rocks|rocher|rmit|rip|rio|ril|rightathome|ricoh|richardli|rich',
  'rexroth|reviews|review|restaurant|rest|republican|report|repair|rentals|rent|ren|reliance|reit|reisen|reise|rehab|redumbrella|redstone|red|recipes|realty',
  'realtor|realestate|read|raid|radio|racing|qvc|quest|quebec|qpon|pwc|pub|prudential|pru|protection|property|properties|promo|progressive|prof|productions|prod',
  'pro|prime|press|praxi|pramerica|post|porn|politie|poker|pohl|pnc|plus|plumbing|playstation|play|place|pizza|pioneer|pink|ping|pin|pid|pictures|pictet|pics',
  'piaget|physio|photos|photography|photo|phone|philips|phd|pharmacy|pfizer|pet|pccw|pay|passagens|party|parts|partners|pars|paris|panerai|panasonic|pamperedchef',
  'page|ovh|ott|otsuka|osaka|origins|orientexpress|organic|org|orange|oracle|open|ooo|onyourside|online|onl|ong|one|omega|ollo|oldnavy|olayangroup|olayan|okinawa',
  'office|off|observer|obi|nyc|ntt|nrw|nra|nowtv|nowruz|now|norton|northwesternmutual|nokia|nissay|nissan|ninja|nikon|nike|nico|nhk|ngo|nfl|nexus|nextdirect|next',
  'news|newholland|new|neustar|network|netflix|netbank|net|nec|nba|navy|natura|nationwide|name|nagoya|nadex|nab|mutuelle|mutual|museum|mtr|mtpc|mtn|msd|movistar',
  'movie|mov|motorcycles|moto|moscow|mortgage|mormon|mopar|montblanc|monster|money|monash|mom|moi|moe|moda|mobily|mobile|mobi|mma|mls|mlb|mitsubishi|mit|mint|mini',
  'mil|microsoft|miami|metlife|merckmsd|meo|menu|men|memorial|meme|melbourne|meet|media|med|mckinsey|mcdonalds|mcd|mba|mattel|maserati|marshalls|marriott|markets',
  'marketing|market|map|mango|management|man|makeup|maison|maif|madrid|macys|luxury|luxe|lupin|lundbeck|ltda|ltd|lplfinancial|lpl|love|lotto|lotte|london|lol|loft',
  'locus|locker|loans|loan|llp|llc|lixil|living|live|lipsy|link|linde|lincoln|limo|limited|lilly|like|lighting|lifestyle|lifeinsurance|life|lidl|liaison|lgbt|lexus',
  'lego|legal|lefrak|leclerc|lease|lds|lawyer|law|latrobe|latino|lat|lasalle|lanxess|landrover|land|lancome|lancia|lancaster|lamer|lamborghini|ladbrokes|lacaixa',
  'kyoto|kuokgroup|kred|krd|kpn|kpmg|kosher|komatsu|koeln|kiwi|kitchen|kindle|kinder|kim|kia|kfh|kerryproperties|kerrylogistics|kerryhotels|kddi|kaufen|juniper',
  'juegos|jprs|jpmorgan|joy|jot|joburg|jobs|jnj|jmp|jll|jlc|jio|jewelry|jetzt|jeep|jcp|jcb|java|jaguar|iwc|iveco|itv|itau|istanbul|ist|ismaili|iselect|irish',
  'ipiranga|investments|intuit|international|intel|int|insure|insurance|institute|ink|ing|info|infiniti|industries|inc|immobilien|immo|imdb|imamat|ikano|iinet|ifm',
  'ieee|icu|ice|icbc|ibm|hyundai|hyatt|hughes|htc|hsbc|how|house|hotmail|hotels|hoteles|hot|hosting|host|hospital|horse|honeywell|honda|homesense|homes|homegoods',
  'homedepot|holiday|holdings|hockey|hkt|hiv|hitachi|hisamitsu|hiphop|hgtv|hermes|here|helsinki|help|healthcare|health|hdfcbank|hdfc|hbo|haus|hangout|hamburg|hair',
  'guru|guitars|guide|guge|gucci|guardian|group|grocery|gripe|green|gratis|graphics|grainger|gov|got|gop|google|goog|goodyear|goodhands|goo|golf|goldpoint|gold',
  'godaddy|gmx|gmo|gmbh|gmail|globo|global|gle|glass|glade|giving|gives|gifts|gift|ggee|george|genting|gent|gea|gdn|gbiz|gay|garden|gap|games|game|gallup|gallo',
  'gallery|gal|fyi|futbol|furniture|fund|fun|fujixerox|fujitsu|ftr|frontier|frontdoor|frogans|frl|fresenius|free|fox|foundation|forum|forsale|forex|ford|football',
  'foodnetwork|food|foo|fly|flsmidth|flowers|florist|flir|flights|flickr|fitness|fit|fishing|fish|firmdale|firestone|fire|financial|finance|final|film|fido',
  'fidelity|fiat|ferrero|ferrari|feedback|fedex|fast|fashion|farmers|farm|fans|fan|family|faith|fairwinds|fail|fage|extraspace|express|exposed|expert|exchange',
  'everbank|events|eus|eurovision|etisalat|esurance|estate|esq|erni|ericsson|equipment|epson|epost|enterprises|engineering|engineer|energy|emerck|email|education',
  'edu|edeka|eco|eat|earth|dvr|dvag|durban|dupont|duns|dunlop|duck|dubai|dtv|drive|download|dot|doosan|domains|doha|dog|dodge|doctor|docs|dnp|diy|dish|discover',
  'discount|directory|direct|digital|diet|diamonds|dhl|dev|design|desi|dentist|dental|democrat|delta|deloitte|dell|delivery|degree|deals|dealer|deal|dds|dclk|day',
  'datsun|dating|date|data|dance|dad|dabur|cyou|cymru|cuisinella|csc|cruises|cruise|crs|crown|cricket|creditunion|creditcard|credit|cpa|courses|coupons|coupon',
  'country|corsica|coop|cool|cookingchannel|cooking|contractors|contact|consulting|construction|condos|comsec|computer|compare|company|community|commbank|comcast',
  'com|cologne|college|coffee|codes|coach|clubmed|club|cloud|clothing|clinique|clinic|click|cleaning|claims|cityeats|city|citic|citi|citadel|cisco|circle|cipriani',
  'church|chrysler|chrome|christmas|chloe|chintai|cheap|chat|chase|charity|channel|chanel|cfd|cfa|cern|ceo|center|ceb|cbs|cbre|cbn|cba|catholic|catering|cat|casino',
  'cash|caseih|case|casa|cartier|cars|careers|career|care|cards|caravan|car|capitalone|capital|capetown|canon|cancerresearch|camp|camera|cam|calvinklein|call|cal',
  'cafe|cab|bzh|buzz|buy|business|builders|build|bugatti|budapest|brussels|brother|broker|broadway|bridgestone|bradesco|box|boutique|bot|boston|bostik|bosch|boots',
  'booking|book|boo|bond|bom|bofa|boehringer|boats|bnpparibas|bnl|bmw|bms|blue|bloomberg|blog|blockbuster|blanco|blackfriday|black|biz|bio|bingo|bing|bike|bid',
  'bible|bharti|bet|bestbuy|best|berlin|bentley|beer|beauty|beats|bcn|bcg|bbva|bbt|bbc|bayern|bauhaus|basketball|baseball|bargains|barefoot|barclays|barclaycard',
  'barcelona|bar|bank|band|bananarepublic|banamex|baidu|baby|azure|axa|aws|avianca|autos|auto|author|auspost|audio|audible|audi|auction|attorney|athleta|associates',
  'asia|asda|arte|art|arpa|army|archi|aramco|arab|aquarelle|apple|app|apartments|aol|anz|anquan|android|analytics|amsterdam|amica|amfam|amex|americanfamily',
  'americanexpress|alstom|alsace|ally|allstate|allfinanz|alipay|alibaba|alfaromeo|akdn|airtel|airforce|airbus|aigo|aig|agency|agakhan|africa|afl|afamilycompany',
  'aetna|aero|aeg|adult|ads|adac|actor|active|aco|accountants|accountant|accenture|academy|abudhabi|abogado|able|abc|abbvie|abbott|abb|abarth|aarp|aaa|onion',
].join('|').split('|');
const COUNTRY_TLDS = [
  '한국|香港|澳門|新加坡|台灣|台湾|中國|中国|გე|ລາວ|ไทย|ලංකා|ഭാരതം|ಭಾರತ|భారత్|சிங்கப்பூர்|இலங்கை|இந்தியா|ଭାରତ|ભારત|ਭਾਰਤ|ভাৰত|ভারত|বাংলা|भारोत|भारतम्|भारत|ڀارت|پاکستان|موريتانيا',
  'مليسيا|مصر|قطر|فلسطين|عمان|عراق|سورية|سودان|تونس|بھارت|بارت|ایران|امارات|المغرب|السعودية|الجزائر|البحرين|الاردن|հայ|қаз|укр|срб|рф|мон|мкд|ею|бел|бг|ευ|ελ|zw|zm',
  'za|yt|ye|ws|wf|vu|vn|vi|vg|ve|vc|va|uz|uy|us|um|uk|ug|ua|tz|tw|tv|tt|tr|tp|to|tn|tm|tl|tk|tj|th|tg|tf|td|tc|sz|sy|sx|sv|su|st|ss|sr|so|sn|sm|sl|sk|sj|si|sh|sg',
  'se|sd|sc|sb|sa|rw|ru|rs|ro|re|qa|py|pw|pt|ps|pr|pn|pm|pl|pk|ph|pg|pf|pe|pa|om|nz|nu|nr|np|no|nl|ni|ng|nf|ne|nc|na|mz|my|mx|mw|mv|mu|mt|ms|mr|mq|mp|mo|mn|mm|ml',
  'mk|mh|mg|mf|me|md|mc|ma|ly|lv|lu|lt|ls|lr|lk|li|lc|lb|la|kz|ky|kw|kr|kp|kn|km|ki|kh|kg|ke|jp|jo|jm|je|it|is|ir|iq|io|in|im|il|ie|id|hu|ht|hr|hn|hm|hk|gy|gw|gu',
  'gt|gs|gr|gq|gp|gn|gm|gl|gi|gh|gg|gf|ge|gd|gb|ga|fr|fo|fm|fk|fj|fi|eu|et|es|er|eh|eg|ee|ec|dz|do|dm|dk|dj|de|cz|cy|cx|cw|cv|cu|cr|co|cn|cm|cl|ck|ci|ch|cg|cf|cd',
  'cc|ca|bz|by|bw|bv|bt|bs|br|bq|bo|bn|bm|bl|bj|bi|bh|bg|bf|be|bd|bb|ba|az|ax|aw|au|at|as|ar|aq|ao|an|am|al|ai|ag|af|ae|ad|ac',
].join('|').split('|');
const FLAGS = [
  'AC AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CP CR',
  'CU CV CW CX CY CZ DE DG DJ DK DM DO DZ EA EC EE EG EH ER ES ET EU FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT',
  'HU IC ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ',
  'MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK',
  'SL SM SN SO SR SS ST SV SX SY SZ TA TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM UN US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW',
].join(' ');

// --- What a post costs on X: chalicelib/domain/pricing.py's defaults; GET /api/channels
// carries each X channel's configured prices (x_prices), which win.

export const X_PRICES = Object.freeze({ post: 0.015, post_with_url: 0.2 });

// Whether X sees a link in the text: the links its counter counts as 23 (limits.py: x_has_url).
export function xHasUrl(text) {
  const normalized = String(text).toWellFormed().normalize('NFC').replace(/\r\n|\r|\n/g, '\n');
  return xUrls(normalized, xGrammar()).size > 0;
}

// { amount, withUrl }: the price of publishing the text on an X channel with these prices.
export function xCost(text, prices = X_PRICES) {
  const withUrl = xHasUrl(text);
  return { amount: withUrl ? prices.post_with_url : prices.post, withUrl };
}

// "$0.015", "$0.20": cents always, a tenth of a cent when there is one (pricing.py: usd).
export function usd(amount) {
  const cents = Math.round(amount * 1000) % 10 === 0 ? 2 : 3;
  return `$${amount.toFixed(cents)}`;
}
