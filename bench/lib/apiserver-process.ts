/**
 * `k8ts apiserver` as its own process for benchmarks (so its CPU and RSS are its own): a fresh
 * cluster CA, a serving certificate for 127.0.0.1, an admin client certificate and kubeconfig
 * in a temp dir, started on a free loopback port against the given etcd endpoints, ready once
 * /readyz answers 200. `stop()` ends it by PID (SIGTERM, then SIGKILL) and removes the dir.
 */
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildKubeconfig } from '../../src/client/kubeconfig.ts';
import { RestClient } from '../../src/client/index.ts';
import { CertificateAuthority } from '../../src/pki/index.ts';
import { freePort } from '../../test/harness/free-port.ts';

export const K8TS_BIN = fileURLToPath(new URL('../../bin/k8ts.js', import.meta.url));

export interface ApiServerProcess {
  readonly url: string;
  readonly pid: number;
  readonly dir: string;
  readonly kubeconfigPath: string;
  /** The cluster CA and the admin client certificate (system:masters), PEM. */
  readonly tls: { readonly ca: string; readonly cert: string; readonly key: string };
  stop(): Promise<void>;
}

/** Extra node flags (`--cpu-prof`) go in `nodeArgs`, extra `k8ts apiserver` flags in `serverArgs`. */
export async function startApiServerProcess(
  etcdEndpoints: readonly string[],
  nodeArgs: readonly string[] = [],
  serverArgs: readonly string[] = [],
): Promise<ApiServerProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-bench-apiserver-'));
  const ca = await CertificateAuthority.create();
  const serving = await ca.issueServing({
    commonName: 'kube-apiserver',
    ipAddresses: ['127.0.0.1'],
    dnsNames: ['localhost'],
  });
  const admin = await ca.issueClient({
    commonName: 'kubernetes-admin',
    organizations: ['system:masters'],
  });
  writeFileSync(join(dir, 'ca.crt'), ca.certificatePem);
  writeFileSync(join(dir, 'apiserver.crt'), serving.certificatePem);
  writeFileSync(join(dir, 'apiserver.key'), serving.keyPem, { mode: 0o600 });
  const port = await freePort();
  const url = `https://127.0.0.1:${String(port)}`;
  const kubeconfigPath = join(dir, 'admin.conf');
  const kubeconfig = buildKubeconfig({
    server: url,
    caPem: ca.certificatePem,
    userName: 'kubernetes-admin',
    clientCertificatePem: admin.certificatePem,
    clientKeyPem: admin.keyPem,
  });
  writeFileSync(kubeconfigPath, kubeconfig, { mode: 0o600 });
  const child = spawn(
    process.execPath,
    [
      ...nodeArgs,
      K8TS_BIN,
      'apiserver',
      `--etcd-servers=${etcdEndpoints.join(',')}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${String(port)}`,
      `--tls-cert-file=${join(dir, 'apiserver.crt')}`,
      `--tls-private-key-file=${join(dir, 'apiserver.key')}`,
      `--client-ca-file=${join(dir, 'ca.crt')}`,
      ...serverArgs,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'], cwd: dir },
  );
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const t = setTimeout(() => {
      child.kill('SIGKILL');
    }, 10_000);
    await exited;
    clearTimeout(t);
    rmSync(dir, { recursive: true, force: true });
  };
  const probe = RestClient.fromKubeconfig(kubeconfig, {
    timeoutMs: 1_000,
    connectTimeoutMs: 1_000,
  });
  try {
    for (let i = 0; ; i++) {
      try {
        // A list reaches etcd: the server is up and its store answers.
        await probe.requestJson('GET', '/api/v1/namespaces?limit=1');
        break;
      } catch {
        if (i > 300 || child.exitCode !== null) {
          await stop();
          throw new Error('the API server did not become ready in 30 s');
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    probe.close();
  }
  const tls = { ca: ca.certificatePem, cert: admin.certificatePem, key: admin.keyPem };
  return { url, pid: child.pid ?? -1, dir, kubeconfigPath, tls, stop };
}
