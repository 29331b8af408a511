// The web form's counter against the same vectors as chalicelib/domain/limits.py.
// Run with `node --test tests/js/`.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { BYTE_LIMITS, LIMITS, byteCheck, check, count } from '../../chalicelib/web/static/js/limits.js';

const { vectors } = JSON.parse(
  readFileSync(new URL('../vectors/text_limits.json', import.meta.url), 'utf8'),
);

function textOf(vector) {
  if ('text' in vector) return vector.text;
  const pieces = typeof vector.text_repeat[0] === 'string' ? [vector.text_repeat] : vector.text_repeat;
  return pieces.map(([piece, times]) => piece.repeat(times)).join('');
}

vectors.forEach((vector, index) => {
  test(`${vector.channel_type}-${index}: ${vector.note}`, () => {
    const limit = LIMITS[vector.channel_type];
    const text = textOf(vector);

    const byteLimit = BYTE_LIMITS[vector.channel_type] ?? null;
    const verdict = {
      channelType: vector.channel_type,
      count: vector.count,
      limit,
      ok: limit === null || vector.count <= limit,
    };

    assert.equal(count(vector.channel_type, text), vector.count);
    if ('bytes' in vector) {
      const bytes = {
        channelType: vector.channel_type,
        count: vector.bytes,
        limit: byteLimit,
        ok: byteLimit === null || vector.bytes <= byteLimit,
      };
      assert.deepEqual(byteCheck(vector.channel_type, text), bytes);
      // The form's verdict: the network's count first, then the byte limit.
      assert.deepEqual(check(vector.channel_type, text), verdict.ok && !bytes.ok ? bytes : verdict);
    } else {
      assert.deepEqual(check(vector.channel_type, text), verdict);
    }
  });
});

test('the vectors hold both sides of every byte limit', () => {
  for (const [channelType, limit] of Object.entries(BYTE_LIMITS)) {
    const sizes = vectors.filter((v) => v.channel_type === channelType && 'bytes' in v).map((v) => v.bytes);
    assert.ok(sizes.includes(limit) && sizes.includes(limit + 1), channelType);
  }
});

test('a text over the byte limit but within the count is not ok, and says so in bytes', () => {
  const family = '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}\u200D\u{1F466}';
  assert.deepEqual(check('bluesky', family.repeat(120)), { channelType: 'bluesky', count: 120, limit: 300, ok: true });
  assert.deepEqual(check('bluesky', `${family.repeat(120)}a`), { channelType: 'bluesky', count: 3001, limit: 3000, ok: false });
  assert.deepEqual(check('bluesky', 'a'.repeat(301)), { channelType: 'bluesky', count: 301, limit: 300, ok: false });
});

test('a network without a byte limit takes any size', () => {
  for (const channelType of Object.keys(LIMITS).filter((c) => !Object.hasOwn(BYTE_LIMITS, c))) {
    assert.deepEqual(byteCheck(channelType, '\u{1F600}'.repeat(70000)), { channelType, count: 280000, limit: null, ok: true });
  }
});

test('the vectors cover every channel type', () => {
  assert.deepEqual(
    new Set(vectors.map((vector) => vector.channel_type)),
    new Set(Object.keys(LIMITS)),
  );
});

test('an unknown channel type is refused', () => {
  assert.throws(() => count('myspace', 'hello'), /unknown channel type/);
  assert.throws(() => count('toString', 'hello'), /unknown channel type/);
  assert.throws(() => byteCheck('myspace', 'hello'), /unknown channel type/);
  assert.throws(() => byteCheck('toString', 'hello'), /unknown channel type/);
});

test('awkward text always has a count', () => {
  const awkward = ['', '\uD800', '\uDC00a\uD800', '\u0301\u20E3\uFE0F', '\u200D'.repeat(50),
    'a.'.repeat(30000), 'https://'.repeat(500), '@'.repeat(1000), '\u0000\u202E\uFEFF'];
  for (const channelType of Object.keys(LIMITS)) {
    for (const text of awkward) {
      const n = count(channelType, text);
      assert.ok(Number.isInteger(n) && n >= 0, `${channelType} ${JSON.stringify(text.slice(0, 20))}`);
    }
  }
});
