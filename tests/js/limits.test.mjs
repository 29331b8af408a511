// The web form's counter against the same vectors as chalicelib/domain/limits.py.
// Run with `node --test tests/js/`.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { LIMITS, check, count } from '../../chalicelib/web/static/js/limits.js';

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

    assert.equal(count(vector.channel_type, text), vector.count);
    assert.deepEqual(check(vector.channel_type, text), {
      channelType: vector.channel_type,
      count: vector.count,
      limit,
      ok: limit === null || vector.count <= limit,
    });
  });
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
