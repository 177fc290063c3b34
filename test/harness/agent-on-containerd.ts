/**
 * A node as the agent e2e tests need it: a private containerd (`startContainerdNode`), an API
 * server fixture (in this process, with the service account controllers) and a `k8ts agent`
 * process that registers `nodeName` and runs its pods on that containerd, its HTTPS endpoint on
 * 127.0.0.1 at a free port. Everything the agent prints (stdout and stderr) is kept in `logs`.
 * `stop()` stops the agent by its PID (SIGTERM, waiting for its exit), then the client, the API
 * server and the containerd node, which removes what the node's pods left.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { RestClient } from '../../src/client/index.ts';
import { MemoryStore } from '../../src/storage/memory/memory-store.ts';
import { startApiServerFixture } from './api-server-fixture.ts';
import type { ApiServerFixture } from './api-server-fixture.ts';
import { startContainerdNode } from './containerd.ts';
import type { ContainerdNode } from './containerd.ts';

const BIN = fileURLToPath(new URL('../../bin/k8ts.js', import.meta.url));

export interface AgentOnContainerdOptions {
  /** Names the containerd node's temp dir and logs. */
  readonly name: string;
  /** The agent's `--hostname-override`: the Node it registers. */
  readonly nodeName: string;
  /** Options of the API server fixture (its store is a fresh MemoryStore). Default: none. */
  readonly apiServer?: Parameters<typeof startApiServerFixture>[1];
  /** The client's component name (its user agent). Default: the client's own. */
  readonly clientComponent?: string;
  /** More `k8ts agent` flags, appended. Default: none. */
  readonly agentArgs?: readonly string[];
}

export interface AgentOnContainerd {
  readonly node: ContainerdNode;
  readonly fx: ApiServerFixture;
  /** An admin client of the API server. */
  readonly client: RestClient;
  readonly agent: ChildProcess;
  /** The agent's output so far, in chunks as they came (stdout and stderr). */
  readonly logs: readonly string[];
  stop(): Promise<void>;
}

export async function startAgentOnContainerd(
  options: AgentOnContainerdOptions,
): Promise<AgentOnContainerd> {
  const [node, fx] = await Promise.all([
    startContainerdNode({ name: options.name, writeCniConfig: false }),
    startApiServerFixture(new MemoryStore(), options.apiServer),
  ]);
  const client = RestClient.fromKubeconfig(
    readFileSync(fx.kubeconfigPath, 'utf8'),
    options.clientComponent === undefined ? undefined : { component: options.clientComponent },
  );
  const agent = spawn(
    process.execPath,
    [
      BIN,
      'agent',
      ...['--kubeconfig', fx.kubeconfigPath, '--rootfs', node.rootfs],
      ...['--hostname-override', options.nodeName, '--node-ip', '127.0.0.1'],
      ...['--container-runtime-endpoint', node.endpoint, '--cni-bridge', node.bridge],
      ...['--address', '127.0.0.1', '--port', '0', '--pod-cidr', node.podCidr],
      ...(options.agentArgs ?? []),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const logs: string[] = [];
  agent.stdout.on('data', (d: Buffer) => logs.push(d.toString()));
  agent.stderr.on('data', (d: Buffer) => logs.push(d.toString()));
  return {
    node,
    fx,
    client,
    agent,
    logs,
    async stop() {
      if (agent.exitCode === null && agent.signalCode === null) {
        const exited = new Promise((resolve) => agent.once('exit', resolve));
        agent.kill('SIGTERM');
        await exited;
      }
      client.close();
      await fx.stop();
      await node.stop();
    },
  };
}
