import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { test } from 'node:test';
import { forwardedUpgradeHeaders, proxyUpgrade, requestUpgrade } from './http-upgrade.ts';
import { SpdyConnection } from './spdy-connection.ts';
import { readAll, startFakeStreamingServer } from './test-support.ts';

async function relayTo(backendUrl: string) {
  const server = createServer();
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    void proxyUpgrade(
      { socket, head },
      {
        url: new URL(backendUrl),
        method: req.method ?? 'POST',
        headers: forwardedUpgradeHeaders(req.headers),
      },
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`,
    server,
    /** Stops listening and cuts every connection (upgraded ones included). */
    close: (): Promise<void> =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

/**
 * `promise`, or a rejection naming `what` after `ms`: every wait in these tests is bounded, so a
 * lost event fails the test (and its teardown still runs) instead of hanging the run.
 */
async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          reject(new Error(`${what}: nothing after ${String(ms)} ms`));
        }, ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const STEP_MS = 10_000;

test('a SPDY exec session passes a raw relay untouched; credentials stay behind', async () => {
  const backend = await startFakeStreamingServer(['error', 'stdout'], {
    run: (s) => {
      s.get('stdout')!.write('relayed');
      return Promise.resolve(0);
    },
  });
  const relay = await relayTo(`${backend.url}/exec`);
  let conn: SpdyConnection | undefined;
  try {
    const up = await within(
      STEP_MS,
      'the upgrade through the relay',
      requestUpgrade({
        url: new URL(`${relay.url}/whatever`),
        method: 'POST',
        headers: {
          connection: 'Upgrade',
          upgrade: 'SPDY/3.1',
          'x-stream-protocol-version': 'v4.channel.k8s.io',
          authorization: 'Bearer secret-token',
        },
      }),
    );
    assert.equal(up.kind, 'upgraded');
    assert.equal(up.headers['x-stream-protocol-version'], 'v4.channel.k8s.io');
    conn = new SpdyConnection(up.socket, { role: 'client' });
    const error = await within(
      STEP_MS,
      'the error stream',
      conn.createStream({ streamType: 'error' }),
    );
    const stdout = await within(
      STEP_MS,
      'the stdout stream',
      conn.createStream({ streamType: 'stdout' }),
    );
    // Read both at once: the backend ends them together and then closes the session.
    const [out, status] = await within(
      STEP_MS,
      'stdout and the exit status',
      Promise.all([readAll(stdout), readAll(error)]),
    );
    assert.equal(out, 'relayed');
    assert.equal((JSON.parse(status) as Record<string, unknown>)['status'], 'Success');
    assert.equal(backend.requests[0]?.headers.authorization, undefined);
    assert.equal(backend.requests[0]?.method, 'POST');
  } finally {
    // Nothing may outlive the test (an open socket keeps the test file's process from exiting).
    conn?.destroy();
    await within(STEP_MS, 'closing the relay', relay.close());
    await within(STEP_MS, 'closing the backend', backend.close());
  }
});

test('a backend that does not switch protocols is passed through as its response', async () => {
  const backend = await startFakeStreamingServer([], { run: () => Promise.resolve(0) });
  const relay = await relayTo(`${backend.url}/refuse`);
  try {
    const res = await within(
      STEP_MS,
      'the relayed refusal',
      requestUpgrade({
        url: new URL(relay.url),
        method: 'POST',
        headers: { connection: 'Upgrade', upgrade: 'SPDY/3.1' },
      }),
    );
    assert.equal(res.kind, 'response');
    assert.equal(res.statusCode, 404);
    assert.match(res.body.toString(), /container not found/);
  } finally {
    await within(STEP_MS, 'closing the relay', relay.close());
    await within(STEP_MS, 'closing the backend', backend.close());
  }
});

test('an unreachable backend rejects with UpgradeError', async () => {
  await assert.rejects(
    requestUpgrade({ url: new URL('http://127.0.0.1:1/'), method: 'GET', headers: {} }),
    (err: unknown) => err instanceof Error && (err as { code?: string }).code === 'UPGRADE_FAILED',
  );
});
