/**
 * A real API server for e2e tests, in this process, over HTTPS with a fresh cluster CA: a
 * serving certificate for 127.0.0.1/localhost, an admin client certificate (O=system:masters),
 * a kubelet client certificate for reaching node agents (kubeadm's apiserver-kubelet-client)
 * and a kubeconfig file that real kubectl and client libraries use as they are. Like a cluster,
 * it signs service account tokens (a fresh ECDSA key unless one is given) and runs what the
 * controller manager does for pods' service accounts (the `default` ServiceAccount in every
 * namespace and `kube-root-ca.crt`), which the ServiceAccount admission plugin and the pods'
 * auto-mounted token volumes need; `serviceAccountControllers: false` leaves that to the test
 * (one that runs a controller manager). `stop()` stops it all and removes the temp dir.
 */
import 'reflect-metadata';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiServer } from '../../src/apiserver/api-server.ts';
import type { ApiServerOptions } from '../../src/apiserver/api-server.ts';
import { buildKubeconfig } from '../../src/client/kubeconfig.ts';
import { CertificateAuthority } from '../../src/pki/index.ts';
import { generateServiceAccountKey } from '../../src/pki/service-account-key.ts';
import type { Store } from '../../src/storage/store.ts';
import { startServiceAccountControllers } from './service-account-controllers.ts';
import type { ServiceAccountControllers } from './service-account-controllers.ts';

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
  options: Partial<Omit<ApiServerOptions, 'store' | 'tls'>> & {
    /** Run the serviceaccount and root-ca-cert-publisher controllers here. Default: true. */
    readonly serviceAccountControllers?: boolean;
  } = {},
): Promise<ApiServerFixture> {
  const { serviceAccountControllers = true, ...serverOptions } = options;
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
  const saKey =
    serverOptions.serviceAccountSigningKeyPem ??
    (await generateServiceAccountKey('ECDSA-P256')).privateKeyPem;
  const server = new ApiServer({
    store,
    endpointReconciler: false,
    kubeletClient: { certPem: kubeletClient.certificatePem, keyPem: kubeletClient.keyPem },
    serviceAccountSigningKeyPem: saKey,
    ...serverOptions,
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
  const controllers: ServiceAccountControllers | undefined = serviceAccountControllers
    ? startServiceAccountControllers(readFileSync(kubeconfigPath, 'utf8'), ca.certificatePem)
    : undefined;
  await controllers?.ready();
  return {
    server,
    url,
    kubeconfigPath,
    caPem: ca.certificatePem,
    dir,
    ca,
    stop: async () => {
      await controllers?.stop();
      await server.stop();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
