/**
 * Which local process opened a TCP connection on 127.0.0.1, read from Linux's /proc: the
 * connecting socket's inode from /proc/net/tcp{,6}, then the process among `pids` holding a
 * descriptor on it. Never throws: a socket that is already closed, a process that exited, or a
 * system without /proc reads as undefined.
 */
import { readFile, readdir, readlink } from 'node:fs/promises';

/**
 * The PID (among `pids`) owning the loopback socket connected from port `localPort` to port
 * `remotePort`, i.e. the other end of an accepted socket whose `remotePort` is `localPort`.
 */
export async function findSocketOwner(
  localPort: number,
  remotePort: number,
  pids: readonly number[],
): Promise<number | undefined> {
  const inode = await findInode(localPort, remotePort);
  if (inode === undefined) return undefined;
  const target = `socket:[${inode}]`;
  for (const pid of pids) {
    const dir = `/proc/${String(pid)}/fd`;
    let fds: string[];
    try {
      fds = await readdir(dir);
    } catch {
      continue; // exited
    }
    for (const fd of fds) {
      try {
        if ((await readlink(`${dir}/${fd}`)) === target) return pid;
      } catch {
        // closed meanwhile
      }
    }
  }
  return undefined;
}

async function findInode(localPort: number, remotePort: number): Promise<string | undefined> {
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = await readFile(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
      const f = line.trim().split(/\s+/);
      const local = parseEndpoint(f[1]);
      const remote = parseEndpoint(f[2]);
      const inode = f[9];
      if (local === undefined || remote === undefined || inode === undefined || inode === '0') {
        continue;
      }
      if (
        local.port === localPort &&
        remote.port === remotePort &&
        local.isLoopback &&
        remote.isLoopback
      ) {
        return inode;
      }
    }
  }
  return undefined;
}

/** `0100007F:1F90` (IPv4) or a 32-digit IPv6 address, both as the kernel prints them. */
function parseEndpoint(
  field: string | undefined,
): { readonly port: number; readonly isLoopback: boolean } | undefined {
  if (field === undefined) return undefined;
  const [address, port] = field.split(':');
  if (address === undefined || port === undefined) return undefined;
  // The kernel prints each 32-bit word in host (little-endian) order: 127.x.x.x ends in 7F.
  const v4 = address.length === 8 ? address : address.slice(24);
  const isV4Mapped = address.length === 32 && address.slice(0, 24) === '0000000000000000FFFF0000';
  const isLoopback =
    ((address.length === 8 || isV4Mapped) && v4.endsWith('7F')) ||
    address === '00000000000000000000000001000000';
  return { port: Number.parseInt(port, 16), isLoopback };
}
