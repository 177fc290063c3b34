/**
 * kubeadm's walkthrough with the real `k8ts` executable, two nodes on one machine (each on its
 * own loopback address with its own --rootfs and its own containerd from the harness): `k8ts
 * init` (a stacked etcd member, the control plane and the agent under a detached node
 * supervisor), `k8ts token create --print-join-command`, the printed join on the second node
 * (plus the flags that make it a second node on this machine), then
 * real kubectl 1.27 and 1.33 list both nodes Ready with ROLES control-plane / <none>. Then the
 * refusals: a wrong CA hash, an expired token, a deleted token, a token without the
 * authentication usage and an unreachable endpoint each fail with a clear message and leave
 * nothing on disk; a worker's credentials cannot read Secrets nor modify another node (403);
 * `k8ts reset` stops everything the nodes ran. All traffic stays on 127.0.0.0/8; every wait is
 * bounded; every process started is stopped by PID.
 */
import 'reflect-metadata';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { request } from 'node:https';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { hostScopedNames } from '../../src/agent/agent-paths.ts';
import { readPidFile, isProcessAlive } from '../../src/node/node-service.ts';
import { nodePaths } from '../../src/node/node-paths.ts';
import { freePorts } from '../harness/free-port.ts';
import { KUBECTL_VERSIONS, hasKubectl, kubectl } from '../harness/kubectl.ts';
import { startContainerdNode } from '../harness/containerd.ts';
import type { ContainerdNode } from '../harness/containerd.ts';
import { until } from '../harness/until.ts';

const BIN = fileURLToPath(new URL('../../bin/k8ts.js', import.meta.url));

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function k8ts(args: readonly string[], timeoutMs = 90_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { timeout: timeoutMs, maxBuffer: 8 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Every file (not directory) under `dir`. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out;
}

// A /24 of loopback addresses of our own (127.<a>.<b>.x), so parallel tests never collide.
const subnet = `127.${String(100 + (process.pid % 150))}.${String(1 + Math.floor(Math.random() * 250))}`;
const cpIp = `${subnet}.11`;
const workerIp = `${subnet}.12`;
const suffix = Math.random().toString(36).slice(2, 7);
const cpName = `cp-${suffix}`;
const workerName = `w-${suffix}`;

describe('bootstrap: init, token, join, authorization, reset', () => {
  const base = mkdtempSync(join(tmpdir(), 'k8ts-bootstrap-'));
  let cp: ContainerdNode;
  let worker: ContainerdNode;
  let cpRoot = '';
  let workerRoot = '';
  let ports: number[] = [];
  let apiPort = 0;
  let joinArgs: string[] = [];
  const adminConf = join(base, 'admin.conf');

  before(async () => {
    // Each node's rootfs is its containerd's (the harness keeps containerd's state under it).
    [cp, worker, ports] = await Promise.all([
      startContainerdNode({ name: 'bootstrap-cp', writeCniConfig: false }),
      startContainerdNode({ name: 'bootstrap-w', writeCniConfig: false }),
      freePorts(4),
    ]);
    cpRoot = cp.rootfs;
    workerRoot = worker.rootfs;
    apiPort = ports[0] ?? 0;
  });

  after(async () => {
    for (const root of [workerRoot, cpRoot]) {
      if (root !== '' && existsSync(join(root, 'run/k8ts')))
        await k8ts(['reset', '--force', '--rootfs', root], 60_000);
    }
    await Promise.all([cp.stop(), worker.stop()]);
    rmSync(base, { recursive: true, force: true });
  });

  it('k8ts init builds a control plane and prints the join command', async () => {
    const r = await k8ts([
      'init',
      '--rootfs',
      cpRoot,
      '--apiserver-advertise-address',
      cpIp,
      '--node-name',
      cpName,
      '--apiserver-bind-port',
      String(apiPort),
      '--etcd-client-port',
      String(ports[1]),
      '--etcd-peer-port',
      String(ports[2]),
      '--kubelet-port',
      String(ports[3]),
      '--cri-socket',
      cp.endpoint,
      '--pod-cidr',
      cp.podCidr,
      '--ignore-preflight-errors',
      'Swap',
    ]);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    copyFileSync(join(cpRoot, 'etc/kubernetes/admin.conf'), adminConf);
    for (const line of [
      '[preflight] Running pre-flight checks',
      '[certs] Generating "ca" certificate and key',
      '[kubeconfig] Writing "admin.conf" kubeconfig file',
      '[etcd] Creating static Pod manifest for local etcd',
      '[control-plane] Creating static Pod manifest for "kube-apiserver"',
      '[kubelet-start] Starting the kubelet',
      '[api-check] The API server is healthy after',
      '[upload-config] Storing the configuration used in ConfigMap "kubeadm-config"',
      `[mark-control-plane] Marking the node ${cpName} as control-plane`,
      '[bootstrap-token] Creating the "cluster-info" ConfigMap in the "kube-public" namespace',
      'Your Kubernetes control-plane has initialized successfully!',
    ])
      assert.ok(r.stdout.includes(line), `missing ${line}\n${r.stdout}`);
    assert.match(r.stdout, /\[certs\] Completed in \d+\.\d{3}s/);
    assert.match(
      r.stdout,
      new RegExp(
        `k8ts join ${cpIp.replaceAll('.', '\\.')}:${String(apiPort)} --token [a-z0-9]{6}\\.[a-z0-9]{16} \\\\\\n\\t--discovery-token-ca-cert-hash sha256:[0-9a-f]{64}`,
      ),
    );
  });

  it('k8ts token create --print-join-command prints a join that works as printed', async () => {
    const r = await k8ts(['token', 'create', '--rootfs', cpRoot, '--print-join-command']);
    assert.equal(r.code, 0, r.stderr);
    const words = r.stdout.trim().split(' ');
    assert.deepEqual(words.slice(0, 3), ['k8ts', 'join', `${cpIp}:${String(apiPort)}`]);
    joinArgs = words.slice(1);
    const list = await k8ts(['token', 'list', '--rootfs', cpRoot]);
    assert.match(list.stdout, /^TOKEN\s+TTL\s+EXPIRES\s+USAGES\s+DESCRIPTION\s+EXTRA GROUPS\n/);
    assert.equal(list.stdout.trim().split('\n').length, 3, list.stdout);
  });

  it('k8ts join adds a worker through the TLS bootstrap', async () => {
    const r = await k8ts([
      ...joinArgs,
      '--rootfs',
      workerRoot,
      '--node-name',
      workerName,
      '--node-ip',
      workerIp,
      '--kubelet-port',
      String(ports[3]),
      '--cri-socket',
      worker.endpoint,
      '--pod-cidr',
      worker.podCidr,
      '--ignore-preflight-errors',
      'Swap',
    ]);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(
      r.stdout,
      /\[kubelet-start\] The certificate signing request csr-\w+ was approved and signed/,
    );
    assert.ok(r.stdout.includes('This node has joined the cluster:'), r.stdout);
    const kubeletConf = readFileSync(join(workerRoot, 'etc/kubernetes/kubelet.conf'), 'utf8');
    assert.ok(!kubeletConf.includes(joinArgs[3] ?? 'none'), 'the token is not kept on the node');
  });

  for (const version of KUBECTL_VERSIONS.filter((v) => v === '1.27' || v === '1.33')) {
    it(
      `kubectl ${version} lists both nodes Ready with their roles`,
      { skip: !hasKubectl(version) },
      async () => {
        const r = await until(`both nodes Ready (kubectl ${version})`, async () => {
          const got = await kubectl(version, adminConf, ['get', 'nodes', '--no-headers']);
          const rows = got.stdout
            .trim()
            .split('\n')
            .map((l) => l.split(/\s+/));
          const cp = rows.find((c) => c[0] === cpName);
          const worker = rows.find((c) => c[0] === workerName);
          return cp?.[1] === 'Ready' && worker?.[1] === 'Ready' ? { cp, worker } : undefined;
        });
        assert.equal(r.cp[2], 'control-plane');
        assert.equal(r.worker[2], '<none>');
      },
    );
  }

  describe('refused joins leave nothing behind', { concurrency: true }, () => {
    const refusals: {
      what: string;
      prepare: () => Promise<string[]>;
      message: RegExp;
      extra?: string[];
    }[] = [
      {
        what: 'a wrong CA hash',
        prepare: () =>
          Promise.resolve(
            joinArgs.map((a) => (a.startsWith('sha256:') ? `sha256:${'0'.repeat(64)}` : a)),
          ),
        message: /none of the public keys "sha256:[0-9a-f]{64}" are pinned/,
      },
      {
        what: 'an expired token',
        prepare: async () => {
          const t = await k8ts(['token', 'create', '--rootfs', cpRoot, '--ttl', '1s']);
          await new Promise((r) => setTimeout(r, 2500));
          return withToken(t.stdout.trim());
        },
        // Refused at discovery once the cleaner deleted it, or by the authenticator before.
        message: /is invalid for this cluster or it has expired|rejected the bootstrap token/,
      },
      {
        what: 'a deleted token',
        prepare: async () => {
          const t = await k8ts(['token', 'create', '--rootfs', cpRoot]);
          const token = t.stdout.trim();
          const d = await k8ts(['token', 'delete', '--rootfs', cpRoot, token.slice(0, 6)]);
          assert.match(d.stdout, /bootstrap token "[a-z0-9]{6}" deleted/);
          return withToken(token);
        },
        message: /is invalid for this cluster or it has expired/,
      },
      {
        what: 'a token without the authentication usage',
        prepare: () => newToken('--usages', 'signing', '--groups', ''),
        message: /rejected the bootstrap token \(401 Unauthorized\)/,
      },
      {
        what: 'a token without the signing usage',
        prepare: () => newToken('--usages', 'authentication'),
        // No JWS for it in cluster-info: discovery cannot trust the CA (kubeadm's words).
        message: /token id "[a-z0-9]{6}" is invalid for this cluster or it has expired/,
      },
      {
        what: "an agent cgroup driver that is not the runtime's",
        prepare: () => Promise.resolve(joinArgs),
        extra: ['--cgroup-driver', 'systemd'],
        message:
          /\[ERROR CgroupDriver\]: the agent's cgroup driver "systemd" is not the container runtime's "cgroupfs": pass --cgroup-driver cgroupfs/,
      },
      {
        what: 'an unreachable endpoint',
        prepare: () =>
          Promise.resolve(
            joinArgs.map((a, i) => (i === 1 ? `${workerIp}:${String(ports[1])}` : a)),
          ),
        message: /couldn't validate the identity of the API Server at .* ECONNREFUSED/,
      },
    ];

    /** The join arguments with a new token made with `flags`. */
    async function newToken(...flags: string[]): Promise<string[]> {
      const t = await k8ts(['token', 'create', '--rootfs', cpRoot, ...flags]);
      assert.equal(t.code, 0, t.stderr);
      return withToken(t.stdout.trim());
    }

    function withToken(token: string): string[] {
      assert.match(token, /^[a-z0-9]{6}\.[a-z0-9]{16}$/);
      const i = joinArgs.indexOf('--token');
      return joinArgs.map((a, j) => (j === i + 1 ? token : a));
    }

    for (const r of refusals) {
      it(`refuses ${r.what}`, async () => {
        const root = join(base, `refused-${r.what.replaceAll(' ', '-')}`);
        const args = await r.prepare();
        const run = await k8ts([
          ...args,
          '--rootfs',
          root,
          '--node-name',
          `x-${suffix}`,
          '--node-ip',
          `${subnet}.13`,
          '--cri-socket',
          worker.endpoint,
          '--discovery-timeout',
          '2s',
          '--ignore-preflight-errors',
          'Swap',
          ...(r.extra ?? []),
        ]);
        assert.equal(run.code, 1, run.stdout);
        assert.match(run.stderr, r.message);
        assert.ok(!run.stderr.includes(args[3]?.slice(7) ?? 'none'), 'no token secret in errors');
        assert.deepEqual(filesUnder(root), []);
      });
    }
  });

  it('k8ts init phase <name> runs one phase; pre-flight refuses a busy port unless ignored', async () => {
    const root = join(base, 'phases');
    const [etcdClient, etcdPeer, agentPort] = await freePorts(3);
    const flags = [
      '--rootfs',
      root,
      '--apiserver-advertise-address',
      cpIp,
      '--apiserver-bind-port',
      String(apiPort), // the first node's API server listens there
      '--etcd-client-port',
      String(etcdClient),
      '--etcd-peer-port',
      String(etcdPeer),
      '--kubelet-port',
      String(agentPort),
      '--cri-socket',
      cp.endpoint,
      '--node-name',
      `p-${suffix}`,
    ];
    const refused = await k8ts([
      'init',
      'phase',
      'preflight',
      ...flags,
      '--ignore-preflight-errors',
      'Swap',
    ]);
    assert.equal(refused.code, 1, refused.stdout);
    assert.ok(
      refused.stderr.includes(
        `[ERROR Port-${String(apiPort)}]: Port ${String(apiPort)} is in use on ${cpIp}`,
      ),
      refused.stderr,
    );
    assert.match(refused.stderr, /--ignore-preflight-errors/);
    assert.deepEqual(filesUnder(root), []);
    const ignored = await k8ts([
      'init',
      'phase',
      'preflight',
      ...flags,
      '--ignore-preflight-errors',
      `Swap,port-${String(apiPort)}`,
    ]);
    assert.equal(ignored.code, 0, ignored.stderr);
    assert.ok(ignored.stdout.includes(`[WARNING Port-${String(apiPort)}]`), ignored.stdout);
    assert.match(ignored.stdout, /^\[preflight\] Completed in \d+\.\d{3}s$/m);
    assert.deepEqual(filesUnder(root), []);

    const certs = await k8ts(['init', 'phase', 'certs', ...flags]);
    assert.equal(certs.code, 0, certs.stderr);
    assert.ok(certs.stdout.includes('[certs] Generating "ca" certificate and key'), certs.stdout);
    assert.ok(!certs.stdout.includes('[kubeconfig]'), certs.stdout);
    const pki = join(root, 'etc/kubernetes/pki');
    for (const f of [
      'ca.crt',
      'apiserver.crt',
      'apiserver-kubelet-client.crt',
      'sa.key',
      'etcd/ca.crt',
    ])
      assert.ok(existsSync(join(pki, f)), f);
    assert.equal(existsSync(join(root, 'etc/kubernetes/admin.conf')), false);
    const kubeconfig = await k8ts(['init', 'phase', 'kubeconfig', ...flags]);
    assert.equal(kubeconfig.code, 0, kubeconfig.stderr);
    for (const f of ['admin.conf', 'super-admin.conf', 'controller-manager.conf', 'scheduler.conf'])
      assert.ok(existsSync(join(root, 'etc/kubernetes', f)), f);
    assert.equal(existsSync(join(root, 'etc/kubernetes/manifests')), false);

    const unknown = await k8ts(['init', 'phase', 'nope', ...flags]);
    assert.equal(unknown.code, 1);
    assert.match(
      unknown.stderr,
      /unknown phase "nope"; the phases are: preflight, certs, kubeconfig/,
    );
  });

  it('anonymous requests get only what upstream allows', async () => {
    const ca = readFileSync(join(cpRoot, 'etc/kubernetes/pki/ca.crt'), 'utf8');
    const get = (path: string): Promise<{ status: number; body: string }> =>
      new Promise((resolve, reject) => {
        const req = request(
          { host: cpIp, port: apiPort, path, ca, servername: '', timeout: 10_000 },
          (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (c: string) => (body += c));
            res.on('end', () => {
              resolve({ status: res.statusCode ?? 0, body });
            });
          },
        );
        req.on('timeout', () => req.destroy(new Error('timed out')));
        req.on('error', reject);
        req.end();
      });
    for (const path of ['/healthz', '/livez', '/readyz', '/version'])
      assert.equal((await get(path)).status, 200, path);
    const clusterInfo = await get('/api/v1/namespaces/kube-public/configmaps/cluster-info');
    assert.equal(clusterInfo.status, 200, clusterInfo.body);
    assert.match(clusterInfo.body, /jws-kubeconfig-[a-z0-9]{6}/);
    for (const path of [
      '/api',
      '/api/v1/namespaces/kube-system/secrets',
      '/api/v1/nodes',
      '/api/v1/namespaces/kube-public/configmaps',
    ]) {
      const r = await get(path);
      assert.equal(r.status, 403, `${path}: ${r.body}`);
      assert.match(r.body, /User \\"system:anonymous\\" cannot/);
    }
  });

  it("a worker's credentials cannot read Secrets nor change another node (403)", async () => {
    // A copy: kubectl keeps its cache beside the kubeconfig.
    const workerConf = join(base, 'worker-kubelet.conf');
    copyFileSync(join(workerRoot, 'etc/kubernetes/kubelet.conf'), workerConf);
    const secrets = await kubectl('1.33', workerConf, ['get', 'secrets', '-n', 'kube-system']);
    assert.equal(secrets.code, 1);
    assert.match(
      secrets.stderr,
      /Error from server \(Forbidden\): secrets is forbidden: User "system:node:/,
    );
    const canI = async (...args: string[]): Promise<string> =>
      (await kubectl('1.27', workerConf, ['auth', 'can-i', ...args])).stdout.trim();
    // The Node authorizer's reason, word for word as upstream's (kubectl prints "no - <reason>").
    assert.equal(await canI('get', 'secrets', '-n', 'kube-system'), 'no - No Object name found');
    assert.equal(await canI('create', 'certificatesigningrequests.certificates.k8s.io'), 'yes');
    assert.equal(await canI('update', `nodes/${workerName}`, '--subresource', 'status'), 'yes');
    assert.match(await canI('delete', 'nodes'), /^no\b/);
    // kubectl patch reads the node first: the Node authorizer refuses that read.
    const patch = await kubectl('1.33', workerConf, [
      'patch',
      'node',
      cpName,
      '-p',
      '{"metadata":{"labels":{"owned":"yes"}}}',
    ]);
    assert.equal(patch.code, 1);
    assert.match(patch.stderr, /Error from server \(Forbidden\): nodes ".*" is forbidden/);
    // kubectl replace writes at once: NodeRestriction admission refuses the write.
    const rv = await kubectl('1.33', adminConf, [
      'get',
      'node',
      cpName,
      '-o',
      'jsonpath={.metadata.resourceVersion}',
    ]);
    const node = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: cpName, labels: { owned: 'yes' }, resourceVersion: rv.stdout },
    };
    const replace = await kubectl('1.33', workerConf, ['replace', '-f', '-'], JSON.stringify(node));
    assert.equal(replace.code, 1);
    assert.match(
      replace.stderr,
      new RegExp(`Forbidden.*node "${workerName}" is not allowed to modify node "${cpName}"`),
    );
  });

  it('k8ts certs check-expiration lists the control plane certificates', async () => {
    const r = await k8ts(['certs', 'check-expiration', '--rootfs', cpRoot]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^apiserver\s+\w{3} \d{2}, \d{4} \d{2}:\d{2} UTC\s+36[45]d\s+ca\s+no$/m);
    assert.match(r.stdout, /^etcd-server\s+.*\s+etcd-ca\s+no$/m);
  });

  it('k8ts reset stops everything the nodes ran and removes their network', async () => {
    for (const root of [workerRoot, cpRoot]) {
      const paths = nodePaths(root);
      const pids = readdirSync(paths.runDir)
        .map((f) => readPidFile(join(paths.runDir, f)))
        .filter((p): p is number => p !== undefined);
      assert.ok(pids.length > 0, `${root} runs something`);
      const r = await k8ts(['reset', '--force', '--rootfs', root], 60_000);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /\[reset\] Deleting files: /);
      for (const pid of pids)
        assert.equal(isProcessAlive(pid), false, `pid ${String(pid)} still runs`);
      assert.deepEqual(filesUnder(join(root, 'etc/kubernetes')), []);
      const bridge = hostScopedNames(root).bridge;
      const link = await new Promise<number>((resolve) => {
        execFile('ip', ['link', 'show', bridge], (err) => {
          resolve(err === null ? 0 : 1);
        });
      });
      assert.equal(link, 1, `bridge ${bridge} removed`);
      assert.equal(existsSync(join(root, 'etc/cni/net.d/10-k8ts.conflist')), false);
    }
  });
});
