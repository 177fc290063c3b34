import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createServer } from 'node:http2';
import type { Http2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { FRESH_SESSION_MS, Http2SessionPool } from './http2-session-pool.ts';

describe('Http2SessionPool.validate', () => {
  let server: Http2Server;
  let url: string;
  before(async () => {
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  });
  after(async () => {
    await new Promise<void>((resolve) =>
      server.close(() => {
        resolve();
      }),
    );
  });

  test('64 checks at once on an idle session share one PING (Node cancels past 10 outstanding)', async () => {
    const pool = new Http2SessionPool({ tls: {} });
    const signal = new AbortController().signal;
    try {
      const lease = await pool.acquire(url, signal);
      lease.release();
      await new Promise((r) => setTimeout(r, FRESH_SESSION_MS + 100));
      const results = await Promise.allSettled(
        Array.from({ length: 64 }, () => pool.validate(lease.session, signal)),
      );
      assert.deepEqual(
        results.filter((r) => r.status === 'rejected').map((r) => String(r.reason)),
        [],
      );
      assert.equal(lease.session.destroyed, false);
    } finally {
      pool.close();
    }
  });

  test('a session that just answered is not PINGed; a closed one fails the check', async () => {
    const pool = new Http2SessionPool({ tls: {} });
    const signal = new AbortController().signal;
    try {
      const lease = await pool.acquire(url, signal);
      let pings = 0;
      const ping = lease.session.ping.bind(lease.session);
      lease.session.ping = ((...args: Parameters<typeof ping>) => {
        pings++;
        return ping(...args);
      }) as typeof lease.session.ping;
      pool.answered(lease.session);
      await pool.validate(lease.session, signal);
      assert.equal(pings, 0);
      await new Promise((r) => setTimeout(r, FRESH_SESSION_MS + 100));
      await pool.validate(lease.session, signal);
      assert.equal(pings, 1);
      lease.release();
      lease.session.destroy();
      await new Promise((r) => setTimeout(r, FRESH_SESSION_MS + 100));
      await assert.rejects(pool.validate(lease.session, signal));
    } finally {
      pool.close();
    }
  });
});
