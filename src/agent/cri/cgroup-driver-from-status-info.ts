/**
 * The cgroup driver of a containerd 1.x runtime, which lacks CRI `RuntimeConfig`: its verbose
 * Status carries its CRI config as JSON in `info.config`, and the default runtime's
 * `options.SystemdCgroup` is the driver its pods get. Pure; undefined when the info tells
 * nothing (no config, not JSON, no default runtime).
 */
import type { CgroupDriver } from './cri-types.ts';

export function cgroupDriverFromStatusInfo(
  info: Readonly<Record<string, string>>,
): CgroupDriver | undefined {
  const text = info['config'];
  if (text === undefined) return undefined;
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch {
    return undefined;
  }
  const containerd = field(config, 'containerd');
  const name = field(containerd, 'defaultRuntimeName');
  const runtimes = field(containerd, 'runtimes');
  const runtime = typeof name === 'string' ? field(runtimes, name) : undefined;
  const systemd = field(field(runtime, 'options'), 'SystemdCgroup');
  if (typeof systemd !== 'boolean') return runtime === undefined ? undefined : 'cgroupfs';
  return systemd ? 'systemd' : 'cgroupfs';
}

function field(value: unknown, key: string): unknown {
  if (typeof value !== 'object' || value === null) return undefined;
  return (value as Record<string, unknown>)[key];
}
