import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildContainerConfig, oomScoreAdj } from './container-config.ts';
import { PodCgroups, milliCpuToQuota, milliCpuToShares, podResourceConfig } from './pod-cgroups.ts';
import { RestartBackoff, goDurationText } from './restart-backoff.ts';
import { buildSandboxConfig, parseResolvConf, podDnsConfig } from './sandbox-config.ts';
import { newPod } from './pod-fixtures.test-support.ts';
import { FakeClock } from '../../client/index.ts';

const DNS = {
  servers: ['10.96.0.10'],
  domain: 'cluster.local',
  hostResolvConf: 'nameserver 1.1.1.1\nsearch corp.example\noptions edns0\n',
};

describe('sandbox config', () => {
  it('names, logs, labels and namespaces the sandbox as kubelet does', () => {
    const pod = newPod({ hostname: 'h1', shareProcessNamespace: true }, [
      { name: 'c', ports: [{ containerPort: 8080, hostPort: 18080 }] },
    ]);
    const s = buildSandboxConfig({
      pod,
      attempt: 2,
      podLogsDir: '/var/log/pods',
      cgroupParent: '/kubepods/podx',
      dns: DNS,
    });
    assert.deepEqual(s.metadata, {
      uid: pod.metadata?.uid,
      name: 'p',
      namespace: 'default',
      attempt: 2,
    });
    assert.equal(s.hostname, 'h1');
    assert.equal(s.log_directory, `/var/log/pods/default_p_${pod.metadata?.uid ?? ''}`);
    assert.equal(s.labels?.['io.kubernetes.pod.uid'], pod.metadata?.uid);
    assert.deepEqual(s.linux?.security_context?.namespace_options, {
      network: 'POD',
      pid: 'POD',
      ipc: 'POD',
    });
    assert.deepEqual(s.port_mappings, [
      { protocol: 'TCP', container_port: 8080, host_port: 18080, host_ip: '' },
    ]);
    assert.equal(s.linux.cgroup_parent, '/kubepods/podx');
  });

  it('configures DNS per dnsPolicy', () => {
    assert.deepEqual(podDnsConfig(newPod(), DNS), {
      servers: ['10.96.0.10'],
      searches: ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example'],
      options: ['ndots:5'],
    });
    assert.deepEqual(podDnsConfig(newPod(), { ...DNS, servers: [] }), {
      servers: ['1.1.1.1'],
      searches: ['corp.example'],
      options: ['edns0'],
    });
    assert.deepEqual(podDnsConfig(newPod({ dnsPolicy: 'Default' }), DNS).servers, ['1.1.1.1']);
    assert.deepEqual(
      podDnsConfig(
        newPod({
          dnsPolicy: 'None',
          dnsConfig: { nameservers: ['9.9.9.9'], options: [{ name: 'ndots', value: '2' }] },
        }),
        DNS,
      ),
      { servers: ['9.9.9.9'], searches: [], options: ['ndots:2'] },
    );
    assert.deepEqual(parseResolvConf('# x\nnameserver 8.8.8.8 ; y\n'), {
      servers: ['8.8.8.8'],
      searches: [],
      options: [],
    });
  });
});

describe('container config', () => {
  it('expands command and args, sets resources, log path and recovery annotations', () => {
    const pod = newPod({ terminationGracePeriodSeconds: 5 }, [
      {
        name: 'c',
        image: 'busybox:1',
        command: ['sh', '-c'],
        args: ['echo $(MSG)'],
        resources: {
          requests: { cpu: '250m', memory: '32Mi' },
          limits: { cpu: '500m', memory: '64Mi' },
        },
      },
    ]);
    const c = buildContainerConfig({
      pod,
      container: pod.spec!.containers[0]!,
      kind: 'app',
      restartCount: 3,
      imageRef: 'sha256:abc',
      env: [{ name: 'MSG', value: 'hi' }],
      mounts: [],
      nodeMemoryBytes: 8 * 1024 ** 3,
    });
    assert.deepEqual(c.args, ['echo hi']);
    assert.equal(c.log_path, 'c/3.log');
    assert.deepEqual(c.metadata, { name: 'c', attempt: 3 });
    assert.deepEqual(c.image, { image: 'sha256:abc', user_specified_image: 'busybox:1' });
    assert.equal(c.annotations?.['io.kubernetes.container.restartCount'], '3');
    assert.equal(c.annotations['io.kubernetes.pod.terminationGracePeriod'], '5');
    assert.deepEqual(c.linux?.resources, {
      cpu_period: 100000,
      cpu_shares: 256,
      cpu_quota: 50000,
      memory_limit_in_bytes: 67108864,
      oom_score_adj: 997,
    });
  });

  it('adds the pod fsGroup to the supplemental groups of the sandbox and every container', () => {
    const pod = newPod({ securityContext: { supplementalGroups: [5], fsGroup: 3456 } });
    const c = buildContainerConfig({
      pod,
      container: pod.spec!.containers[0]!,
      kind: 'app',
      restartCount: 0,
      imageRef: 'sha256:abc',
      env: [],
      mounts: [],
      nodeMemoryBytes: 8 * 1024 ** 3,
    });
    assert.deepEqual(c.linux?.security_context?.supplemental_groups, [5, 3456]);
    const s = buildSandboxConfig({
      pod,
      attempt: 0,
      podLogsDir: '/var/log/pods',
      cgroupParent: '/kubepods/podx',
      dns: DNS,
    });
    assert.deepEqual(s.linux?.security_context?.supplemental_groups, [5, 3456]);
  });

  it('computes kubelet oom_score_adj per QoS class', () => {
    const guaranteed = newPod({}, [
      { name: 'c', resources: { limits: { cpu: '1', memory: '1Gi' } } },
    ]);
    const best = newPod();
    assert.equal(
      oomScoreAdj(
        {
          ...guaranteed,
          spec: {
            ...guaranteed.spec!,
            containers: [
              {
                name: 'c',
                resources: {
                  limits: { cpu: '1', memory: '1Gi' },
                  requests: { cpu: '1', memory: '1Gi' },
                },
              },
            ],
          },
        },
        { name: 'c' },
        8e9,
      ),
      -997,
    );
    assert.equal(oomScoreAdj(best, { name: 'c' }, 8e9), 1000);
  });
});

describe('pod cgroups', () => {
  it('sums requests and limits as kubelet (init containers by their maximum)', () => {
    const pod = newPod(
      {
        initContainers: [
          { name: 'i', resources: { requests: { cpu: '2' }, limits: { cpu: '2', memory: '1Gi' } } },
        ],
      },
      [
        {
          name: 'a',
          resources: { requests: { cpu: '100m' }, limits: { cpu: '200m', memory: '64Mi' } },
        },
        {
          name: 'b',
          resources: { requests: { cpu: '300m' }, limits: { cpu: '300m', memory: '64Mi' } },
        },
      ],
    );
    assert.deepEqual(podResourceConfig(pod), {
      cpuShares: milliCpuToShares(2000),
      cpuQuotaUs: milliCpuToQuota(2000),
      cpuPeriodUs: 100000,
      memoryLimitBytes: 1024 ** 3,
    });
    assert.deepEqual(podResourceConfig(newPod()), {
      cpuShares: 2,
      cpuQuotaUs: undefined,
      cpuPeriodUs: 100000,
      memoryLimitBytes: undefined,
    });
  });

  it('creates the pod cgroup with limits under its QoS class and removes it (cgroup v1 layout)', () => {
    const mount = mkdtempSync(join(tmpdir(), 'k8ts-cgroup-test-'));
    try {
      for (const h of ['cpu', 'memory', 'pids', 'freezer']) mkdirSync(join(mount, h));
      const cg = new PodCgroups({ driver: 'cgroupfs', root: '/k8ts-t', mount });
      const pod = newPod({}, [
        { name: 'c', resources: { requests: { cpu: '100m' }, limits: { memory: '64Mi' } } },
      ]);
      const parent = cg.cgroupParent(pod);
      assert.equal(parent, `/k8ts-t/kubepods/burstable/pod${pod.metadata?.uid ?? ''}`);
      cg.ensure(pod);
      assert.equal(readFileSync(join(mount, 'cpu', parent, 'cpu.shares'), 'utf8'), '102');
      assert.equal(
        readFileSync(join(mount, 'memory', parent, 'memory.limit_in_bytes'), 'utf8'),
        String(64 * 1024 ** 2),
      );
      assert.deepEqual(cg.podUids(), [pod.metadata?.uid]);
      mkdirSync(join(mount, 'freezer', parent, 'container-1'), { recursive: true });
      // cgroupfs lets rmdir remove a cgroup with its control files; a plain directory does not.
      for (const h of ['cpu', 'memory', 'pids'])
        for (const f of readdirSync(join(mount, h, parent))) rmSync(join(mount, h, parent, f));
      assert.equal(cg.remove(pod.metadata?.uid ?? ''), true);
      assert.equal(existsSync(join(mount, 'memory', parent)), false);
      assert.deepEqual(readdirSync(join(mount, 'freezer', '/k8ts-t/kubepods/burstable')), []);
      assert.equal(
        new PodCgroups({ driver: 'systemd', root: '/', mount }).cgroupParent(pod),
        `kubepods-burstable-pod${(pod.metadata?.uid ?? '').replaceAll('-', '_')}.slice`,
      );
    } finally {
      rmSync(mount, { recursive: true, force: true });
    }
  });
});

describe('restart backoff', () => {
  it('starts at 10 s, doubles to 5 min, and starts over after a long quiet', () => {
    const clock = new FakeClock(0);
    const b = new RestartBackoff({ clock });
    assert.equal(b.isInBackOffSince('k', 0), false);
    b.next('k', 0);
    assert.equal(b.get('k'), 10_000);
    assert.equal(b.isInBackOffSince('k', 0), true);
    clock.step(10_000);
    assert.equal(b.isInBackOffSince('k', 0), false);
    for (let i = 0; i < 10; i++) b.next('k', clock.now());
    assert.equal(b.get('k'), 300_000);
    clock.step(600_001);
    b.next('k', clock.now());
    assert.equal(b.get('k'), 10_000);
    assert.equal(goDurationText(10_000), '10s');
    assert.equal(goDurationText(80_000), '1m20s');
    assert.equal(goDurationText(300_000), '5m0s');
  });
});
