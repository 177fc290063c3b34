import 'reflect-metadata';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { CertificateAuthority } from '../../pki/index.ts';
import type { IssuedCertificate } from '../../pki/index.ts';
import { requestUpgrade } from '../../streaming/http-upgrade.ts';
import { SpdyConnection } from '../../streaming/spdy-connection.ts';
import { readAll, startFakeStreamingServer } from '../../streaming/test-support.ts';
import type { FakeStreamingServer } from '../../streaming/test-support.ts';
import type { AgentAuthorizer, NodeRequestAttributes } from './agent-authorizer.ts';
import { AgentServer } from './agent-server.ts';
import { RuntimeContainerLocator } from './container-locator.ts';
import type { ContainerSummary, StreamingRuntime } from './streaming-runtime.ts';

const dir = mkdtempSync(join(tmpdir(), 'k8ts-agent-server-'));
const logPath = join(dir, '0.log');
writeFileSync(
  logPath,
  '2026-01-01T00:00:01Z stdout F hello\n2026-01-01T00:00:02Z stderr F world\n',
);

const labels = (container: string): Record<string, string> => ({
  'io.kubernetes.pod.namespace': 'ns',
  'io.kubernetes.pod.name': 'p',
  'io.kubernetes.pod.uid': 'u1',
  'io.kubernetes.container.name': container,
});
const container: ContainerSummary = {
  id: 'c1',
  pod_sandbox_id: 's1',
  metadata: { name: 'c', attempt: 0 },
  state: 'CONTAINER_RUNNING',
  created_at: '2',
  labels: labels('c'),
};

let streaming: FakeStreamingServer;
const execRequests: unknown[] = [];
const runtime: StreamingRuntime = {
  listPodSandbox: () =>
    Promise.resolve([{ id: 's1', state: 'SANDBOX_READY', created_at: '1', labels: labels('') }]),
  listContainers: (f) =>
    Promise.resolve(f?.label_selector?.['io.kubernetes.container.name'] === 'c' ? [container] : []),
  containerStatus: (id) => Promise.resolve({ id, state: 'CONTAINER_RUNNING', log_path: logPath }),
  exec: (r) => {
    execRequests.push(r);
    return Promise.resolve(`${streaming.url}/exec`);
  },
  attach: () => Promise.resolve(`${streaming.url}/exec`),
  portForward: () => Promise.resolve(`${streaming.url}/portforward`),
};

const denied: NodeRequestAttributes[] = [];
const authorizer: AgentAuthorizer = {
  authorize: (attrs) => {
    if (attrs.user.name === 'mallory') {
      denied.push(attrs);
      return Promise.resolve({ allowed: false, reason: 'no' });
    }
    return Promise.resolve({ allowed: true, reason: '' });
  },
};

let ca: CertificateAuthority;
let apiserverClient: IssuedCertificate;
let mallory: IssuedCertificate;
let stranger: IssuedCertificate;
let server: AgentServer;
let base: string;

before(async () => {
  ca = await CertificateAuthority.create({ commonName: 'kubernetes' });
  const other = await CertificateAuthority.create({ commonName: 'other' });
  const serving = await ca.issueServing({ commonName: 'node1', ipAddresses: ['127.0.0.1'] });
  apiserverClient = await ca.issueClient({
    commonName: 'kube-apiserver-kubelet-client',
    organizations: ['kubeadm:cluster-admins'],
  });
  mallory = await ca.issueClient({ commonName: 'mallory' });
  stranger = await other.issueClient({ commonName: 'kube-apiserver-kubelet-client' });
  streaming = await startFakeStreamingServer(['error', 'stdout'], {
    run: (s) => {
      s.get('stdout')!.write('from the runtime');
      return Promise.resolve(0);
    },
  });
  server = new AgentServer({
    nodeName: 'node1',
    tls: { cert: serving.certificatePem, key: serving.keyPem },
    clientCaPem: ca.certificatePem,
    authorizer,
    runtime,
    locator: new RuntimeContainerLocator(runtime),
    host: '127.0.0.1',
    port: 0,
    onError: () => undefined,
  });
  const { port } = await server.start();
  base = `https://127.0.0.1:${String(port)}`;
});

after(async () => {
  await server.stop();
  await streaming.close();
  rmSync(dir, { recursive: true, force: true });
});

function get(path: string, cert?: IssuedCertificate): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, {
      ca: ca.certificatePem,
      ...(cert === undefined ? {} : { cert: cert.certificatePem, key: cert.keyPem }),
      agent: false,
    });
    req.on('response', (res) => {
      void readAll(res).then((body) => {
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

test('no client certificate, or one from another CA: 401', async () => {
  for (const cert of [undefined, stranger]) {
    const res = await get('/containerLogs/ns/p/c', cert);
    assert.equal(res.status, 401);
    assert.equal((JSON.parse(res.body) as Record<string, unknown>)['reason'], 'Unauthorized');
  }
});

test('an authenticated client the authorizer refuses: 403 naming nodes/proxy', async () => {
  const res = await get('/containerLogs/ns/p/c', mallory);
  assert.equal(res.status, 403);
  assert.equal(
    (JSON.parse(res.body) as Record<string, unknown>)['message'],
    'Forbidden (user=mallory, verb=get, resource=nodes, subresource=proxy)',
  );
  assert.deepEqual(denied[0], {
    user: { name: 'mallory', groups: ['system:authenticated'] },
    verb: 'get',
    subresource: 'proxy',
    nodeName: 'node1',
  });
});

test('container logs stream from the CRI log file', async () => {
  assert.deepEqual(await get('/containerLogs/ns/p/c', apiserverClient), {
    status: 200,
    body: 'hello\nworld\n',
  });
  assert.deepEqual(
    await get('/containerLogs/ns/p/c?tailLines=1&timestamps=true', apiserverClient),
    {
      status: 200,
      body: '2026-01-01T00:00:02.000000000Z world\n',
    },
  );
  const missing = await get('/containerLogs/ns/p/nope', apiserverClient);
  assert.equal(missing.status, 400);
  assert.equal(
    (JSON.parse(missing.body) as Record<string, unknown>)['message'],
    'container "nope" in pod "p" is waiting to start: ContainerCreating',
  );
  const bad = await get('/containerLogs/ns/p/c?tailLines=-1', apiserverClient);
  assert.equal(bad.status, 400);
  assert.equal((await get('/nothing/here', apiserverClient)).status, 404);
});

test('exec needs an upgrade; upgraded, it is relayed to the runtime streaming server', async () => {
  const plain = await get('/exec/ns/p/c?command=true&output=1', apiserverClient);
  assert.equal(plain.status, 400);
  assert.equal(
    (JSON.parse(plain.body) as Record<string, unknown>)['message'],
    'Upgrade request required',
  );
  const upgraded = await requestUpgrade({
    url: new URL(`${base}/exec/ns/p/c?command=sh&command=-c&command=echo%20x&output=1`),
    method: 'POST',
    headers: {
      connection: 'Upgrade',
      upgrade: 'SPDY/3.1',
      'x-stream-protocol-version': 'v4.channel.k8s.io',
    },
    tls: {
      cert: apiserverClient.certificatePem,
      key: apiserverClient.keyPem,
      ca: ca.certificatePem,
    },
  });
  assert.equal(upgraded.kind, 'upgraded');
  const conn = new SpdyConnection(upgraded.socket, { role: 'client' });
  await conn.createStream({ streamType: 'error' });
  const stdout = await conn.createStream({ streamType: 'stdout' });
  assert.equal(await readAll(stdout), 'from the runtime');
  assert.deepEqual(execRequests[0], {
    container_id: 'c1',
    cmd: ['sh', '-c', 'echo x'],
    tty: false,
    stdin: false,
    stdout: true,
    stderr: false,
  });
  conn.destroy();
});

test('exec into a container the pod does not run: 404 as a Status on the upgrade', async () => {
  const res = await requestUpgrade({
    url: new URL(`${base}/exec/ns/p/ghost?command=true&output=1`),
    method: 'POST',
    headers: { connection: 'Upgrade', upgrade: 'SPDY/3.1' },
    tls: {
      cert: apiserverClient.certificatePem,
      key: apiserverClient.keyPem,
      ca: ca.certificatePem,
    },
  });
  assert.equal(res.kind, 'response');
  assert.equal(res.statusCode, 404);
  assert.equal(
    (JSON.parse(res.body.toString()) as Record<string, unknown>)['message'],
    'container not found ("ghost")',
  );
});
