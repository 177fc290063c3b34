/**
 * Token authentication with real kubectl over HTTPS: `kubectl create token` (JSON from 1.27,
 * protobuf from 1.33) issues a service-account JWT that then works as a bearer credential with a
 * kubeconfig holding nothing but the CA; a kubeadm-style bootstrap token does too; a deleted
 * ServiceAccount's token and a wrong token are refused. No token or secret reaches the logs.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildKubeconfig } from '../../src/client/kubeconfig.ts';
import { generateServiceAccountKey } from '../../src/pki/service-account-key.ts';
import { MemoryStore } from '../../src/storage/memory/memory-store.ts';
import { startApiServerFixture } from '../harness/api-server-fixture.ts';
import type { ApiServerFixture } from '../harness/api-server-fixture.ts';
import { hasKubectl, kubectl } from '../harness/kubectl.ts';
import { until } from '../harness/until.ts';

const VERSIONS = ['1.27', '1.33'].filter(hasKubectl);
const NS = 'tok';
const BOOTSTRAP_ID = 'k8tsab';
const BOOTSTRAP_SECRET = 'q1w2e3r4t5y6u7i8';
const BOOTSTRAP_TOKEN = `${BOOTSTRAP_ID}.${BOOTSTRAP_SECRET}`;

describe(
  'service-account and bootstrap tokens with real kubectl',
  { skip: VERSIONS.length === 0 },
  () => {
    let fixture: ApiServerFixture;
    /** A kubeconfig with the server and CA only: the token comes from --token. */
    let anonymousConfig = '';
    const logged: string[] = [];
    const issued: string[] = [BOOTSTRAP_SECRET];
    const stderrWrite = process.stderr.write.bind(process.stderr);

    const admin = (args: string[], input?: string) =>
      kubectl('1.33', fixture.kubeconfigPath, args, input);

    before(async () => {
      process.stderr.write = (chunk: string | Uint8Array, ...rest: never[]) => {
        logged.push(String(chunk));
        return stderrWrite(chunk, ...rest);
      };
      const key = await generateServiceAccountKey('RSA-2048');
      fixture = await startApiServerFixture(new MemoryStore(), {
        serviceAccountSigningKeyPem: key.privateKeyPem,
        onInternalError: (err) =>
          logged.push(err instanceof Error ? (err.stack ?? err.message) : String(err)),
      });
      anonymousConfig = join(fixture.dir, 'ca-only.conf');
      writeFileSync(
        anonymousConfig,
        buildKubeconfig({ server: fixture.url, caPem: fixture.caPem, userName: 'nobody' }),
        { mode: 0o600 },
      );
      for (const args of [
        ['create', 'namespace', NS],
        ['create', 'serviceaccount', 'doomed', '-n', NS],
      ]) {
        const r = await admin(args);
        assert.equal(r.code, 0, r.stderr);
      }
      // `default` comes from the serviceaccount controller (the fixture runs it), as in a cluster.
      await until('the default ServiceAccount', async () =>
        (await admin(['get', 'serviceaccount', 'default', '-n', NS])).code === 0 ? true : undefined,
      );
    });

    after(async () => {
      process.stderr.write = stderrWrite;
      await fixture.stop();
      for (const line of logged) {
        for (const secret of issued) assert.ok(!line.includes(secret), 'a token reached the logs');
      }
    });

    for (const version of VERSIONS) {
      it(`kubectl ${version}: create token, then use it as a bearer credential`, async () => {
        const created = await kubectl(version, fixture.kubeconfigPath, [
          'create',
          'token',
          'default',
          '-n',
          NS,
        ]);
        assert.equal(created.code, 0, created.stderr);
        const token = created.stdout.trim();
        issued.push(token);
        assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
        const claims = JSON.parse(
          Buffer.from(token.split('.')[1] ?? '', 'base64url').toString(),
        ) as Record<string, unknown>;
        assert.equal(claims['sub'], `system:serviceaccount:${NS}:default`);

        const list = await kubectl(version, anonymousConfig, [
          `--token=${token}`,
          'get',
          'serviceaccounts',
          '-n',
          NS,
          '-o',
          'name',
        ]);
        assert.equal(list.code, 0, list.stderr);
        assert.match(list.stdout, /serviceaccount\/default/);

        const who = await kubectl('1.33', anonymousConfig, [`--token=${token}`, 'auth', 'whoami']);
        assert.equal(who.code, 0, who.stderr);
        assert.match(who.stdout, new RegExp(`Username\\s+system:serviceaccount:${NS}:default`));
        assert.match(who.stdout, /system:serviceaccounts:tok/);
        assert.match(who.stdout, /authentication\.kubernetes\.io\/credential-id\s+\[JTI=/);
      });
    }

    it('kubectl create token with --audience and --duration', async () => {
      const r = await admin([
        'create',
        'token',
        'default',
        '-n',
        NS,
        '--audience=vault',
        '--duration=2h',
      ]);
      assert.equal(r.code, 0, r.stderr);
      const token = r.stdout.trim();
      issued.push(token);
      const claims = JSON.parse(
        Buffer.from(token.split('.')[1] ?? '', 'base64url').toString(),
      ) as Record<string, number | string[]>;
      assert.deepEqual(claims['aud'], ['vault']);
      assert.equal(Number(claims['exp']) - Number(claims['iat']), 7200);
      // Not meant for the API server: refused.
      const denied = await kubectl('1.33', anonymousConfig, [`--token=${token}`, 'get', 'ns']);
      assert.notEqual(denied.code, 0);
      assert.match(denied.stderr, /Unauthorized/);
      const tooShort = await admin(['create', 'token', 'default', '-n', NS, '--duration=5m']);
      assert.notEqual(tooShort.code, 0);
      assert.match(
        tooShort.stderr,
        /TokenRequest\.authentication\.k8s\.io "" is invalid: spec\.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes/,
      );
    });

    it('a deleted service account and a garbage token are Unauthorized', async () => {
      const r = await admin(['create', 'token', 'doomed', '-n', NS]);
      assert.equal(r.code, 0, r.stderr);
      const token = r.stdout.trim();
      issued.push(token);
      const ok = await kubectl('1.33', anonymousConfig, [`--token=${token}`, 'get', 'ns', NS]);
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal((await admin(['delete', 'serviceaccount', 'doomed', '-n', NS])).code, 0);
      for (const bad of [token, 'garbage-token-1234567890']) {
        const denied = await kubectl('1.33', anonymousConfig, [`--token=${bad}`, 'get', 'ns', NS]);
        assert.notEqual(denied.code, 0);
        assert.match(denied.stderr, /You must be logged in to the server \(Unauthorized\)/);
        assert.ok(!denied.stderr.includes(bad));
      }
    });

    it('a bootstrap token from its kube-system Secret', async () => {
      const secret = await admin([
        'create',
        'secret',
        'generic',
        `bootstrap-token-${BOOTSTRAP_ID}`,
        '-n',
        'kube-system',
        '--type=bootstrap.kubernetes.io/token',
        `--from-literal=token-id=${BOOTSTRAP_ID}`,
        `--from-literal=token-secret=${BOOTSTRAP_SECRET}`,
        '--from-literal=usage-bootstrap-authentication=true',
        '--from-literal=auth-extra-groups=system:bootstrappers:kubeadm:default-node-token',
      ]);
      assert.equal(secret.code, 0, secret.stderr);
      const who = await kubectl('1.33', anonymousConfig, [
        `--token=${BOOTSTRAP_TOKEN}`,
        'auth',
        'whoami',
      ]);
      assert.equal(who.code, 0, who.stderr);
      assert.match(who.stdout, new RegExp(`Username\\s+system:bootstrap:${BOOTSTRAP_ID}`));
      assert.match(who.stdout, /system:bootstrappers:kubeadm:default-node-token/);
      const wrong = await kubectl('1.33', anonymousConfig, [
        `--token=${BOOTSTRAP_ID}.0000000000000000`,
        'auth',
        'whoami',
      ]);
      assert.notEqual(wrong.code, 0);
      assert.match(wrong.stderr, /Unauthorized/);
    });
  },
);
