/**
 * Pod logs, exec, attach and port-forward end to end with real kubectl 1.27 (SPDY, relayed byte
 * for byte) and 1.33 (WebSocket v5, translated to SPDY by the API server; port-forward tunnelled),
 * and client-node's WebSocket Exec: a real API server (RBAC), `k8ts agent` (its HTTPS endpoint
 * authorizing callers through SubjectAccessReviews) and a private containerd.
 *
 * The agent runs the pods itself: `web` (an httpd plus a side container that exits 3 once, so
 * `--previous` has a run to show), `starting` (waits for a ConfigMap that does not exist, so it
 * stays ContainerCreating) and `unbound` (never scheduled).
 */
import 'reflect-metadata';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import type { Pod } from 'kubernetes-types/core/v1.d.ts';
import { buildKubeconfig } from '../../src/client/index.ts';
import { MemoryStore } from '../../src/storage/memory/memory-store.ts';
import { startApiServerFixture } from '../harness/api-server-fixture.ts';
import type { ApiServerFixture } from '../harness/api-server-fixture.ts';
import { BUSYBOX_IMAGE, startContainerdNode } from '../harness/containerd.ts';
import type { ContainerdNode } from '../harness/containerd.ts';
import { kubectl, kubectlBackground } from '../harness/kubectl.ts';
import { until } from '../harness/until.ts';

const BIN = fileURLToPath(new URL('../../bin/k8ts.js', import.meta.url));
const NODE = 'streams-node';
const MANIFESTS = `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: 'kubeadm:cluster-admins'}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: 'kubeadm:cluster-admins'}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: viewer, namespace: default}
rules: [{apiGroups: [''], resources: [pods, pods/log, pods/exec], verbs: [get, list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: dev-viewer, namespace: default}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: viewer}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: User, name: dev}]
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: default}
spec:
  nodeName: ${NODE}
  terminationGracePeriodSeconds: 1
  volumes: [{name: scratch, emptyDir: {}}]
  containers:
  - name: web
    image: ${BUSYBOX_IMAGE}
    # Prints what the test drops into /tmp/say: output on demand (logs -f, attach).
    command: [sh, -c, 'echo web started; mkdir -p /www; echo hello-from-pod > /www/index.html; httpd -p 8080 -h /www; while :; do [ -f /tmp/say ] && cat /tmp/say && rm -f /tmp/say; sleep 0.2; done']
  - name: side
    image: ${BUSYBOX_IMAGE}
    # The first run exits 3 (the previous run); the restart stays up (the current run).
    command: [sh, -c, 'if [ -f /scratch/ran ]; then echo current-run; exec sleep 100000; fi; touch /scratch/ran; echo previous-run; exit 3']
    volumeMounts: [{name: scratch, mountPath: /scratch}]
---
# Bound, but its ConfigMap does not exist: it stays ContainerCreating.
apiVersion: v1
kind: Pod
metadata: {name: starting, namespace: default}
spec:
  nodeName: ${NODE}
  volumes: [{name: cfg, configMap: {name: missing}}]
  containers: [{name: c, image: ${BUSYBOX_IMAGE}, volumeMounts: [{name: cfg, mountPath: /cfg}]}]
---
# Not scheduled.
apiVersion: v1
kind: Pod
metadata: {name: unbound, namespace: default}
spec: {containers: [{name: c, image: ${BUSYBOX_IMAGE}}]}
`;
const SECRET = `s3cr3t-${randomUUID()}`;

describe('pod logs, exec, attach and port-forward through the API server and the agent', () => {
  let node: ContainerdNode;
  let fx: ApiServerFixture;
  let agent: ChildProcess;
  let kc: string;
  let devKc: string;
  let agentUrl: string;
  let dev: { certificatePem: string; keyPem: string };
  const logged: string[] = [];

  const k = (v: string, ...args: string[]) => kubectl(v, kc, args);

  // Everything the API server and the agent print goes through here too (checked in `after`).
  const stderrWrite = process.stderr.write.bind(process.stderr);
  process.stderr.write = (chunk: string | Uint8Array, ...rest: never[]) => {
    logged.push(String(chunk));
    return stderrWrite(chunk, ...rest);
  };

  before(async () => {
    node = await startContainerdNode({ name: 'streams', writeCniConfig: false });
    fx = await startApiServerFixture(new MemoryStore(), {
      authorizationMode: 'RBAC',
      onInternalError: (err) => logged.push(String(err instanceof Error ? err.stack : err)),
    });
    kc = fx.kubeconfigPath;
    // What `k8ts init` sets up (the kubelet client certificate's group is cluster-admin), a
    // user who may read pods, logs and `get` pods/exec, and the pods.
    const setup = await kubectl('1.33', kc, ['apply', '-f', '-'], MANIFESTS);
    assert.equal(setup.code, 0, setup.stderr);
    dev = await fx.ca.issueClient({ commonName: 'dev' });
    devKc = join(fx.dir, 'dev', 'dev.conf');
    mkdirSync(dirname(devKc), { recursive: true });
    writeFileSync(
      devKc,
      buildKubeconfig({
        server: fx.url,
        caPem: fx.caPem,
        userName: 'dev',
        clientCertificatePem: dev.certificatePem,
        clientKeyPem: dev.keyPem,
      }),
    );

    // The agent: registers the node (InternalIP 127.0.0.1, the port its endpoint got) and
    // authorizes callers of its endpoint with SubjectAccessReviews (the default, Webhook).
    agent = spawn(
      process.execPath,
      [
        BIN,
        'agent',
        ...['--kubeconfig', kc, '--rootfs', node.rootfs, '--hostname-override', NODE],
        ...['--node-ip', '127.0.0.1', '--container-runtime-endpoint', node.endpoint],
        ...['--address', '127.0.0.1', '--port', '0', '--pod-cidr', node.podCidr],
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    agent.stderr?.on('data', (d: Buffer) => logged.push(d.toString()));
    const port = await until('the agent registers its node', async () => {
      const r = await k(
        '1.33',
        'get',
        'node',
        NODE,
        '-o',
        'jsonpath={.status.daemonEndpoints.kubeletEndpoint.Port}',
      );
      return Number(r.stdout) > 0 ? Number(r.stdout) : undefined;
    });
    agentUrl = `https://127.0.0.1:${String(port)}`;

    await until(
      'web Running, side restarted once and up again',
      async () => {
        const r = await k('1.33', 'get', 'pod', 'web', '-o', 'json');
        const p = JSON.parse(r.stdout) as Pod;
        const side = p.status?.containerStatuses?.find((c) => c.name === 'side');
        return p.status?.phase === 'Running' &&
          (side?.restartCount ?? 0) >= 1 &&
          side?.state?.running !== undefined
          ? true
          : undefined;
      },
      40_000,
      300,
    );
  });

  after(async () => {
    process.stderr.write = stderrWrite;
    agent.kill('SIGTERM');
    await new Promise((resolve) => agent.once('exit', resolve));
    await fx.stop();
    await node.stop();
    // Secrets never in logs: not the exec'd command's secret, not a key.
    for (const line of logged) {
      assert.equal(line.includes(SECRET), false, line);
      assert.equal(line.includes('PRIVATE KEY'), false, line);
    }
  });

  for (const v of ['1.27', '1.33']) {
    it(`kubectl ${v} logs: -c, --tail, --timestamps, --previous, -f`, async () => {
      assert.match((await k(v, 'logs', 'web', '-c', 'web')).stdout, /^web started\n/);
      assert.deepEqual(await k(v, 'logs', 'web', '-c', 'side', '--tail=1'), {
        code: 0,
        stdout: 'current-run\n',
        stderr: '',
      });
      assert.match(
        (await k(v, 'logs', 'web', '-c', 'side', '--timestamps')).stdout,
        /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z current-run\n$/,
      );
      assert.equal(
        (await k(v, 'logs', 'web', '-c', 'side', '--previous')).stdout,
        'previous-run\n',
      );
      const follow = kubectlBackground(v, kc, ['logs', '-f', 'web', '-c', 'web', '--tail=1']);
      const line = `fresh-${v}`;
      await until(
        'logs -f shows a new line',
        async () => {
          await k('1.33', 'exec', 'web', '-c', 'web', '--', 'sh', '-c', `echo ${line} > /tmp/say`);
          return follow.out.stdout.includes(line) ? true : undefined;
        },
        20_000,
        300,
      );
      await follow.stop();
    });

    it(`kubectl ${v} exec: output, exit codes, stdin`, async () => {
      const r = await k(
        v,
        'exec',
        'web',
        '-c',
        'web',
        '--',
        'sh',
        '-c',
        `echo out; echo err >&2; test -n ${SECRET}; exit 7`,
      );
      assert.equal(r.code, 7);
      assert.equal(r.stdout, 'out\n');
      assert.equal(r.stderr, 'err\ncommand terminated with exit code 7\n');
      const piped = await kubectl(
        v,
        kc,
        ['exec', '-i', 'web', '-c', 'web', '--', 'sh', '-c', 'cat; echo done'],
        'piped input\n',
      );
      assert.deepEqual(piped, { code: 0, stdout: 'piped input\ndone\n', stderr: '' });
    });

    it(`kubectl ${v} port-forward reaches the pod's httpd on loopback`, async () => {
      const pf = kubectlBackground(v, kc, ['port-forward', 'pod/web', ':8080']);
      const port = await until('port-forward listens', () =>
        Promise.resolve(/Forwarding from 127\.0\.0\.1:(\d+)/.exec(pf.out.stdout)?.[1]),
      );
      for (let i = 0; i < 2; i++) {
        const res = await fetch(`http://127.0.0.1:${port}/`);
        assert.equal(await res.text(), 'hello-from-pod\n');
      }
      await pf.stop();
      assert.doesNotMatch(pf.out.stderr, /error/i);
    });
  }

  it('kubectl attach follows the container output', async () => {
    const attach = kubectlBackground('1.33', kc, ['attach', 'web', '-c', 'web']);
    await until(
      'attach shows a new line',
      async () => {
        await k(
          '1.33',
          'exec',
          'web',
          '-c',
          'web',
          '--',
          'sh',
          '-c',
          'echo attached-line > /tmp/say',
        );
        return attach.out.stdout.includes('attached-line') ? true : undefined;
      },
      20_000,
      300,
    );
    await attach.stop();
  });

  it("client-node's Exec over WebSocket", async () => {
    const kubeConfig = new k8s.KubeConfig();
    kubeConfig.loadFromFile(kc);
    const stdout = new PassThrough();
    let out = '';
    stdout.on('data', (d: Buffer) => (out += d.toString()));
    const status = await new Promise<k8s.V1Status>((resolve, reject) => {
      new k8s.Exec(kubeConfig)
        .exec(
          'default',
          'web',
          'web',
          ['sh', '-c', 'echo via-websocket; exit 2'],
          stdout,
          null,
          null,
          false,
          resolve,
        )
        .catch(reject);
    });
    assert.equal(out, 'via-websocket\n');
    assert.equal(status.reason, 'NonZeroExitCode');
    assert.equal(status.details?.causes?.[0]?.message, '2');
  });

  it(
    'python3-kubernetes exec (WebSocket v4.channel.k8s.io, relayed as it is)',
    {
      skip: existsSync('/usr/lib/python3/dist-packages/kubernetes/__init__.py')
        ? false
        : 'python3-kubernetes is not installed',
    },
    async () => {
      const script = [
        'import sys',
        'from kubernetes import client, config',
        'from kubernetes.stream import stream',
        'config.load_kube_config(sys.argv[1])',
        'api = client.CoreV1Api()',
        "r = stream(api.connect_get_namespaced_pod_exec, 'web', 'default', container='web', command=['sh', '-c', 'echo py-out; exit 4'], stderr=True, stdin=False, stdout=True, tty=False, _preload_content=False)",
        'r.run_forever(timeout=20)',
        'print(r.read_stdout().strip(), r.returncode)',
      ].join('\n');
      const { stdout } = await promisify(execFile)('/usr/bin/python3', ['-c', script, kc], {
        timeout: 30_000,
      });
      assert.equal(stdout, 'py-out 4\n');
    },
  );

  it('bad input: unknown container, pod not running, pod not bound', async () => {
    // kubectl checks the container name itself; client-node leaves it to the server.
    const kubeConfig = new k8s.KubeConfig();
    kubeConfig.loadFromFile(kc);
    await assert.rejects(
      kubeConfig
        .makeApiClient(k8s.CoreV1Api)
        .readNamespacedPodLog({ name: 'web', namespace: 'default', container: 'nope' }),
      (err: unknown) => {
        assert.equal((err as { code?: number }).code, 400);
        assert.match(
          String((err as { body?: unknown }).body),
          /container nope is not valid for pod web/,
        );
        return true;
      },
    );
    await assert.rejects(
      new k8s.Exec(kubeConfig).exec('default', 'web', 'nope', ['true'], null, null, null, false),
      // An ErrorEvent from ws: the upgrade was refused with the Status' 400.
      (err: unknown) => (err as { message?: string }).message === 'Unexpected server response: 400',
    );
    for (const v of ['1.27', '1.33']) {
      assert.equal(
        (await k(v, 'logs', 'starting')).stderr,
        'Error from server (BadRequest): container "c" in pod "starting" is waiting to start: ContainerCreating\n',
      );
      const notRunning = await k(v, 'exec', 'starting', '--', 'true');
      assert.equal(notRunning.code, 1);
      assert.match(notRunning.stderr, /container not found \("c"\)/);
      const unbound = await k(v, 'exec', 'unbound', '--', 'true');
      assert.match(unbound.stderr, /pod unbound does not have a host assigned/);
      assert.deepEqual(await k(v, 'logs', 'unbound'), { code: 0, stdout: '', stderr: '' });
    }
  });

  it('RBAC: get on pods/exec is not enough to exec (create is required), logs are allowed', async () => {
    assert.equal(
      (await kubectl('1.33', devKc, ['logs', 'web', '-c', 'side', '--tail=1'])).stdout,
      'current-run\n',
    );
    for (const v of ['1.27', '1.33']) {
      const denied = await kubectl(v, devKc, ['exec', 'web', '-c', 'web', '--', 'true']);
      assert.equal(denied.code, 1);
      assert.match(
        denied.stderr,
        /Error from server \(Forbidden\): pods "web" is forbidden: User "dev" cannot create resource "pods\/exec" in API group "" in the namespace "default"/,
      );
    }
  });

  it("the agent's endpoint: 401 without a client certificate, 403 for users other than the API server", async () => {
    const call = (cert?: { certificatePem: string; keyPem: string }) =>
      new Promise<number>((resolve, reject) => {
        const req = request(`${agentUrl}/containerLogs/default/web/web`, {
          // The agent serves a self-signed certificate (no --tls-cert-file), as a kubelet does.
          rejectUnauthorized: false,
          ...(cert === undefined ? {} : { cert: cert.certificatePem, key: cert.keyPem }),
          agent: false,
        });
        req.on('response', (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
    assert.equal(await call(), 401);
    assert.equal(await call(dev), 403);
  });
});
