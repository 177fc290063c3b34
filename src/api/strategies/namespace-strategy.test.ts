import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JsonObject } from '../json.ts';
import { formatFieldError } from '../validation/field-error.ts';
import { namespaceStrategy } from './namespace-strategy.ts';

describe('Namespace', () => {
  it('on create: kubernetes finalizer, phase Active, the name label', () => {
    const ns: JsonObject = { metadata: { name: 'team-a', labels: { x: 'y' } } };
    namespaceStrategy.prepareForCreate?.(ns);
    namespaceStrategy.defaults?.(ns);
    assert.deepEqual(ns, {
      metadata: { name: 'team-a', labels: { x: 'y', 'kubernetes.io/metadata.name': 'team-a' } },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    });
    const other: JsonObject = { metadata: { name: 'b' }, spec: { finalizers: ['example.com/f'] } };
    namespaceStrategy.prepareForCreate?.(other);
    assert.deepEqual(other['spec'], { finalizers: ['example.com/f', 'kubernetes'] });
  });

  it('the name label always follows the name; the phase defaults', () => {
    const ns: JsonObject = {
      metadata: { name: 'a', labels: { 'kubernetes.io/metadata.name': 'b' } },
      status: { phase: '' },
    };
    namespaceStrategy.defaults?.(ns);
    assert.deepEqual(ns, {
      metadata: { name: 'a', labels: { 'kubernetes.io/metadata.name': 'a' } },
      status: { phase: 'Active' },
    });
  });

  it('spec.finalizers must be standard or qualified names', () => {
    const ns: JsonObject = { metadata: { name: 'a' }, spec: { finalizers: ['foo', 'a/b'] } };
    assert.deepEqual((namespaceStrategy.validate?.(ns) ?? []).map(formatFieldError), [
      'spec.finalizers: Invalid value: "foo": name is neither a standard finalizer name nor is it fully qualified',
    ]);
  });
});
