import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseCertificates } from '../../pki/index.ts';
import { loadServingCertificate } from './serving-certificate.ts';

test('a self-signed pair is made once in the cert dir, then reused; given files win', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-serving-'));
  try {
    const o = { certDir: join(dir, 'pki'), hostname: 'w1', nodeIp: '10.0.0.7' };
    const first = await loadServingCertificate(o);
    const [leaf, ca] = parseCertificates(first.cert);
    assert.match(leaf?.subject.commonName ?? '', /^w1@\d+$/);
    assert.match(ca?.subject.commonName ?? '', /^w1-ca@\d+$/);
    assert.deepEqual(leaf?.ipAddresses, ['10.0.0.7']);
    assert.equal(statSync(join(dir, 'pki', 'kubelet.key')).mode & 0o777, 0o600);
    assert.deepEqual(await loadServingCertificate(o), first);
    writeFileSync(join(dir, 'c.pem'), 'CERT');
    writeFileSync(join(dir, 'k.pem'), 'KEY');
    assert.deepEqual(
      await loadServingCertificate({
        ...o,
        certFile: join(dir, 'c.pem'),
        keyFile: join(dir, 'k.pem'),
      }),
      { cert: 'CERT', key: 'KEY' },
    );
    await assert.rejects(loadServingCertificate({ ...o, certFile: join(dir, 'c.pem') }), {
      code: 'AGENT_SERVING_CERTIFICATE',
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
