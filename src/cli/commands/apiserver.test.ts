import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { generateServiceAccountKey } from '../../pki/service-account-key.ts';

const bin = fileURLToPath(new URL('../../../bin/k8ts.js', import.meta.url));
const BASE_FLAGS = [
  'apiserver',
  '--datastore-endpoint=memory:',
  '--insecure-http',
  '--bind-address=127.0.0.1',
  '--secure-port=0',
];

/** Starts `k8ts apiserver` and resolves with its URL once it serves. */
function startApiserver(flags: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [bin, ...BASE_FLAGS, ...flags], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const m = /serving on (http:\/\/\S+)/.exec(stderr);
      if (m?.[1] !== undefined) resolve({ child, url: m[1] });
    });
    child.once('exit', (code) => {
      reject(new Error(`apiserver exited with ${String(code)}: ${stderr}`));
    });
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function post(url: string, body: unknown, token?: string) {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('k8ts apiserver token flags', () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-apiserver-cli-'));
  const keyFile = join(dir, 'sa.key');
  const children: ChildProcess[] = [];

  before(async () => {
    writeFileSync(keyFile, (await generateServiceAccountKey('ECDSA-P256')).privateKeyPem, {
      mode: 0o600,
    });
  });
  after(async () => {
    for (const c of children) await stop(c);
    rmSync(dir, { recursive: true, force: true });
  });

  it('signs with --service-account-signing-key-file for --service-account-issuer, capped', async () => {
    const { child, url } = await startApiserver([
      `--service-account-signing-key-file=${keyFile}`,
      '--service-account-issuer=https://issuer.test',
      '--service-account-max-token-expiration=2h',
    ]);
    children.push(child);
    assert.equal((await post(`${url}/api/v1/namespaces`, { metadata: { name: 'a' } })).status, 201);
    await post(`${url}/api/v1/namespaces/a/serviceaccounts`, { metadata: { name: 'default' } });
    const res = await post(`${url}/api/v1/namespaces/a/serviceaccounts/default/token`, {
      spec: { expirationSeconds: 3 * 3600 },
    });
    assert.equal(res.status, 201);
    const status = res.json['status'] as { token: string };
    const spec = res.json['spec'] as { audiences: string[]; expirationSeconds: number };
    assert.deepEqual(spec, { audiences: ['https://issuer.test'], expirationSeconds: 7200 });
    const claims = JSON.parse(
      Buffer.from(status.token.split('.')[1] ?? '', 'base64url').toString(),
    ) as { iss: string };
    assert.equal(claims.iss, 'https://issuer.test');
    const who = await post(
      `${url}/apis/authentication.k8s.io/v1/selfsubjectreviews`,
      { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
      status.token,
    );
    assert.equal(
      (who.json['status'] as { userInfo: { username: string } }).userInfo.username,
      'system:serviceaccount:a:default',
    );
  });

  it('--enable-bootstrap-token-auth=false with no keys leaves bearer tokens unread', async () => {
    const { child, url } = await startApiserver(['--enable-bootstrap-token-auth=false']);
    children.push(child);
    const who = await post(
      `${url}/apis/authentication.k8s.io/v1/selfsubjectreviews`,
      { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
      'abcdef.0123456789abcdef',
    );
    assert.equal(
      (who.json['status'] as { userInfo: { username: string } }).userInfo.username,
      'system:anonymous',
    );
  });

  it('rejects a --service-account-max-token-expiration under an hour', async () => {
    await assert.rejects(
      promisify(execFile)(process.execPath, [
        bin,
        ...BASE_FLAGS,
        '--service-account-max-token-expiration=5m',
      ]),
      /the service-account-max-token-expiration must be between 1 hour and 2\^32 seconds/,
    );
  });
});
