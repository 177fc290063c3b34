/**
 * The CRI client and the containerd harness on a real containerd: a sandbox on the node's CNI
 * bridge with a busybox httpd answering on its pod IP (from inside the pod's own netns), typed
 * errors (StartError for a missing command, a failed pull, Unavailable while containerd is
 * down), pods surviving a containerd restart, and nothing left behind: no sandboxes,
 * containers, IP allocations, mounts or libcni cache files after removal, and after `stop()`
 * no bridge, cgroup tree, shim or node directory.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import type { PodSandboxConfig } from '../../src/agent/cri/cri-types.ts';
import { BUSYBOX_IMAGE, startContainerdNode } from '../harness/containerd.ts';
import type { ContainerdNode } from '../harness/containerd.ts';

const run = promisify(execFile);

describe('CRI on a private containerd', () => {
  let node: ContainerdNode;
  let sandboxConfig: PodSandboxConfig;
  let sandboxId = '';
  let webId = '';

  before(async () => {
    node = await startContainerdNode({ name: 'cri' });
    sandboxConfig = {
      metadata: {
        name: 'web',
        uid: '6b1f3a52-0d4e-4f7a-9a51-1d2c3b4a5e6f',
        namespace: 'default',
        attempt: 0,
      },
      hostname: 'web',
      log_directory: `${node.rootfs}/var/log/pods/default_web_6b1f3a52`,
      linux: {
        cgroup_parent: `${node.cgroupRoot}/kubepods/besteffort/pod6b1f3a52-0d4e-4f7a-9a51-1d2c3b4a5e6f`,
        security_context: { namespace_options: { network: 'POD', pid: 'CONTAINER', ipc: 'POD' } },
      },
    };
  });

  after(async () => {
    const { rootfs, bridge, cgroupRoot, socketPath } = node;
    await node.stop();
    assert.equal(existsSync(rootfs), false, 'node dir removed');
    assert.equal(existsSync(`/sys/fs/cgroup/memory${cgroupRoot}`), false, 'cgroup tree removed');
    await assert.rejects(run('ip', ['link', 'show', bridge]), 'bridge removed');
    const { stdout } = await run('ps', ['-eo', 'args']);
    assert.equal(stdout.includes(socketPath), false, 'no containerd or shim of this node left');
  });

  it('reports version, readiness and the cgroupfs driver', async () => {
    const rt = node.runtime();
    const v = await rt.version();
    assert.equal(v.runtime_name, 'containerd');
    assert.equal(v.runtime_api_version, 'v1');
    const st = await rt.status();
    for (const type of ['RuntimeReady', 'NetworkReady'])
      assert.equal(st.conditions.find((c) => c.type === type)?.status, true, type);
    assert.equal(await rt.cgroupDriver(), 'cgroupfs');
  });

  it('runs a pod whose httpd answers on its pod IP from the pod network namespace', async () => {
    const rt = node.runtime();
    sandboxId = await rt.runPodSandbox(sandboxConfig);
    const status = await rt.podSandboxStatus(sandboxId);
    assert.equal(status.state, 'SANDBOX_READY');
    const ip = status.network?.ip ?? '';
    assert.ok(ip.startsWith(node.podCidr.replace(/0\/24$/, '')), `${ip} in ${node.podCidr}`);
    webId = await rt.createContainer(
      sandboxId,
      {
        metadata: { name: 'httpd', attempt: 0 },
        image: { image: BUSYBOX_IMAGE },
        command: [
          'sh',
          '-c',
          'mkdir -p /www && echo "hello $POD" > /www/index.html && exec httpd -f -p 8080 -h /www',
        ],
        envs: [{ key: 'POD', value: 'web' }],
        log_path: 'httpd/0.log',
      },
      sandboxConfig,
    );
    await rt.startContainer(webId);
    let answer = '';
    for (let i = 0; i < 50 && answer === ''; i++) {
      const r = await rt.execSync(webId, ['wget', '-qO-', `http://${ip}:8080/`], 5);
      answer = r.stdout.toString().trim();
      if (answer === '') await new Promise((res) => setTimeout(res, 100));
    }
    assert.equal(answer, 'hello web');
    const cs = await rt.containerStatus(webId);
    assert.equal(cs.state, 'CONTAINER_RUNNING');
    assert.equal(cs.log_path, `${sandboxConfig.log_directory ?? ''}/httpd/0.log`);
  });

  it('reports a missing command as StartError with exit code 128', async () => {
    const rt = node.runtime();
    const id = await rt.createContainer(
      sandboxId,
      {
        metadata: { name: 'bad', attempt: 0 },
        image: { image: BUSYBOX_IMAGE },
        command: ['/no/such/cmd'],
        log_path: 'bad/0.log',
      },
      sandboxConfig,
    );
    await assert.rejects(rt.startContainer(id), { code: 'CRI_CALL_FAILED' });
    const cs = await rt.containerStatus(id);
    assert.equal(cs.state, 'CONTAINER_EXITED');
    assert.equal(cs.reason, 'StartError');
    assert.equal(cs.exit_code, 128);
    assert.match(cs.message, /no such file or directory/);
    await rt.removeContainer(id);
  });

  it('fails a pull of an image that does not exist with the runtime message', async () => {
    await assert.rejects(
      node.runtime().pullImage('localhost/k8ts/does-not-exist:1'),
      (err: unknown) => {
        assert.equal((err as { code: string }).code, 'CRI_CALL_FAILED');
        assert.match((err as Error).message, /failed to pull and unpack image/);
        return true;
      },
    );
    assert.equal(await node.runtime().imageStatus('localhost/k8ts/does-not-exist:1'), undefined);
  });

  it('is Unavailable while containerd is down, and pods survive its restart', async () => {
    await node.stopProcess();
    const t0 = Date.now();
    await assert.rejects(node.runtime().version(), { code: 'CRI_UNAVAILABLE' });
    assert.ok(Date.now() - t0 < 3_000, 'fails fast');
    await node.startProcess();
    let state = '';
    for (let i = 0; i < 60 && state !== 'CONTAINER_RUNNING'; i++) {
      state = await node
        .runtime()
        .containerStatus(webId)
        .then(
          (s) => s.state,
          () => '',
        );
      if (state !== 'CONTAINER_RUNNING') await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(state, 'CONTAINER_RUNNING');
  });

  it('leaves nothing behind once the sandbox is stopped and removed', async () => {
    const rt = node.runtime();
    await rt.stopContainer(webId, 2);
    await rt.removeContainer(webId);
    await rt.stopPodSandbox(sandboxId);
    await rt.removePodSandbox(sandboxId);
    const left = await node.leftovers();
    assert.deepEqual(
      { ...left, podCgroups: [] },
      {
        sandboxes: [],
        containers: [],
        podCgroups: [],
        ipAllocations: [],
        mounts: [],
        cniResults: [],
        podDirs: [],
      },
    );
  });
});
