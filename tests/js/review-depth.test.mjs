// The post view's review depth helpers that need no page: the two sides of a word diff, image
// changes in the writer's language, the content versions a timeline names, deadlines, checklist
// names and which steps offer a review link. Run with `node --test tests/js/`.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { contentVersions, imageChange, sideParts } from '../../chalicelib/web/static/js/versions.js';
import { checklistNames, hasOverdueStep, isOverdue } from '../../chalicelib/web/static/js/review-depth.js';
import { openLinkSteps } from '../../chalicelib/web/static/js/review-link.js';

const replaced = [['same', 'Startet '], ['removed', 'morgen'], ['added', 'heute'], ['same', ' '],
  ['removed', 'früh.'], ['added', 'mit Keksen.'], ['same', ' Bis dann.']];

test('each side shows what stayed and its own changes, a lone space between changes joined to them', () => {
  assert.deepEqual(sideParts(replaced, 'before'),
    [['same', 'Startet '], ['removed', 'morgen früh.'], ['same', ' Bis dann.']]);
  assert.deepEqual(sideParts(replaced, 'after'),
    [['same', 'Startet '], ['added', 'heute mit Keksen.'], ['same', ' Bis dann.']]);
});

test('joining a side gives that version back exactly', () => {
  const join = (parts) => parts.map(([, words]) => words).join('');
  assert.equal(join(sideParts(replaced, 'before')), 'Startet morgen früh. Bis dann.');
  assert.equal(join(sideParts(replaced, 'after')), 'Startet heute mit Keksen. Bis dann.');
});

test('a space between two kept words stays kept', () => {
  const parts = [['same', 'A'], ['same', ' '], ['added', 'B']];
  assert.deepEqual(sideParts(parts, 'after'), [['same', 'A '], ['added', 'B']]);
  assert.deepEqual(sideParts([['removed', 'A'], ['same', ' '], ['same', 'B']], 'before'), [['removed', 'A'], ['same', ' B']]);
});

test('image changes are said in the page language, unknown ones as given', () => {
  assert.equal(imageChange('image 2 replaced'), 'Image 2 replaced');
  assert.equal(imageChange('image 1 alt text changed'), 'Alt text of image 1 changed');
  assert.equal(imageChange('image 3 added'), 'Image 3 added');
  assert.equal(imageChange('image 4 removed'), 'Image 4 removed');
  assert.equal(imageChange('images reordered'), 'Images reordered');
  assert.equal(imageChange('something new'), 'something new');
});

test('content versions come from the timeline in order, marked when reviewers saw them', () => {
  const post = {
    content_hash: 'c3', updated_at: '2026-01-03T00:00:00Z',
    timeline: [
      { type: 'created', at: '2026-01-01T00:00:00Z', data: { content_hash: 'c1' } },
      { type: 'submitted', at: '2026-01-01T00:01:00Z', data: { content_hash: 'c1' } },
      { type: 'decision', at: '2026-01-01T00:02:00Z', data: { content_hash: 'c1' } },
      { type: 'edited', at: '2026-01-02T00:00:00Z', data: { from_hash: 'c1', content_hash: 'c2' } },
      { type: 'edited', at: '2026-01-03T00:00:00Z', data: { from_hash: 'c2', content_hash: 'c3' } },
    ],
  };
  assert.deepEqual(contentVersions(post).map((v) => [v.hash, v.reviewed]),
    [['c1', true], ['c2', false], ['c3', false]]);
  assert.deepEqual(contentVersions({ content_hash: 'c1', timeline: post.timeline.slice(0, 2) }).map((v) => v.hash), ['c1']);
});

test('overdue: the server says so; without its word, a pending step past its due time', () => {
  const past = '2000-01-01T00:00:00Z';
  const future = '2999-01-01T00:00:00Z';
  assert.equal(isOverdue({ status: 'pending', due_at: future, overdue: true }), true);
  assert.equal(isOverdue({ status: 'pending', due_at: past, overdue: false }), false);
  assert.equal(isOverdue({ status: 'pending', due_at: past }), true);
  assert.equal(isOverdue({ status: 'approved', due_at: past }), false);
  assert.equal(isOverdue({ status: 'pending', due_at: null }), false);
  assert.equal(hasOverdueStep({ steps: [{ status: 'approved' }, { status: 'pending', due_at: past }] }), true);
  assert.equal(hasOverdueStep({ steps: [] }), false);
});

test('checklist items are named in the page language when the step lists them, else by id', () => {
  const name = checklistNames({ checklist_items: [{ id: 'ad_label', label: { de: 'Werbung gekennzeichnet', en: 'Advertising labelled' } }] });
  assert.equal(name('ad_label'), 'Advertising labelled');
  assert.equal(name('claims'), 'claims');
  assert.equal(checklistNames({})('claims'), 'claims');
});

test('a review link is offered only for a pending link step of a post in review', () => {
  const steps = [{ name: 'brand', kind: 'slack', status: 'pending', required: true },
    { name: 'client', kind: 'link', status: 'pending', required: true },
    { name: 'other', kind: 'link', status: 'not_required', required: false }];
  assert.deepEqual(openLinkSteps({ status: 'in_review', steps }).map((s) => s.name), ['client']);
  assert.deepEqual(openLinkSteps({ status: 'draft', steps }), []);
  assert.deepEqual(openLinkSteps({ status: 'in_review', steps: [{ ...steps[1], status: 'approved' }] }), []);
});
