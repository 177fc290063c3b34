// The gRPC probe against real grpc-js servers on 127.0.0.1: a Health service answering from a
// table (SERVING, NOT_SERVING, SERVICE_UNKNOWN; NOT_FOUND for a service it does not know, as
// grpc-go's health server), one that answers too late, one without the Health service, and a
// port where nothing listens. Upstream's texts, the `service` field and the User-Agent.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { grpcProbe, healthService } from './grpc-probe.ts';
import type { HealthCheckRequest, HealthCheckResponse } from './grpc-probe.ts';
import { probeFailure, probeSuccess } from './probe-result.ts';

const STATUSES: Readonly<Record<string, string>> = {
  '': 'SERVING',
  down: 'NOT_SERVING',
  'watch-only': 'SERVICE_UNKNOWN',
  slow: 'SERVING',
};
const SLOW_MS = 3000;

async function listen(server: grpc.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
      if (err === null) resolve(port);
      else reject(err);
    });
  });
}

describe('grpcProbe (upstream pkg/probe/grpc)', () => {
  const health = new grpc.Server();
  const bare = new grpc.Server();
  const seen: { service: string; userAgent: string }[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let port = 0;
  let barePort = 0;
  let closedPort = 0;

  before(async () => {
    health.addService(healthService(), {
      Check: (
        call: grpc.ServerUnaryCall<HealthCheckRequest, HealthCheckResponse>,
        callback: grpc.sendUnaryData<HealthCheckResponse>,
      ) => {
        const service = call.request.service;
        seen.push({ service, userAgent: String(call.metadata.get('user-agent')[0] ?? '') });
        const status = STATUSES[service];
        if (status === undefined) {
          callback({ code: grpc.status.NOT_FOUND, details: 'unknown service' });
          return;
        }
        if (service !== 'slow') {
          callback(null, { status });
          return;
        }
        const t = setTimeout(() => {
          timers.delete(t);
          callback(null, { status });
        }, SLOW_MS);
        timers.add(t);
      },
    });
    port = await listen(health);
    barePort = await listen(bare);
    const gone = new grpc.Server();
    closedPort = await listen(gone);
    await new Promise<void>((resolve) => {
      gone.tryShutdown(() => {
        resolve();
      });
    });
  });

  after(() => {
    for (const t of timers) clearTimeout(t);
    health.forceShutdown();
    bare.forceShutdown();
  });

  const probe = (service: string, to = port, timeoutMs = 1000) =>
    grpcProbe({ host: '127.0.0.1', port: to, service, timeoutMs, userAgent: 'kube-probe/1.33' });

  it('SERVING is a success; the service and the User-Agent reach the server', async () => {
    assert.deepEqual(await probe(''), probeSuccess('service healthy'));
    const last = seen[seen.length - 1];
    assert.equal(last?.service, '');
    assert.match(last.userAgent, /^kube-probe\/1\.33 grpc-node-js\//);
  });

  const failures: { name: string; service: string; want: string }[] = [
    {
      name: 'NOT_SERVING',
      service: 'down',
      want: 'service unhealthy (responded with "NOT_SERVING")',
    },
    {
      name: 'SERVICE_UNKNOWN',
      service: 'watch-only',
      want: 'service unhealthy (responded with "SERVICE_UNKNOWN")',
    },
    {
      name: 'a service the server does not know (NOT_FOUND)',
      service: 'nope',
      want: 'error: health rpc probe failed: rpc error: code = NotFound desc = unknown service',
    },
  ];
  for (const c of failures)
    it(`${c.name} is a failure with upstream's text`, async () => {
      assert.deepEqual(await probe(c.service), probeFailure(c.want));
      assert.equal(seen.at(-1)?.service, c.service);
    });

  it('a server without the Health service: Unimplemented', async () => {
    const r = await probe('', barePort);
    assert.equal(r.result, 'failure');
    assert.match(
      r.output,
      /^error: this server does not implement the grpc health protocol \(grpc\.health\.v1\.Health\): .+/,
    );
  });

  it('nothing listening: retried until the deadline, then the connect timeout', async () => {
    const started = Date.now();
    const r = await probe('', closedPort);
    const took = Date.now() - started;
    assert.deepEqual(
      r,
      probeFailure(
        `timeout: failed to connect service "127.0.0.1:${String(closedPort)}" within 1s: context deadline exceeded`,
      ),
    );
    assert.ok(took >= 900 && took < 2500, `answered after ${String(took)} ms`);
  });

  it('a server slower than timeoutSeconds: the rpc timeout, at the deadline', async () => {
    const started = Date.now();
    const r = await probe('slow');
    const took = Date.now() - started;
    assert.deepEqual(r, probeFailure('timeout: health rpc did not complete within 1s'));
    assert.ok(took >= 900 && took < 2500, `answered after ${String(took)} ms`);
  });
});
