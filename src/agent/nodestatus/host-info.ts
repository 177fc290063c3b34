/**
 * What the node reports about its host, read from the machine: CPU count, memory, the size of
 * the file system holding the agent's state (ephemeral storage), kernel, OS image and machine
 * identity, and an internal IPv4 address when `--node-ip` is not given. Each file that is
 * missing (containers, VMs without DMI) reads as empty, never as an error.
 */
import { readFileSync, statfsSync } from 'node:fs';
import { arch, cpus, networkInterfaces, release, totalmem } from 'node:os';

export interface HostInfo {
  readonly cpuCount: number;
  readonly memoryBytes: number;
  /** Size of the file system under the agent's state directory. */
  readonly ephemeralStorageBytes: number;
  readonly kernelVersion: string;
  /** `/etc/os-release` PRETTY_NAME, e.g. `Debian GNU/Linux 12 (bookworm)`. */
  readonly osImage: string;
  readonly machineID: string;
  readonly systemUUID: string;
  readonly bootID: string;
  /** Go's GOARCH spelling: `amd64`, `arm64`. */
  readonly architecture: string;
}

function readTrimmed(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return '';
  }
}

export function goArch(nodeArch: string = arch()): string {
  switch (nodeArch) {
    case 'x64':
      return 'amd64';
    case 'ia32':
      return '386';
    default:
      return nodeArch;
  }
}

export function osImageFrom(osRelease: string): string {
  const m = /^PRETTY_NAME=(.*)$/m.exec(osRelease);
  if (m?.[1] === undefined) return 'Linux';
  return m[1].replace(/^"(.*)"$/, '$1');
}

/** Reads the host; `stateDir` must exist (its file system is the node's ephemeral storage). */
export function readHostInfo(stateDir: string): HostInfo {
  let ephemeralStorageBytes = 0;
  try {
    const fs = statfsSync(stateDir);
    ephemeralStorageBytes = fs.blocks * fs.bsize;
  } catch {
    ephemeralStorageBytes = 0;
  }
  return {
    cpuCount: cpus().length,
    memoryBytes: totalmem(),
    ephemeralStorageBytes,
    kernelVersion: release(),
    osImage: osImageFrom(readTrimmed('/etc/os-release')),
    machineID: readTrimmed('/etc/machine-id'),
    systemUUID: readTrimmed('/sys/class/dmi/id/product_uuid').toLowerCase(),
    bootID: readTrimmed('/proc/sys/kernel/random/boot_id'),
    architecture: goArch(),
  };
}

/**
 * kubelet's default node IP: the IPv4 address of the interface holding the default route
 * (`/proc/net/route`), else the first non-loopback IPv4 address, else 127.0.0.1.
 */
export function defaultNodeIp(routeTable: string = readTrimmed('/proc/net/route')): string {
  const interfaces = networkInterfaces();
  const ipv4 = (name: string): string | undefined =>
    interfaces[name]?.find((a) => a.family === 'IPv4' && !a.internal)?.address;
  for (const line of routeTable.split('\n').slice(1)) {
    const [iface, destination] = line.trim().split(/\s+/);
    if (iface !== undefined && destination === '00000000') {
      const ip = ipv4(iface);
      if (ip !== undefined) return ip;
    }
  }
  for (const name of Object.keys(interfaces)) {
    const ip = ipv4(name);
    if (ip !== undefined) return ip;
  }
  return '127.0.0.1';
}
