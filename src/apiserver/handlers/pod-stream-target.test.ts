import assert from 'node:assert/strict';
import { test } from 'node:test';
import { podLogQuery } from './pod-log.ts';
import { validateContainer } from './pod-stream-target.ts';

const pod = (containers: string[], init: string[] = []) => ({
  metadata: { name: 'p' },
  spec: {
    containers: containers.map((name) => ({ name })),
    initContainers: init.map((name) => ({ name })),
  },
});

test('the container: the only one by default, else named, else a 400 that lists the choices', () => {
  assert.equal(validateContainer(pod(['a']), ''), 'a');
  assert.equal(validateContainer(pod(['a', 'b'], ['i']), 'i'), 'i');
  assert.throws(() => validateContainer(pod(['a', 'b'], ['i']), ''), {
    code: 400,
    message: 'a container name must be specified for pod p, choose one of: [i a b]',
  });
  assert.throws(() => validateContainer(pod(['a']), 'x'), {
    code: 400,
    message: 'container x is not valid for pod p',
  });
  assert.throws(() => validateContainer(pod([]), ''), {
    code: 400,
    message: 'a container name must be specified for pod p',
  });
});

test('PodLogOptions: passed on, 422 when out of range, 400 when they do not parse', () => {
  assert.equal(
    podLogQuery(
      new URLSearchParams(
        'follow=true&tailLines=3&timestamps=1&previous=true&limitBytes=9&container=c',
      ),
      'p',
    ).toString(),
    'follow=true&previous=true&timestamps=true&tailLines=3&limitBytes=9',
  );
  assert.equal(
    podLogQuery(new URLSearchParams('sinceTime=2026-01-01T00:00:00.5Z'), 'p').get('sinceTime'),
    '2026-01-01T00:00:00Z',
  );
  assert.throws(() => podLogQuery(new URLSearchParams('tailLines=-2'), 'p'), {
    code: 422,
    message:
      'PodLogOptions "p" is invalid: tailLines: Invalid value: -2: must be greater than or equal to 0',
  });
  assert.throws(
    () => podLogQuery(new URLSearchParams('sinceSeconds=5&sinceTime=2026-01-01T00:00:00Z'), 'p'),
    { code: 422 },
  );
  assert.throws(() => podLogQuery(new URLSearchParams('tailLines=ten'), 'p'), { code: 400 });
  assert.throws(() => podLogQuery(new URLSearchParams('follow=maybe'), 'p'), { code: 400 });
});
