/**
 * Volumes on a real containerd, checked from inside the containers with real kubectl exec:
 * `k8ts agent` (a process, as a node runs it) and an API server that signs service account
 * tokens. One busybox pod mounts an emptyDir (init container -> app, and shared with a second
 * container), a configMap (items, defaultMode, an item mode), a secret (on a tmpfs), a hostPath
 * (a temp dir of the test), a projected volume (service account token, configMap, downwardAPI)
 * and an optional configMap that does not exist; it sets no service account, so the
 * ServiceAccount admission plugin gives it `default` and the auto-mounted
 * /var/run/secrets/kubernetes.io/serviceaccount (token, the cluster CA from kube-root-ca.crt,
 * namespace), as the fixture runs the controllers that make the account and that ConfigMap.
 * Both tokens are accepted by the API server (TokenReview, bound to the pod); ConfigMap and Secret updates reach the running container's
 * files; API volumes and readOnly mounts are read-only. A pod with fsGroup and a non-root user
 * gets its emptyDir, configMap and secret owned by that group (setgid directories, the group in
 * its supplemental groups), its hostPath untouched. Another pod waits in ContainerCreating
 * with a FailedMount event (retried with upstream's backoff, one Event whose count grows) until
 * its ConfigMap exists. Deleting the pods leaves nothing behind:
 * no sandboxes, containers, mounts (tmpfs), cgroups, IPs, pod directories; the hostPath stays.
 */
import 'reflect-metadata';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Event as CoreEvent, Pod } from 'kubernetes-types/core/v1.d.ts';
import { agentPaths } from '../../src/agent/agent-paths.ts';
import { RestClient } from '../../src/client/index.ts';
import { generateServiceAccountKey } from '../../src/pki/service-account-key.ts';
import { startAgentOnContainerd } from '../harness/agent-on-containerd.ts';
import type { AgentOnContainerd } from '../harness/agent-on-containerd.ts';
import type { ApiServerFixture } from '../harness/api-server-fixture.ts';
import { BUSYBOX_IMAGE, NO_LEFTOVERS } from '../harness/containerd.ts';
import type { ContainerdNode } from '../harness/containerd.ts';
import { kubectl } from '../harness/kubectl.ts';
import { until } from '../harness/until.ts';

const NODE = 'volumes-node';
const SECRET_V1 = `pw-${randomUUID()}`;
const SECRET_V2 = `pw-${randomUUID()}`;
const FS_GROUP = 2345;
const b64 = (s: string): string => Buffer.from(s).toString('base64');

const manifests = (hostDir: string): string => `
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg, namespace: default}
data: {a: alpha, b: beta, c: gamma, unlisted: nope}
---
apiVersion: v1
kind: Secret
metadata: {name: sec, namespace: default}
data: {password: ${b64(SECRET_V1)}}
---
apiVersion: v1
kind: Pod
metadata: {name: vol, namespace: default, labels: {app: vol}}
spec:
  nodeName: ${NODE}
  # No serviceAccountName: the ServiceAccount admission plugin sets default and auto-mounts.
  terminationGracePeriodSeconds: 1
  initContainers:
  - name: init
    image: ${BUSYBOX_IMAGE}
    command: [sh, -c, 'echo from-init > /shared/init.txt']
    volumeMounts: [{name: shared, mountPath: /shared}]
  containers:
  - name: app
    image: ${BUSYBOX_IMAGE}
    command: [sh, -c, 'echo from-app > /shared/app.txt; echo from-pod > /host/from-pod; exec sleep 100000']
    volumeMounts:
    - {name: shared, mountPath: /shared}
    - {name: cfg, mountPath: /cfg}
    - {name: sec, mountPath: /sec}
    - {name: host, mountPath: /host}
    - {name: host, mountPath: /host-ro, readOnly: true}
    - {name: proj, mountPath: /proj}
    - {name: opt, mountPath: /opt-cfg}
  - name: side
    image: ${BUSYBOX_IMAGE}
    command: [sleep, '100000']
    volumeMounts: [{name: shared, mountPath: /shared}]
  volumes:
  - {name: shared, emptyDir: {}}
  # defaultMode 0640 (416), the first item 0600 (384).
  - name: cfg
    configMap: {name: cfg, defaultMode: 416, items: [{key: a, path: dir/a.txt, mode: 384}, {key: b, path: b.txt}]}
  - {name: sec, secret: {secretName: sec}}
  - {name: host, hostPath: {path: ${hostDir}, type: Directory}}
  - name: proj
    projected:
      sources:
      - serviceAccountToken: {path: token, expirationSeconds: 3600}
      - configMap: {name: cfg, items: [{key: c, path: c.txt}]}
      - downwardAPI: {items: [{path: labels, fieldRef: {fieldPath: metadata.labels}}, {path: name, fieldRef: {fieldPath: metadata.name}}]}
  - {name: opt, configMap: {name: absent, optional: true}}
---
# fsGroup: its volumes (not the hostPath) belong to group 2345, which the non-root user has.
apiVersion: v1
kind: Pod
metadata: {name: fsg, namespace: default}
spec:
  nodeName: ${NODE}
  terminationGracePeriodSeconds: 1
  securityContext: {fsGroup: ${FS_GROUP}, runAsUser: 1000}
  containers:
  - name: c
    image: ${BUSYBOX_IMAGE}
    command: [sleep, '100000']
    volumeMounts:
    - {name: data, mountPath: /data}
    - {name: cfg, mountPath: /cfg}
    - {name: sec, mountPath: /sec}
    - {name: host, mountPath: /host}
  volumes:
  - {name: data, emptyDir: {}}
  - {name: cfg, configMap: {name: cfg, items: [{key: a, path: a}]}}
  # 0440: only the owner (root) and the group may read it.
  - {name: sec, secret: {secretName: sec, defaultMode: 288}}
  - {name: host, hostPath: {path: ${hostDir}, type: Directory}}
---
# Its ConfigMap does not exist yet: ContainerCreating with FailedMount, until it does.
apiVersion: v1
kind: Pod
metadata: {name: waits, namespace: default}
spec:
  nodeName: ${NODE}
  terminationGracePeriodSeconds: 1
  volumes: [{name: late, configMap: {name: late}}]
  containers:
  - {name: c, image: ${BUSYBOX_IMAGE}, command: [sh, -c, 'cat /late/k; echo; exec sleep 100000'], volumeMounts: [{name: late, mountPath: /late}]}
`;

interface TokenReview {
  apiVersion?: string;
  kind?: string;
  spec?: { token: string };
  status?: {
    authenticated?: boolean;
    error?: string;
    user?: { username?: string; extra?: Record<string, string[]> };
  };
}

describe('agent volumes on real containerd', () => {
  let setup: AgentOnContainerd;
  let node: ContainerdNode;
  let fx: ApiServerFixture;
  let client: RestClient;
  let hostDir: string;
  let token = '';
  let autoToken = '';
  let logged: readonly string[] = [];

  const k = (...args: string[]) => kubectl('1.33', fx.kubeconfigPath, args);
  /** Runs `script` in a container of `vol`; answers stdout, or fails with stderr. */
  const sh = async (script: string, container = 'app'): Promise<string> => {
    const r = await k('exec', 'vol', '-c', container, '--', 'sh', '-c', script);
    assert.equal(r.code, 0, `${script}: ${r.stderr}`);
    return r.stdout;
  };
  const getPod = (name: string): Promise<Pod> =>
    client.get<Pod>({ group: '', version: 'v1', plural: 'pods', namespace: 'default', name });
  const review = (t: string): Promise<TokenReview> =>
    client.create<TokenReview>(
      { group: 'authentication.k8s.io', version: 'v1', plural: 'tokenreviews' },
      { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: t } },
    );

  before(async () => {
    hostDir = mkdtempSync(join(tmpdir(), 'k8ts-hostpath-'));
    writeFileSync(join(hostDir, 'from-host'), 'host-data\n');
    const key = await generateServiceAccountKey('RSA-2048');
    setup = await startAgentOnContainerd({
      name: 'volumes',
      nodeName: NODE,
      apiServer: { serviceAccountSigningKeyPem: key.privateKeyPem },
    });
    ({ node, fx, client, logs: logged } = setup);
    const applied = await kubectl(
      '1.33',
      fx.kubeconfigPath,
      ['apply', '-f', '-'],
      manifests(hostDir),
    );
    assert.equal(applied.code, 0, applied.stderr);
    try {
      await until(
        'vol Running with both containers up',
        async () => {
          const p = await getPod('vol');
          const running = (p.status?.containerStatuses ?? []).filter((c) => c.state?.running);
          return p.status?.phase === 'Running' && running.length === 2 ? true : undefined;
        },
        60_000,
        300,
      );
    } catch (err: unknown) {
      // What went wrong, for whoever reads the failure (no secrets: describe hides data).
      const described = await k('describe', 'pod', 'vol', 'waits');
      process.stderr.write(`${described.stdout}\n${logged.slice(-40).join('')}\n`);
      throw err;
    }
  });

  after(async () => {
    await setup.stop();
    rmSync(hostDir, { recursive: true, force: true });
    // Secret values and tokens never reach the agent's logs.
    for (const line of logged) {
      for (const secret of [SECRET_V1, SECRET_V2, b64(SECRET_V1), b64(SECRET_V2)])
        assert.equal(line.includes(secret), false, 'a secret reached the agent logs');
      for (const t of [token, autoToken])
        if (t !== '') assert.equal(line.includes(t), false, 'a token reached the logs');
    }
  });

  it('emptyDir: written by the init container and the app, seen by the second container', async () => {
    assert.equal(await sh('cat /shared/init.txt /shared/app.txt'), 'from-init\nfrom-app\n');
    assert.equal(await sh('cat /shared/init.txt /shared/app.txt', 'side'), 'from-init\nfrom-app\n');
    await sh('echo from-side > /shared/side.txt', 'side');
    assert.equal(await sh('cat /shared/side.txt'), 'from-side\n');
  });

  it('configMap: items map keys to paths with their modes; unlisted keys are absent', async () => {
    assert.equal(await sh('ls /cfg'), 'b.txt\ndir\n');
    assert.equal(await sh('cat /cfg/dir/a.txt; echo; cat /cfg/b.txt'), 'alpha\nbeta');
    assert.equal(await sh('stat -L -c %a /cfg/dir/a.txt /cfg/b.txt'), '600\n640\n');
    // The optional ConfigMap that does not exist is an empty volume (just the writer's ..data).
    assert.equal(await sh('ls -A /opt-cfg | grep -v "^\\.\\." | wc -l'), '0\n');
    assert.equal(await sh('test -d /opt-cfg/..data && echo yes'), 'yes\n');
  });

  it('secret: decoded, mode 0644, on a tmpfs', async () => {
    assert.equal(await sh('cat /sec/password'), SECRET_V1);
    assert.equal(await sh('stat -L -c %a /sec/password'), '644\n');
    assert.match(await sh('grep " /sec " /proc/mounts'), /^tmpfs \/sec tmpfs ro[, ]/);
    const uid = (await getPod('vol')).metadata?.uid ?? '';
    const secretDir = join(
      agentPaths(node.rootfs).podsDir,
      uid,
      'volumes/kubernetes.io~secret/sec',
    );
    const hostMount = readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .find((l) => l.split(' ')[4] === secretDir);
    assert.match(hostMount ?? '', / - tmpfs /, 'the secret volume is a tmpfs on the host');
  });

  it('fsGroup: the group of emptyDir and API volumes, setgid dirs, a supplemental group; not hostPath', async () => {
    await until(
      'fsg Running',
      async () => ((await getPod('fsg')).status?.phase === 'Running' ? true : undefined),
      30_000,
      300,
    );
    const r = await k(
      'exec',
      'fsg',
      '--',
      'sh',
      '-c',
      'id -u; id -G | tr " " "\\n" | grep -x 2345; stat -c "%n %g %a" /data /cfg /sec; stat -L -c "%n %g %a" /cfg/a /sec/password; touch /data/new; stat -c "%n %g" /data/new /host; cat /sec/password',
    );
    assert.equal(r.code, 0, r.stderr);
    const g = String(FS_GROUP);
    assert.equal(
      r.stdout,
      [
        '1000',
        g,
        `/data ${g} 2777`,
        // Roots as upstream's wrapped emptyDir makes them: 0777 on disk, a tmpfs's 1777.
        `/cfg ${g} 2777`,
        `/sec ${g} 3777`,
        `/cfg/a ${g} 644`,
        // Readable by the non-root user through the group only.
        `/sec/password ${g} 440`,
        `/data/new ${g}`,
        '/host 0',
        SECRET_V1,
      ].join('\n'),
    );
  });

  it('hostPath: the host file is visible, the pod writes back; readOnly mounts refuse writes', async () => {
    assert.equal(await sh('cat /host/from-host'), 'host-data\n');
    assert.equal(readFileSync(join(hostDir, 'from-pod'), 'utf8'), 'from-pod\n');
    for (const path of ['/host-ro/x', '/cfg/x', '/sec/x', '/proj/x']) {
      const r = await k('exec', 'vol', '-c', 'app', '--', 'touch', path);
      assert.notEqual(r.code, 0, `${path} is writable`);
      assert.match(r.stderr, /Read-only file system/, path);
    }
    assert.equal(existsSync(join(hostDir, 'x')), false);
  });

  it('projected: a pod-bound service account token the API server accepts, configMap and downwardAPI', async () => {
    assert.equal(await sh('cat /proj/c.txt; echo; cat /proj/name'), 'gamma\nvol');
    assert.equal(await sh('cat /proj/labels'), 'app="vol"');
    token = await sh('cat /proj/token');
    assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    const r = await review(token);
    assert.equal(r.status?.authenticated, true);
    assert.equal(r.status.user?.username, 'system:serviceaccount:default:default');
    assert.deepEqual(r.status.user.extra?.['authentication.kubernetes.io/pod-name'], ['vol']);
  });

  it('the auto-mounted service account: token, cluster CA and namespace, in every container', async () => {
    const dir = '/var/run/secrets/kubernetes.io/serviceaccount';
    const spec = (await getPod('vol')).spec ?? { containers: [] };
    assert.equal(spec.serviceAccountName, 'default');
    const volume = (spec.volumes ?? []).find((v) => v.name.startsWith('kube-api-access-'));
    assert.ok(volume?.projected, 'the kube-api-access-* projected volume');
    for (const c of [...(spec.initContainers ?? []), ...spec.containers])
      assert.ok(
        (c.volumeMounts ?? []).some((m) => m.mountPath === dir && m.readOnly === true),
        `${c.name} mounts ${dir}`,
      );
    assert.equal(await sh(`ls ${dir}`, 'side'), 'ca.crt\nnamespace\ntoken\n');
    assert.equal(await sh(`cat ${dir}/namespace`), 'default');
    assert.equal(await sh(`cat ${dir}/ca.crt`), fx.caPem);
    const auto = await sh(`cat ${dir}/token`);
    autoToken = auto;
    const r = await review(auto);
    assert.equal(r.status?.authenticated, true);
    assert.equal(r.status.user?.username, 'system:serviceaccount:default:default');
    assert.deepEqual(r.status.user.extra?.['authentication.kubernetes.io/pod-name'], ['vol']);
    // And it is a credential the API server takes: the account can ask who it is.
    const asPod = new RestClient({ servers: [fx.url], caPem: fx.caPem, token: auto });
    try {
      const who = await asPod.create<{
        apiVersion?: string;
        kind?: string;
        status?: { userInfo?: { username?: string } };
      }>(
        { group: 'authentication.k8s.io', version: 'v1', plural: 'selfsubjectreviews' },
        { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
      );
      assert.equal(who.status?.userInfo?.username, 'system:serviceaccount:default:default');
    } finally {
      asPod.close();
    }
  });

  it('ConfigMap and Secret updates reach the running container files', async (t) => {
    const started = Date.now();
    for (const args of [
      ['patch', 'configmap', 'cfg', '-p', '{"data":{"a":"alpha-2","c":"gamma-2"}}'],
      ['patch', 'secret', 'sec', '-p', JSON.stringify({ data: { password: b64(SECRET_V2) } })],
    ]) {
      const r = await k(...args);
      assert.equal(r.code, 0, r.stderr);
    }
    await until(
      'the new ConfigMap and Secret data in the container',
      async () =>
        (await sh('cat /cfg/dir/a.txt /proj/c.txt /sec/password')) === `alpha-2gamma-2${SECRET_V2}`
          ? true
          : undefined,
      30_000,
      200,
    );
    // The agent watches each object a pod uses: an update lands in about a second (upstream:
    // within the kubelet's sync period, up to a minute plus the cache TTL).
    t.diagnostic(`updates visible after ${String(Date.now() - started)} ms`);
    // Modes survive the rewrite.
    assert.equal(await sh('stat -L -c %a /cfg/dir/a.txt'), '600\n');
  });

  it('a missing ConfigMap keeps a pod ContainerCreating with FailedMount until it exists', async () => {
    const message = 'MountVolume.SetUp failed for volume "late" : configmap "late" not found';
    // Retried with upstream's backoff (500 ms, 1 s, 2 s, ...): one Event whose count grows.
    const failedMounts = await until(
      'a FailedMount event seen twice',
      async () => {
        const events = (
          await client.list<CoreEvent>({
            group: '',
            version: 'v1',
            plural: 'events',
            namespace: 'default',
          })
        ).items.filter((e) => e.involvedObject.name === 'waits' && e.reason === 'FailedMount');
        return events.some((e) => (e.count ?? 0) >= 2) ? events : undefined;
      },
      20_000,
      300,
    );
    assert.deepEqual(
      failedMounts.map((e) => [e.type, e.message]),
      [['Warning', message]],
    );
    const waiting = await getPod('waits');
    assert.equal(waiting.status?.phase, 'Pending');
    assert.equal(
      waiting.status.containerStatuses?.[0]?.state?.waiting?.reason,
      'ContainerCreating',
    );
    const created = await k('create', 'configmap', 'late', '--from-literal=k=arrived');
    assert.equal(created.code, 0, created.stderr);
    await until(
      'waits Running',
      async () => ((await getPod('waits')).status?.phase === 'Running' ? true : undefined),
      30_000,
      300,
    );
    let seen = '';
    await until('waits prints the ConfigMap value', async () => {
      seen = (await k('logs', 'waits')).stdout;
      return seen === 'arrived\n' ? true : undefined;
    }).catch((err: unknown) => {
      throw new Error(`${String(err)}; its logs: ${JSON.stringify(seen)}`);
    });
  });

  it('deleting the pods leaves no volume dirs, mounts, tmpfs or containers; the token dies with the pod', async () => {
    const r = await k('delete', 'pod', 'vol', 'waits', 'fsg', '--wait=true', '--timeout=60s');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await node.settledLeftovers(), NO_LEFTOVERS);
    // hostPath content is the host's: untouched.
    assert.equal(readFileSync(join(hostDir, 'from-host'), 'utf8'), 'host-data\n');
    // Refused: `authenticated` is false, which the API omits (omitempty), and an error says why.
    const refused = await review(token);
    assert.equal(refused.status?.authenticated ?? false, false);
    assert.match(refused.status?.error ?? '', /./);
  });
});
