import assert from 'node:assert/strict';
import { describe, it } from '@jest/globals';
import { FieldSelector } from '../../../src/apiserver/api/fields.js';
import { LabelSelector } from '../../../src/apiserver/api/labels.js';

describe('label selectors', () => {
  const labels = { app: 'web', tier: 'front', n: '5' };
  const cases: [string, boolean][] = [
    ['', true],
    ['app=web', true],
    ['app==web', true],
    ['app!=web', false],
    ['app!=db', true],
    ['app in (web,db)', true],
    ['app notin (web)', false],
    ['missing notin (x)', true],
    ['app', true],
    ['!app', false],
    ['!missing', true],
    ['app=web,tier=back', false],
    ['app=web, tier = front', true],
    ['n>3', true],
    ['n<3', false],
    ['app=', false],
  ];
  for (const [sel, want] of cases) {
    it(`"${sel}" ${want ? 'matches' : 'does not match'}`, () => {
      assert.equal(LabelSelector.parse(sel).matches(labels), want);
    });
  }

  it('reports parse errors with the apimachinery wording', () => {
    assert.throws(() => LabelSelector.parse('a===b'), { message: "unable to parse requirement: found '=', expected: identifier" });
    assert.throws(() => LabelSelector.parse('app in web'), /expected: '\('/);
    assert.throws(() => LabelSelector.parse('-bad=x'), /key: Invalid value: "-bad"/);
  });
});

describe('field selectors', () => {
  it('match equality and inequality terms', () => {
    const f = { 'metadata.name': 'a', 'metadata.namespace': 'ns' };
    assert.equal(FieldSelector.parse('metadata.name=a').matches(f), true);
    assert.equal(FieldSelector.parse('metadata.name==a,metadata.namespace!=ns').matches(f), false);
    assert.equal(FieldSelector.parse('metadata.name!=b').matches(f), true);
  });

  it('unescape backslash-escaped values', () => {
    const s = FieldSelector.parse('spec.x=a\\,b\\=c');
    assert.deepEqual(s.requirements, [{ field: 'spec.x', operator: '=', value: 'a,b=c' }]);
  });

  it('find the exact name a watch is about', () => {
    assert.equal(FieldSelector.parse('metadata.name=foo').requiresExactMatch('metadata.name'), 'foo');
    assert.equal(FieldSelector.parse('metadata.name!=foo').requiresExactMatch('metadata.name'), undefined);
  });

  it('reject terms without an operator', () => {
    assert.throws(() => FieldSelector.parse('metadata.name'), /can't understand 'metadata.name'/);
  });
});
