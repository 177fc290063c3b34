import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { GrpcCriClient } from './grpc-cri-client.ts';

const PROTO_DIR = fileURLToPath(new URL('../../../data/proto/', import.meta.url));

/** A fake CRI server: Version answers, ListPodSandbox hangs, PodSandboxStatus is NotFound. */
async function fakeRuntime(socket: string): Promise<grpc.Server> {
  const def = protoLoader.loadSync('cri-api/runtime/v1/api.proto', {
    includeDirs: [PROTO_DIR],
    keepCase: true,
    longs: String,
    enums: String,
    defaults: true,
  });
  const pkg = grpc.loadPackageDefinition(def) as unknown as {
    runtime: { v1: { RuntimeService: { service: grpc.ServiceDefinition } } };
  };
  const server = new grpc.Server();
  server.addService(pkg.runtime.v1.RuntimeService.service, {
    Version: (_call: unknown, cb: grpc.sendUnaryData<unknown>) => {
      cb(null, {
        version: '0.1.0',
        runtime_name: 'fake',
        runtime_version: '9',
        runtime_api_version: 'v1',
      });
    },
    ListPodSandbox: () => {
      // never answers
    },
    PodSandboxStatus: (_call: unknown, cb: grpc.sendUnaryData<unknown>) => {
      cb({
        code: grpc.status.NOT_FOUND,
        details: 'an error occurred when try to find sandbox "x": not found',
      });
    },
    ListContainers: (_call: unknown, cb: grpc.sendUnaryData<unknown>) => {
      cb(null, {
        containers: [
          {
            id: 'c1',
            pod_sandbox_id: 's1',
            metadata: { name: 'web', attempt: 2 },
            state: 'CONTAINER_EXITED',
            created_at: '1796642206118317834',
          },
        ],
      });
    },
    RuntimeConfig: (_call: unknown, cb: grpc.sendUnaryData<unknown>) => {
      cb({ code: grpc.status.UNIMPLEMENTED, details: 'unknown method RuntimeConfig' });
    },
    Status: (call: { request: { verbose: boolean } }, cb: grpc.sendUnaryData<unknown>) => {
      cb(null, {
        status: { conditions: [{ type: 'RuntimeReady', status: true }] },
        info: call.request.verbose
          ? {
              config: JSON.stringify({
                containerd: {
                  defaultRuntimeName: 'runc',
                  runtimes: { runc: { options: { SystemdCgroup: true } } },
                },
              }),
            }
          : {},
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.bindAsync(`unix://${socket}`, grpc.ServerCredentials.createInsecure(), (err) => {
      if (err) reject(err);
      else resolve();
    });
  });
  return server;
}

describe('GrpcCriClient', () => {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-cri-test-'));
  const socket = join(dir, 'cri.sock');
  let server: grpc.Server;
  let client: GrpcCriClient;

  before(async () => {
    server = await fakeRuntime(socket);
    client = new GrpcCriClient({ endpoint: `unix://${socket}`, timeoutMs: 300 });
  });
  after(() => {
    client.close();
    server.forceShutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('decodes answers with snake_case fields, int64 as strings and enum names', async () => {
    assert.equal((await client.version()).runtime_name, 'fake');
    const c = (await client.listContainers())[0]!;
    assert.equal(c.state, 'CONTAINER_EXITED');
    assert.equal(c.created_at, '1796642206118317834');
    assert.equal(c.metadata.attempt, 2);
  });

  it('turns a missed deadline into CriDeadlineError instead of hanging', async () => {
    const t0 = Date.now();
    await assert.rejects(client.listPodSandbox(), {
      code: 'CRI_DEADLINE_EXCEEDED',
      timeoutMs: 300,
    });
    assert.ok(Date.now() - t0 < 2_000);
  });

  it('maps NOT_FOUND to CriNotFoundError', async () => {
    await assert.rejects(client.podSandboxStatus('x'), { code: 'CRI_NOT_FOUND', grpcCode: 5 });
  });

  it('rejects with the signal reason when aborted', async () => {
    const ac = new AbortController();
    const p = client.listPodSandbox(undefined, { signal: ac.signal, timeoutMs: 10_000 });
    const reason = new Error('stopping');
    ac.abort(reason);
    await assert.rejects(p, (err: unknown) => err === reason);
  });

  it('reads the cgroup driver from the verbose Status when RuntimeConfig is unimplemented', async () => {
    assert.equal(await client.cgroupDriver(), 'systemd');
  });

  it('fails fast with CriUnavailableError when nothing listens on the socket', async () => {
    const down = new GrpcCriClient({ endpoint: join(dir, 'missing.sock'), timeoutMs: 10_000 });
    try {
      const t0 = Date.now();
      await assert.rejects(down.version(), (err: unknown) => {
        assert.equal((err as { code: string }).code, 'CRI_UNAVAILABLE');
        assert.match((err as Error).message, /missing\.sock is unavailable/);
        return true;
      });
      assert.ok(Date.now() - t0 < 3_000, 'fail fast, not at the deadline');
    } finally {
      down.close();
    }
  });
});
