import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createServer } from 'node:http2';
import type { Http2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { Http2SessionPool } from './http2-session-pool.ts';

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

  test('an answer before the check proves nothing; one after it does, without the PING; a closed session fails', async () => {
    const pool = new Http2SessionPool({ tls: {} });
    const signal = new AbortController().signal;
    try {
      const lease = await pool.acquire(url, signal);
      let pings = 0;
      let holdPongs = false;
      const ping = lease.session.ping.bind(lease.session);
      lease.session.ping = ((...args: Parameters<typeof ping>) => {
        pings++;
        // A held PING is never sent: only a response can prove the session alive.
        if (holdPongs) return true;
        return ping(...args);
      }) as typeof lease.session.ping;
      pool.answered(lease.session);
      await pool.validate(lease.session, signal);
      assert.equal(pings, 1, 'an earlier answer does not spare the PING');

      holdPongs = true;
      let settled = false;
      const checks = Promise.all([
        pool.validate(lease.session, signal),
        pool.validate(lease.session, signal),
      ]).then(() => {
        settled = true;
      });
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(settled, false, 'waits for an answer');
      assert.equal(pings, 2, 'concurrent checks share one PING');
      pool.answered(lease.session);
      await checks;
      assert.equal(settled, true);

      holdPongs = false;
      lease.release();
      lease.session.destroy();
      await assert.rejects(pool.validate(lease.session, signal));
    } finally {
      pool.close();
    }
  });
});
