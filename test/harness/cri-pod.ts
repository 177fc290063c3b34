/**
 * Runs a pod's sandbox and containers straight through CRI, labelled as the kubelet labels them
 * (`io.kubernetes.pod.{namespace,name,uid}`, `io.kubernetes.container.name`), with logs under
 * the node's `var/log/pods`: the agent's part, for tests that need a running pod before the
 * agent runs pods itself. Containers named twice are restarts (attempt 0, 1, ...); `wait` waits
 * for one to exit. `remove()` stops and removes the sandbox.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { PodSandboxConfig } from '../../src/agent/cri/cri-types.ts';
import { BUSYBOX_IMAGE } from './containerd.ts';
import type { ContainerdNode } from './containerd.ts';
import { until } from './until.ts';

export interface CriContainer {
  readonly name: string;
  /** A `sh -c` script run in busybox. */
  readonly script: string;
  /** Wait until it exited before starting the next one. Default: false. */
  readonly wait?: boolean;
}

export async function runCriPod(
  node: ContainerdNode,
  pod: { readonly namespace: string; readonly name: string },
  containers: readonly CriContainer[],
): Promise<{ readonly sandboxId: string; remove(): Promise<void> }> {
  const rt = node.runtime();
  const uid = randomUUID();
  const labels = {
    'io.kubernetes.pod.namespace': pod.namespace,
    'io.kubernetes.pod.name': pod.name,
    'io.kubernetes.pod.uid': uid,
  };
  const config: PodSandboxConfig = {
    metadata: { name: pod.name, uid, namespace: pod.namespace, attempt: 0 },
    hostname: pod.name,
    log_directory: join(node.rootfs, `var/log/pods/${pod.namespace}_${pod.name}_${uid}`),
    labels,
    linux: {
      cgroup_parent: `${node.cgroupRoot}/kubepods/besteffort/pod${uid}`,
      security_context: { namespace_options: { network: 'POD', pid: 'CONTAINER', ipc: 'POD' } },
    },
  };
  const sandboxId = await rt.runPodSandbox(config);
  const attempts = new Map<string, number>();
  for (const c of containers) {
    const attempt = attempts.get(c.name) ?? 0;
    attempts.set(c.name, attempt + 1);
    const id = await rt.createContainer(
      sandboxId,
      {
        metadata: { name: c.name, attempt },
        image: { image: BUSYBOX_IMAGE },
        command: ['sh', '-c', c.script],
        log_path: `${c.name}/${String(attempt)}.log`,
        labels: { ...labels, 'io.kubernetes.container.name': c.name },
      },
      config,
    );
    await rt.startContainer(id);
    if (c.wait === true)
      await until(`${c.name} exits`, async () =>
        (await rt.containerStatus(id)).state === 'CONTAINER_EXITED' ? true : undefined,
      );
  }
  return {
    sandboxId,
    remove: async () => {
      await rt.stopPodSandbox(sandboxId);
      await rt.removePodSandbox(sandboxId);
    },
  };
}
