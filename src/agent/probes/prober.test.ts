import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CriCallError, CriDeadlineError } from '../cri/cri-errors.ts';
import type { ExecSyncResult } from '../cri/cri-types.ts';
import type { GrpcProbeRequest } from './grpc-probe.ts';
import type { HttpProbeRequest } from './http-probe.ts';
import { probeSuccess } from './probe-result.ts';
import { Prober, probeUserAgent, resolvePort } from './prober.ts';
import type { ProbeTarget } from './prober.ts';

const target: ProbeTarget = {
  containerId: 'c1',
  ip: '10.0.0.2',
  namedPort: (name) => (name === 'web' ? 8080 : undefined),
  env: new Map([
    ['GREETING', 'hi'],
    ['FROM_REF', ''],
  ]),
};

function fakes(exec: (cmd: readonly string[], timeout: number) => Promise<ExecSyncResult>) {
  const http: HttpProbeRequest[] = [];
  const tcp: { host: string; port: number; timeoutMs: number }[] = [];
  const grpc: GrpcProbeRequest[] = [];
  const prober = new Prober({
    runtime: { execSync: (_id, cmd, timeout) => exec(cmd, timeout) },
    allowedTarget: (ip) => ip.startsWith('10.0.0.'),
    http: (r) => {
      http.push(r);
      return Promise.resolve(probeSuccess());
    },
    tcp: (host, port, timeoutMs) => {
      tcp.push({ host, port, timeoutMs });
      return Promise.resolve(probeSuccess());
    },
    grpc: (r) => {
      grpc.push(r);
      return Promise.resolve(probeSuccess('service healthy'));
    },
  });
  return { prober, http, tcp, grpc };
}

const execResult = (exit_code: number, stdout = '', stderr = ''): ExecSyncResult => ({
  exit_code,
  stdout: Buffer.from(stdout),
  stderr: Buffer.from(stderr),
});

describe('Prober', () => {
  it('exec: exit 0 succeeds, any other exit fails with stdout then stderr', async () => {
    const seen: { cmd: readonly string[]; timeout: number }[] = [];
    let answer = execResult(0, 'fine\n');
    const { prober } = fakes((cmd, timeout) => {
      seen.push({ cmd, timeout });
      return Promise.resolve(answer);
    });
    const action = {
      exec: { command: ['sh', '-c', 'echo $(GREETING) $(FROM_REF) $(NOPE) $$(X)'] },
    };
    assert.deepEqual(await prober.run(action, target, 0), probeSuccess('fine\n'));
    // $(VAR) from the literal env only (valueFrom ones are empty), timeoutSeconds 0 means 1.
    assert.deepEqual(seen[0], {
      cmd: ['sh', '-c', 'echo hi  $(NOPE) $(X)'],
      timeout: 1,
    });
    answer = execResult(3, 'out ', 'err');
    const failed = await prober.run(action, target, 2);
    assert.deepEqual([failed.result, failed.success, failed.output], ['failure', false, 'out err']);
    assert.equal(seen[1]?.timeout, 2);
  });

  it('exec: a timeout fails as upstream words it; other runtime errors are unknown', async () => {
    let error: Error = new CriDeadlineError('RuntimeService/ExecSync', 2000);
    const { prober } = fakes(() => Promise.reject(error));
    const action = { exec: { command: ['sleep', '5'] } };
    const timedOut = await prober.run(action, target, 1);
    assert.equal(timedOut.result, 'failure');
    assert.equal(timedOut.output, 'command "sleep 5" timed out');
    error = new CriCallError(
      'RuntimeService/ExecSync',
      2,
      'timeout 1s exceeded: context deadline exceeded',
    );
    assert.equal((await prober.run(action, target, 1)).output, 'command "sleep 5" timed out');
    error = new CriCallError('RuntimeService/ExecSync', 9, 'container is not running');
    const unknown = await prober.run(action, target, 1);
    assert.equal(unknown.result, 'unknown');
    assert.match(unknown.error ?? '', /container is not running/);
  });

  it('httpGet: the pod IP by default, the spec host when set, scheme lower-cased, port by name, headers, User-Agent', async () => {
    const { prober, http } = fakes(() => Promise.reject(new Error('no exec')));
    await prober.run({ httpGet: { port: 'web', path: '/healthz' } }, target, 3);
    await prober.run(
      {
        httpGet: {
          scheme: 'HTTPS',
          host: '10.0.0.9',
          port: '8443',
          path: 'ready?full=1',
          httpHeaders: [{ name: 'X-Probe', value: 'yes' }],
        },
      },
      target,
      1,
    );
    assert.deepEqual(http, [
      {
        scheme: 'http',
        host: '10.0.0.2',
        port: 8080,
        path: '/healthz',
        headers: [],
        timeoutMs: 3000,
        userAgent: 'kube-probe/1.33',
      },
      {
        scheme: 'https',
        host: '10.0.0.9',
        port: 8443,
        path: 'ready?full=1',
        headers: [{ name: 'X-Probe', value: 'yes' }],
        timeoutMs: 1000,
        userAgent: 'kube-probe/1.33',
      },
    ]);
    assert.equal(probeUserAgent(), 'kube-probe/1.33');
  });

  it('tcpSocket: the pod IP by default, the spec host when set, port by number or name', async () => {
    const { prober, tcp } = fakes(() => Promise.reject(new Error('no exec')));
    await prober.run({ tcpSocket: { port: 9000 } }, target, 1);
    await prober.run({ tcpSocket: { host: '10.0.0.7', port: 'web' } }, target, 2);
    assert.deepEqual(tcp, [
      { host: '10.0.0.2', port: 9000, timeoutMs: 1000 },
      { host: '10.0.0.7', port: 8080, timeoutMs: 2000 },
    ]);
  });

  it('grpc: the pod IP (the node IP of a host-network pod), its port and service, User-Agent, timeout', async () => {
    const { prober, grpc } = fakes(() => Promise.reject(new Error('no exec')));
    const ok = await prober.run({ grpc: { port: 9090, service: 'billing' } }, target, 2);
    assert.deepEqual(ok, probeSuccess('service healthy'));
    await prober.run({ grpc: { port: 9091 } }, { ...target, ip: '10.0.0.9' }, 0);
    assert.deepEqual(grpc, [
      {
        host: '10.0.0.2',
        port: 9090,
        service: 'billing',
        timeoutMs: 2000,
        userAgent: 'kube-probe/1.33',
      },
      { host: '10.0.0.9', port: 9091, service: '', timeoutMs: 1000, userAgent: 'kube-probe/1.33' },
    ]);
  });

  it('refuses hosts outside the node pod network and unknown ports, without sending anything', async () => {
    const { prober, http, tcp, grpc } = fakes(() => Promise.reject(new Error('no exec')));
    // A pod IP the node does not route through its bridge: no gRPC probe either.
    const offNode = await prober.run({ grpc: { port: 9090 } }, { ...target, ip: '192.0.2.8' }, 1);
    assert.equal(offNode.result, 'unknown');
    assert.match(offNode.error ?? '', /refuses to probe 192\.0\.2\.8/);
    const badGrpcPort = await prober.run({ grpc: { port: 0 } }, target, 1);
    assert.equal(badGrpcPort.error, 'invalid port number: 0');
    assert.equal(grpc.length, 0);
    const away = await prober.run({ httpGet: { host: '192.0.2.1', port: 80 } }, target, 1);
    assert.equal(away.result, 'unknown');
    assert.match(away.error ?? '', /refuses to probe 192\.0\.2\.1/);
    const badPort = await prober.run({ tcpSocket: { port: 'metrics' } }, target, 1);
    assert.equal(badPort.error, 'strconv.Atoi: parsing "metrics": invalid syntax');
    const noIp = await prober.run({ tcpSocket: { port: 80 } }, { ...target, ip: '' }, 1);
    assert.equal(noIp.result, 'unknown');
    assert.deepEqual([http.length, tcp.length], [0, 0]);
    assert.equal((await prober.run({}, target, 1)).result, 'unknown');
  });

  it('resolvePort follows upstream: numbers, names, number texts, 1 to 65535', () => {
    const named = (n: string): number | undefined => (n === 'web' ? 8080 : undefined);
    assert.deepEqual(resolvePort(80, named), { port: 80 });
    assert.deepEqual(resolvePort('web', named), { port: 8080 });
    assert.deepEqual(resolvePort('9090', named), { port: 9090 });
    assert.deepEqual(resolvePort(0, named), { error: 'invalid port number: 0' });
    assert.deepEqual(resolvePort('70000', named), { error: 'invalid port number: 70000' });
    assert.deepEqual(resolvePort('nope', named), {
      error: 'strconv.Atoi: parsing "nope": invalid syntax',
    });
  });
});
