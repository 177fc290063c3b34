import 'reflect-metadata';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { parseKubeconfig } from '../../client/index.ts';
import { parseCertificate, verifyCertificate } from '../../pki/index.ts';
import { certPair, kubeconfigPath } from '../cluster-paths.ts';
import { resolveInitConfig } from '../init/init-config.ts';
import { findInitPhase, runInit } from '../init/run-init.ts';
import { checkExpiration, formatExpiry } from './check-expiration.ts';
import { MANAGED_CERTIFICATES, renewManagedCertificate } from './managed-certificates.ts';

let root: string;
const config = () =>
  resolveInitConfig({ rootfs: root, advertiseAddress: '127.0.0.11', nodeName: 'cp1' });

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'k8ts-certs-'));
  await runInit({
    config: config(),
    out: () => undefined,
    phases: [findInitPhase('certs'), findInitPhase('kubeconfig')],
  });
});

after(() => {
  rmSync(root, { recursive: true, force: true });
});

test("check-expiration lists kubeadm's certificates and CAs with their time left", () => {
  const now = new Date();
  const out = checkExpiration(config().paths, now);
  const lines = out.split('\n');
  assert.match(
    lines[0] ?? '',
    /^CERTIFICATE\s+EXPIRES\s+RESIDUAL TIME\s+CERTIFICATE AUTHORITY\s+EXTERNALLY MANAGED$/,
  );
  for (const name of MANAGED_CERTIFICATES.map((c) => c.name))
    assert.match(
      out,
      new RegExp(
        `^${name.replace('.', '\\.')}\\s+\\w{3} \\d{2}, \\d{4} \\d{2}:\\d{2} UTC\\s+(364d|365d)\\s+(ca|etcd-ca)\\s+no$`,
        'm',
      ),
      name,
    );
  assert.match(out, /^ca\s+.* UTC\s+(9y|10y)\s+no$/m);
  assert.match(out, /^etcd-ca\s+.* UTC\s+(9y|10y)\s+no$/m);
  assert.equal(formatExpiry(new Date('2027-03-04T05:06:07Z')), 'Mar 04, 2027 05:06 UTC');
});

test('renew keeps subject, SANs and usages, makes a new key, and keeps the kubeconfig', async () => {
  const paths = config().paths;
  const apiserver = MANAGED_CERTIFICATES.find((c) => c.name === 'apiserver');
  const admin = MANAGED_CERTIFICATES.find((c) => c.name === 'admin.conf');
  assert.ok(apiserver !== undefined && admin !== undefined);
  const before = parseCertificate(readFileSync(certPair(paths, 'apiserver').cert, 'utf8'));
  const beforeKey = readFileSync(certPair(paths, 'apiserver').key, 'utf8');
  const beforeConf = parseKubeconfig(readFileSync(kubeconfigPath(paths, 'admin.conf'), 'utf8'));
  await renewManagedCertificate(paths, apiserver, new Date(Date.now() + 3600_000));
  await renewManagedCertificate(paths, admin);
  const after = parseCertificate(readFileSync(certPair(paths, 'apiserver').cert, 'utf8'));
  assert.notEqual(after.serialNumber, before.serialNumber);
  assert.notEqual(readFileSync(certPair(paths, 'apiserver').key, 'utf8'), beforeKey);
  assert.deepEqual(after.subject, before.subject);
  assert.deepEqual(after.dnsNames, before.dnsNames);
  assert.deepEqual(after.ipAddresses, before.ipAddresses);
  assert.deepEqual(after.usages, before.usages);
  assert.ok(after.notAfter > before.notAfter);
  const caPem = readFileSync(certPair(paths, 'ca').cert, 'utf8');
  await verifyCertificate(after.pem, caPem, { now: new Date(Date.now() + 7_200_000) });
  const conf = parseKubeconfig(readFileSync(kubeconfigPath(paths, 'admin.conf'), 'utf8'));
  assert.equal(conf.server, beforeConf.server);
  assert.equal(conf.caPem, beforeConf.caPem);
  assert.notEqual(conf.clientCertificatePem, beforeConf.clientCertificatePem);
  assert.equal(
    parseCertificate(conf.clientCertificatePem ?? '').subject.commonName,
    'kubernetes-admin',
  );
});

test('a missing certificate is listed as !MISSING! and cannot be renewed', async () => {
  const paths = config().paths;
  rmSync(certPair(paths, 'apiserver-kubelet-client').cert);
  assert.match(checkExpiration(paths), /^!MISSING! apiserver-kubelet-client\s*$/m);
  const cert = MANAGED_CERTIFICATES.find((c) => c.name === 'apiserver-kubelet-client');
  assert.ok(cert !== undefined);
  await assert.rejects(renewManagedCertificate(paths, cert), /does not exist/);
});
