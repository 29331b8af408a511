// The preview's crops per network and the reorder helper (media-layout.js).
// Run with `node --test tests/js/`.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { imageLayout, moveItem } from '../../chalicelib/web/static/js/media-layout.js';

const landscape = { width: 64, height: 48 }; // 4:3
const tall = { width: 48, height: 192 }; // 1:4
const panorama = { width: 400, height: 100 }; // 4:1

const close = (actual, expected) => assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} != ${expected}`);

test('no images: nothing to lay out', () => {
  assert.deepEqual(imageLayout('mastodon', []), { kind: 'none', count: 0, aspect: null, cells: [], more: 0 });
});

test('Mastodon and X crop a single image to 16:9', () => {
  for (const type of ['mastodon', 'x']) {
    const layout = imageLayout(type, [landscape]);
    assert.equal(layout.kind, 'single');
    close(layout.aspect, 16 / 9);
    assert.deepEqual(layout.cells.map((c) => c.fit), ['cover']);
  }
});

test('Mastodon: two side by side, three as one tall and two stacked, four as 2 x 2', () => {
  const two = imageLayout('mastodon', [landscape, landscape]);
  assert.equal(two.kind, 'grid');
  two.cells.forEach((c) => close(c.aspect, 8 / 9));
  const three = imageLayout('mastodon', [landscape, landscape, landscape]);
  assert.deepEqual(three.cells.map((c) => c.aspect.toFixed(3)), [(8 / 9).toFixed(3), (16 / 9).toFixed(3), (16 / 9).toFixed(3)]);
  const four = imageLayout('mastodon', [landscape, landscape, landscape, landscape]);
  assert.equal(four.cells.length, 4);
  four.cells.forEach((c) => close(c.aspect, 16 / 9));
  assert.equal(four.more, 0);
});

test('Bluesky keeps a single image at its own ratio, and caps very tall ones', () => {
  const one = imageLayout('bluesky', [landscape]);
  close(one.aspect, 4 / 3);
  assert.equal(one.cells[0].fit, 'contain');
  const cut = imageLayout('bluesky', [tall]);
  close(cut.aspect, 1 / 2);
  assert.equal(cut.cells[0].fit, 'cover');
  assert.equal(imageLayout('bluesky', [landscape, tall]).kind, 'grid');
});

test('LinkedIn and Facebook show one image between 1.91:1 and 4:5', () => {
  for (const type of ['linkedin', 'facebook_page']) {
    close(imageLayout(type, [landscape]).aspect, 4 / 3);
    close(imageLayout(type, [tall]).aspect, 4 / 5);
    close(imageLayout(type, [panorama]).aspect, 1.91);
    assert.equal(imageLayout(type, [tall]).cells[0].fit, 'cover');
  }
});

test('more images than the grid holds: four shown, the rest counted', () => {
  const six = imageLayout('facebook_page', Array(6).fill(landscape));
  assert.equal(six.cells.length, 4);
  assert.equal(six.more, 2);
});

test('webhook and outbox: every image whole, in order', () => {
  const layout = imageLayout('outbox', [landscape, tall, panorama]);
  assert.equal(layout.kind, 'list');
  assert.deepEqual(layout.cells.map((c) => [c.index, c.fit]), [[0, 'contain'], [1, 'contain'], [2, 'contain']]);
  close(layout.cells[1].aspect, 1 / 4);
});

test('moveItem moves one item and stops at the ends', () => {
  assert.deepEqual(moveItem(['a', 'b', 'c'], 2, -1), ['a', 'c', 'b']);
  assert.deepEqual(moveItem(['a', 'b', 'c'], 0, 1), ['b', 'a', 'c']);
  assert.deepEqual(moveItem(['a', 'b', 'c'], 0, -1), ['a', 'b', 'c']);
  assert.deepEqual(moveItem(['a', 'b', 'c'], 2, 5), ['a', 'b', 'c']);
  const original = ['a', 'b'];
  moveItem(original, 0, 1);
  assert.deepEqual(original, ['a', 'b']);
});
