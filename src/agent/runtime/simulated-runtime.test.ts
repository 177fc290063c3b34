import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PodSandboxConfig } from '../cri/cri-types.ts';
import { CriCallError, CriNotFoundError } from '../cri/cri-errors.ts';
import { SimulatedRuntime } from './simulated-runtime.ts';

const sandboxConfig = (uid: string, network: 'POD' | 'NODE' = 'POD'): PodSandboxConfig => ({
  metadata: { name: `p-${uid}`, uid, namespace: 'default', attempt: 0 },
  log_directory: `/var/log/pods/default_p-${uid}_${uid}`,
  labels: { 'io.kubernetes.pod.uid': uid },
  linux: { security_context: { namespace_options: { network, pid: 'CONTAINER', ipc: 'POD' } } },
});

async function runContainer(rt: SimulatedRuntime, sandboxId: string, uid: string) {
  const id = await rt.createContainer(sandboxId, {
    metadata: { name: 'c', attempt: 0 },
    image: { image: 'busybox:1' },
    log_path: 'c/0.log',
    labels: { 'io.kubernetes.pod.uid': uid, 'io.kubernetes.container.name': 'c' },
  });
  await rt.startContainer(id);
  return id;
}

describe('SimulatedRuntime', () => {
  it('hands out distinct IPs from the pod CIDR, none for host-network pods, and takes them back', async () => {
    const rt = new SimulatedRuntime({ podCidr: '10.9.0.0/30' });
    const a = await rt.runPodSandbox(sandboxConfig('a'));
    assert.equal((await rt.podSandboxStatus(a)).network?.ip, '10.9.0.2');
    const host = await rt.runPodSandbox(sandboxConfig('h', 'NODE'));
    assert.equal((await rt.podSandboxStatus(host)).network?.ip, '');
    // A /30 has one usable pod address here (.2): the pool is exhausted until it is released.
    await assert.rejects(rt.runPodSandbox(sandboxConfig('b')), /no free IP in 10\.9\.0\.0\/30/);
    await rt.stopPodSandbox(a);
    await rt.removePodSandbox(a);
    const b = await rt.runPodSandbox(sandboxConfig('b'));
    assert.equal((await rt.podSandboxStatus(b)).network?.ip, '10.9.0.2');
  });

  it('follows a pod CIDR given as a function and is NetworkReady only once it is known', async () => {
    const node: { cidr?: string } = {};
    const rt = new SimulatedRuntime({ podCidr: () => node.cidr });
    const network = async () =>
      (await rt.status()).conditions.find((c) => c.type === 'NetworkReady');
    assert.equal((await network())?.status, false);
    assert.equal((await network())?.reason, 'NetworkPluginNotReady');
    node.cidr = '10.7.3.0/24';
    assert.equal((await network())?.status, true);
    const s = await rt.runPodSandbox(sandboxConfig('x'));
    assert.equal((await rt.podSandboxStatus(s)).network?.ip, '10.7.3.2');
  });

  it('runs containers until stopped: 0 after a graceful stop, 137 without grace, exit() as a crash', async () => {
    const rt = new SimulatedRuntime({ cgroupDriver: 'systemd' });
    assert.equal(await rt.cgroupDriver(), 'systemd');
    const s = await rt.runPodSandbox(sandboxConfig('u1'));
    const c1 = await runContainer(rt, s, 'u1');
    const c2 = await runContainer(rt, s, 'u1');
    const c3 = await runContainer(rt, s, 'u1');
    const running = await rt.containerStatus(c1);
    assert.equal(running.state, 'CONTAINER_RUNNING');
    assert.equal(running.log_path, '/var/log/pods/default_p-u1_u1/c/0.log');
    assert.equal((await rt.execSync(c1)).exit_code, 0);
    await rt.stopContainer(c1, 30);
    await rt.stopContainer(c2, 0);
    rt.exit(c3, 2);
    const [s1, s2, s3] = await Promise.all([c1, c2, c3].map((id) => rt.containerStatus(id)));
    assert.deepEqual([s1?.exit_code, s1?.reason], [0, 'Completed']);
    assert.deepEqual([s2?.exit_code, s2?.reason], [137, 'Error']);
    assert.deepEqual([s3?.exit_code, s3?.reason, s3?.state], [2, 'Error', 'CONTAINER_EXITED']);
    assert.equal((await rt.execSync(c1)).exit_code, 1);
  });

  it('filters lists by id, sandbox, state and labels; removing a sandbox removes its containers', async () => {
    const rt = new SimulatedRuntime();
    const s1 = await rt.runPodSandbox(sandboxConfig('u1'));
    const s2 = await rt.runPodSandbox(sandboxConfig('u2'));
    const c1 = await runContainer(rt, s1, 'u1');
    const c2 = await runContainer(rt, s2, 'u2');
    await rt.stopContainer(c2, 1);
    const ids = async (f: Parameters<SimulatedRuntime['listContainers']>[0]) =>
      (await rt.listContainers(f)).map((c) => c.id);
    assert.deepEqual(await ids({ pod_sandbox_id: s1 }), [c1]);
    assert.deepEqual(await ids({ label_selector: { 'io.kubernetes.pod.uid': 'u2' } }), [c2]);
    assert.deepEqual(await ids({ state: { state: 'CONTAINER_RUNNING' } }), [c1]);
    assert.deepEqual(
      (await rt.listPodSandbox({ label_selector: { 'io.kubernetes.pod.uid': 'u1' } })).map(
        (s) => s.id,
      ),
      [s1],
    );
    await rt.stopPodSandbox(s1);
    assert.equal((await rt.listPodSandbox({ id: s1 }))[0]?.state, 'SANDBOX_NOTREADY');
    await rt.removePodSandbox(s1);
    assert.deepEqual(await ids({}), [c2]);
  });

  it('answers NotFound for unknown objects and Unimplemented for streaming', async () => {
    const rt = new SimulatedRuntime();
    await assert.rejects(rt.containerStatus('nope'), CriNotFoundError);
    await assert.rejects(rt.podSandboxStatus('nope'), CriNotFoundError);
    await assert.rejects(rt.startContainer('nope'), CriNotFoundError);
    await assert.rejects(rt.execSync('nope'), CriNotFoundError);
    await assert.rejects(
      rt.createContainer('nope', { metadata: { name: 'c', attempt: 0 }, image: { image: 'x' } }),
      CriNotFoundError,
    );
    await assert.rejects(rt.exec(), (err: unknown) => {
      assert.ok(err instanceof CriCallError);
      assert.match(err.message, /simulated runtime runs nothing/);
      return true;
    });
  });
});
