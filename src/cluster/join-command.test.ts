import 'reflect-metadata';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BootstrapToken, CertificateAuthority, caCertHash } from '../pki/index.ts';
import { endpointOfServer, joinWorkerArgs, joinWorkerCommand } from './join-command.ts';

test("the join command pins the CA's public key and uses kubeadm's line break", async () => {
  const ca = await CertificateAuthority.create();
  const token = BootstrapToken.parse('abcdef.0123456789abcdef');
  const input = { endpoint: '10.0.0.1:6443', token, caPem: ca.certificatePem };
  const hash = caCertHash(ca.certificatePem);
  assert.deepEqual(joinWorkerArgs(input), [
    'k8ts',
    'join',
    '10.0.0.1:6443',
    '--token',
    'abcdef.0123456789abcdef',
    '--discovery-token-ca-cert-hash',
    hash,
  ]);
  assert.equal(
    joinWorkerCommand(input),
    `k8ts join 10.0.0.1:6443 --token abcdef.0123456789abcdef \\\n\t--discovery-token-ca-cert-hash ${hash}`,
  );
  assert.equal(endpointOfServer('https://lb.example:6443'), 'lb.example:6443');
  assert.equal(endpointOfServer('https://[fd00::1]:6443'), '[fd00::1]:6443');
});
