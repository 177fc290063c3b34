/**
 * Stands in for `k8ts agent` in tests that need a node to register and stay Ready but run no
 * pods: once the node's kubelet.conf exists it registers the Node with its own credentials (so
 * the Node authorizer and NodeRestriction are exercised), reports Ready with the agent's
 * version, and renews its Lease every second until `stop()`. Talks only to the kubeconfig's
 * server (loopback in tests).
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Lease } from 'kubernetes-types/coordination/v1.d.ts';
import type { Node } from 'kubernetes-types/core/v1.d.ts';
import { RestClient, isAlreadyExists, isConflict, isNotFound } from '../../src/client/index.ts';
import { versionInfo } from '../../src/version.ts';
import { readyNode } from './fake-kubelet.ts';

const NODES = { group: '', version: 'v1', plural: 'nodes' };
const LEASES = {
  group: 'coordination.k8s.io',
  version: 'v1',
  plural: 'leases',
  namespace: 'kube-node-lease',
};

export class StandInAgent {
  readonly #stop = new AbortController();
  readonly #done: Promise<void>;

  constructor(kubeconfig: string, nodeName: string, nodeIp: string) {
    this.#done = this.#run(kubeconfig, nodeName, nodeIp).catch(() => undefined);
  }

  async #run(kubeconfig: string, name: string, ip: string): Promise<void> {
    const signal = this.#stop.signal;
    // A function: the compiler would otherwise take `aborted` as fixed after the first check.
    const stopped = (): boolean => signal.aborted;
    const pause = (ms: number): Promise<void> =>
      new Promise((resolve) => {
        const t = setTimeout(resolve, ms);
        signal.addEventListener('abort', () => {
          clearTimeout(t);
          resolve();
        });
      });
    while (!existsSync(kubeconfig) && !signal.aborted) await pause(50);
    if (signal.aborted) return;
    const client = RestClient.fromKubeconfig(readFileSync(kubeconfig, 'utf8'), {
      timeoutMs: 5000,
    });
    try {
      const ready = readyNode(name);
      const node: Node = {
        ...ready,
        status: {
          ...ready.status,
          addresses: [{ type: 'InternalIP', address: ip }],
          nodeInfo: {
            kubeletVersion: versionInfo().gitVersion,
            architecture: 'amd64',
            bootID: '',
            containerRuntimeVersion: 'containerd://stand-in',
            kernelVersion: '',
            kubeProxyVersion: '',
            machineID: '',
            operatingSystem: 'linux',
            osImage: '',
            systemUUID: '',
          },
        },
      };
      while (!stopped()) {
        try {
          const created = await client.create<Node>(NODES, node, { signal });
          await client.update<Node>(
            { ...NODES, name, subresource: 'status' },
            { ...created, ...(node.status === undefined ? {} : { status: node.status }) },
            { signal },
          );
          break;
        } catch (err: unknown) {
          if (isAlreadyExists(err)) break;
          await pause(100);
        }
      }
      while (!stopped()) {
        const now = new Date().toISOString().replace(/Z$/, '000Z');
        try {
          const lease = await client.get<Lease>({ ...LEASES, name }, { signal });
          await client.update<Lease>(
            { ...LEASES, name },
            { ...lease, spec: { ...lease.spec, renewTime: now } },
            { signal },
          );
        } catch (err: unknown) {
          if (isNotFound(err))
            await client
              .create<Lease>(
                LEASES,
                {
                  apiVersion: 'coordination.k8s.io/v1',
                  kind: 'Lease',
                  metadata: { name },
                  spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: now },
                },
                { signal },
              )
              .catch(() => undefined);
          else if (!isConflict(err) && stopped()) break;
        }
        await pause(1000);
      }
    } finally {
      client.close();
    }
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#done;
  }
}
