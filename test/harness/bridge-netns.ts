/**
 * A network namespace the test owns, plugged into a node's CNI bridge with a veth pair: an
 * address in the node's pod subnet and a default route through the bridge, so that it reaches
 * every pod of that node directly and pods of other nodes on this machine through the host
 * (which routes between the node bridges). Tests send pod traffic from here, never from the
 * host namespace. `remove()` deletes the namespace (and with it the veth pair).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface BridgeNetns {
  readonly name: string;
  readonly ip: string;
  /** Runs a command inside the namespace (execFile, no shell). */
  exec(args: readonly string[], timeoutMs?: number): Promise<{ stdout: string; stderr: string }>;
  remove(): Promise<void>;
}

/** `podCidr` must be a /24 whose .1 is the bridge (the CNI gateway); the netns takes `.<host>`. */
export async function bridgeNetns(
  bridge: string,
  podCidr: string,
  host = 250,
): Promise<BridgeNetns> {
  const id = randomBytes(3).toString('hex');
  const name = `k8ts-t${id}`;
  const outer = `ktv${id}a`;
  const inner = `ktv${id}b`;
  const prefix = podCidr.replace(/\.0\/24$/, '');
  const ip = `${prefix}.${String(host)}`;
  const steps: string[][] = [
    ['netns', 'add', name],
    ['link', 'add', outer, 'type', 'veth', 'peer', 'name', inner],
    ['link', 'set', inner, 'netns', name],
    ['link', 'set', outer, 'master', bridge],
    ['link', 'set', outer, 'up'],
    ['-n', name, 'addr', 'add', `${ip}/24`, 'dev', inner],
    ['-n', name, 'link', 'set', inner, 'up'],
    ['-n', name, 'link', 'set', 'lo', 'up'],
    ['-n', name, 'route', 'add', 'default', 'via', `${prefix}.1`],
  ];
  const remove = async (): Promise<void> => {
    await run('ip', ['netns', 'del', name]).catch(() => undefined);
    await run('ip', ['link', 'del', outer]).catch(() => undefined);
  };
  try {
    for (const s of steps) await run('ip', s);
  } catch (err: unknown) {
    await remove();
    throw err;
  }
  return {
    name,
    ip,
    exec: async (args, timeoutMs = 10_000) =>
      run('ip', ['netns', 'exec', name, ...args], { timeout: timeoutMs }),
    remove,
  };
}
