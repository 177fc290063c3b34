import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KubeconfigError, buildKubeconfig, parseKubeconfig } from './kubeconfig.ts';

describe('kubeconfig', () => {
  it('round-trips a certificate kubeconfig', () => {
    const text = buildKubeconfig({
      server: 'https://127.0.0.1:6443',
      caPem: 'CA',
      userName: 'kubernetes-admin',
      clientCertificatePem: 'CERT',
      clientKeyPem: 'KEY',
    });
    assert.match(text, /current-context: kubernetes-admin@kubernetes/);
    assert.deepEqual(parseKubeconfig(text), {
      server: 'https://127.0.0.1:6443',
      caPem: 'CA',
      clientCertificatePem: 'CERT',
      clientKeyPem: 'KEY',
      token: undefined,
    });
  });
  it('rejects files without what a client needs', () => {
    for (const bad of [
      '',
      'a: [',
      'apiVersion: v1\nkind: Config',
      'current-context: x\ncontexts: []',
    ]) {
      assert.throws(() => parseKubeconfig(bad), KubeconfigError, bad);
    }
  });
});
