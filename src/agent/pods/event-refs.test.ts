import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { containerFieldPath, containerRef, podRef } from './event-refs.ts';

const pod: Pod = {
  metadata: { name: 'p', namespace: 'ns', uid: 'u1', resourceVersion: '42' },
  spec: {
    containers: [{ name: 'app' }, { name: 'side-by-side' }],
    initContainers: [{ name: 'init' }],
    ephemeralContainers: [{ name: 'debugger' }],
  },
};

describe('event refs (upstream GenerateContainerRef)', () => {
  const cases: { name: string; container: string; want: string }[] = [
    { name: 'an app container', container: 'side-by-side', want: 'spec.containers{side-by-side}' },
    { name: 'an init container', container: 'init', want: 'spec.initContainers{init}' },
    {
      name: 'an ephemeral container',
      container: 'debugger',
      want: 'spec.ephemeralContainers{debugger}',
    },
    {
      name: 'a name the spec lacks',
      container: 'gone',
      want: 'implicitly required container gone',
    },
  ];
  for (const c of cases)
    it(`fieldPath of ${c.name}`, () => {
      assert.equal(containerFieldPath(pod, c.container), c.want);
    });

  it('a container ref is the pod reference plus the fieldPath', () => {
    assert.deepEqual(containerRef(pod, 'app'), {
      apiVersion: 'v1',
      kind: 'Pod',
      name: 'p',
      namespace: 'ns',
      uid: 'u1',
      resourceVersion: '42',
      fieldPath: 'spec.containers{app}',
    });
  });

  it('a pod ref has kind and apiVersion (the informer objects lack them)', () => {
    assert.deepEqual(podRef(pod), { apiVersion: 'v1', kind: 'Pod', metadata: pod.metadata });
  });
});
