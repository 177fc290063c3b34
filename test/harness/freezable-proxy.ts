/**
 * Loopback plumbing for partition tests: a copy of a kubeconfig pointing at another server
 * (same CA and credentials), and a TCP forwarder to the API server that can be frozen — from
 * then on no byte passes either way (bytes are dropped, as a partition drops packets) and new
 * connections are accepted but never forwarded, so one process loses the API while the rest of
 * the cluster keeps it. `close` destroys every socket it holds.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';

/** A copy of a kubeconfig whose server is `server` (the same CA and credentials). */
export function kubeconfigWithServer(path: string, server: string, outPath: string): string {
  const text = readFileSync(path, 'utf8').replace(/server: \S+/, `server: ${server}`);
  writeFileSync(outPath, text, { mode: 0o600 });
  return outPath;
}

export interface FreezableProxy {
  readonly port: number;
  /** From now on no byte passes either way and new connections are held, never answered. */
  freeze(): void;
  close(): Promise<void>;
}

/** A TCP proxy on 127.0.0.1 to 127.0.0.1:`targetPort`. */
export async function startFreezableProxy(targetPort: number): Promise<FreezableProxy> {
  let frozen = false;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    if (frozen) return; // held open, never forwarded
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    sockets.add(upstream);
    upstream.on('close', () => {
      sockets.delete(upstream);
      if (!frozen) client.destroy();
    });
    upstream.on('error', () => undefined);
    client.on('close', () => {
      if (!frozen) upstream.destroy();
    });
    client.on('data', (d: Buffer) => {
      if (!frozen) upstream.write(d);
    });
    upstream.on('data', (d: Buffer) => {
      if (!frozen) client.write(d);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy: no port');
  return {
    port: address.port,
    freeze: () => {
      frozen = true;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    },
  };
}
