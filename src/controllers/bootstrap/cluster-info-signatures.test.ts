// The JWS maintenance decisions of upstream's bootstrapsigner_test.go.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { computeDetachedSignature } from '../../pki/index.ts';
import { planClusterInfoSignatures } from './cluster-info-signatures.ts';

const KUBECONFIG = 'apiVersion: v1\nkind: Config\n';
const A = { id: 'abcdef', secret: 'abcdef0123456789' };
const B = { id: 'bbbbbb', secret: 'bbbbbb0123456789' };
const sig = (t: { id: string; secret: string }): Promise<string> =>
  computeDetachedSignature(KUBECONFIG, t.id, t.secret);

describe('planClusterInfoSignatures', () => {
  it('no kubeconfig key: nothing to sign', async () => {
    assert.equal(await planClusterInfoSignatures({ other: 'x' }, [A]), undefined);
  });

  it('no tokens, no signatures: no update', async () => {
    assert.deepEqual(await planClusterInfoSignatures({ kubeconfig: KUBECONFIG }, []), {
      shouldUpdate: false,
      data: { kubeconfig: KUBECONFIG },
    });
  });

  it('a new token: its signature is added, other keys kept', async () => {
    assert.deepEqual(await planClusterInfoSignatures({ kubeconfig: KUBECONFIG, other: 'x' }, [A]), {
      shouldUpdate: true,
      data: { kubeconfig: KUBECONFIG, other: 'x', 'jws-kubeconfig-abcdef': await sig(A) },
    });
  });

  it('signatures already right: no update', async () => {
    const stored = { kubeconfig: KUBECONFIG, 'jws-kubeconfig-abcdef': await sig(A) };
    assert.deepEqual(await planClusterInfoSignatures(stored, [A]), {
      shouldUpdate: false,
      data: stored,
    });
  });

  it('a stale signature (token gone): removed', async () => {
    const stored = {
      kubeconfig: KUBECONFIG,
      'jws-kubeconfig-abcdef': await sig(A),
      'jws-kubeconfig-bbbbbb': await sig(B),
    };
    assert.deepEqual(await planClusterInfoSignatures(stored, [A]), {
      shouldUpdate: true,
      data: { kubeconfig: KUBECONFIG, 'jws-kubeconfig-abcdef': await sig(A) },
    });
  });

  it('a wrong signature (kubeconfig changed): replaced', async () => {
    const stored = { kubeconfig: KUBECONFIG, 'jws-kubeconfig-abcdef': 'eyJ..bogus' };
    const plan = await planClusterInfoSignatures(stored, [A]);
    assert.equal(plan?.shouldUpdate, true);
    assert.equal(plan.data['jws-kubeconfig-abcdef'], await sig(A));
  });

  it('a duplicate token ID: the first one signs', async () => {
    const other = { id: A.id, secret: 'zzzzzz0123456789' };
    const plan = await planClusterInfoSignatures({ kubeconfig: KUBECONFIG }, [A, other]);
    assert.equal(plan?.data['jws-kubeconfig-abcdef'], await sig(A));
  });
});
