/**
 * A real API server for e2e tests, in this process, over HTTPS with a fresh cluster CA: a
 * serving certificate for 127.0.0.1/localhost, an admin client certificate (O=system:masters),
 * a kubelet client certificate for reaching node agents (kubeadm's apiserver-kubelet-client)
 * and a kubeconfig file that real kubectl and client libraries use as they are. `stop()` stops
 * the server and store and removes the temp dir.
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiServer } from '../../src/apiserver/api-server.ts';
import type { ApiServerOptions } from '../../src/apiserver/api-server.ts';
import { buildKubeconfig } from '../../src/client/kubeconfig.ts';
import { CertificateAuthority } from '../../src/pki/index.ts';
import type { Store } from '../../src/storage/store.ts';

export interface ApiServerFixture {
  readonly server: ApiServer;
  readonly url: string;
  readonly kubeconfigPath: string;
  readonly caPem: string;
  readonly dir: string;
  readonly ca: CertificateAuthority;
  stop(): Promise<void>;
}

export async function startApiServerFixture(
  store: Store,
  options: Partial<Omit<ApiServerOptions, 'store' | 'tls'>> = {},
): Promise<ApiServerFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'k8ts-apiserver-'));
  const ca = await CertificateAuthority.create({ commonName: 'kubernetes' });
  const serving = await ca.issueServing({
    commonName: 'kube-apiserver',
    dnsNames: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc'],
    ipAddresses: ['127.0.0.1', '10.96.0.1'],
  });
  const admin = await ca.issueClient({
    commonName: 'kubernetes-admin',
    organizations: ['system:masters'],
  });
  const kubeletClient = await ca.issueClient({
    commonName: 'kube-apiserver-kubelet-client',
    organizations: ['kubeadm:cluster-admins'],
  });
  const server = new ApiServer({
    store,
    endpointReconciler: false,
    kubeletClient: { certPem: kubeletClient.certificatePem, keyPem: kubeletClient.keyPem },
    ...options,
    tls: { cert: serving.certificatePem, key: serving.keyPem, clientCa: ca.certificatePem },
  });
  const { url } = await server.start();
  const kubeconfigPath = join(dir, 'admin.conf');
  writeFileSync(
    kubeconfigPath,
    buildKubeconfig({
      server: url,
      caPem: ca.certificatePem,
      userName: 'kubernetes-admin',
      clientCertificatePem: admin.certificatePem,
      clientKeyPem: admin.keyPem,
    }),
    { mode: 0o600 },
  );
  return {
    server,
    url,
    kubeconfigPath,
    caPem: ca.certificatePem,
    dir,
    ca,
    stop: async () => {
      await server.stop();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
