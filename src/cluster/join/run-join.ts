/**
 * `k8ts join` for a worker, in kubeadm's order and words: local pre-flight checks (the
 * container runtime included), token
 * discovery of the cluster CA, the cluster's kubeadm-config and kubelet-config read with the
 * token, the TLS bootstrap (a CSR approved and signed by the controller manager), then the node's
 * files (pki/ca.crt, kubelet.conf, /var/lib/kubelet/config.yaml, the agent's spec) and the node
 * supervisor. Nothing is written before the TLS bootstrap succeeded, and a failure after that
 * removes what this run wrote, so a refused join leaves the node as it was.
 */
import { createSocket } from 'node:dgram';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ConfigMap } from 'kubernetes-types/core/v1.d.ts';
import { RestClient, buildKubeconfig, isNotFound } from '../../client/index.ts';
import type { KubeObject } from '../../client/index.ts';
import { k8tsExecutable } from '../../node/k8ts-executable.ts';
import { childLogFile } from '../../node/node-paths.ts';
import { startNode } from '../../node/node-service.ts';
import { writeProcessSpec } from '../../node/process-spec.ts';
import { CORE } from '../admin-client.ts';
import { KUBELET_CONFIG_MAP } from '../bootstrap-objects.ts';
import { CLUSTER_CONFIGURATION_KEY, KUBEADM_CONFIG_MAP } from '../cluster-configuration.ts';
import { certPair, kubeconfigPath } from '../cluster-paths.ts';
import { KUBELET_CONFIG_KEY, kubeletConfigCgroupDriver } from '../kubelet-configuration.ts';
import { AGENT_PROCESS_NAME, agentSpec } from '../node-registration.ts';
import {
  checkFilesAvailable,
  checkPortsFree,
  checkPrivilegedUser,
  checkSwap,
  reportPreflight,
} from '../preflight-checks.ts';
import { chooseContainerRuntime, writeManagedContainerd } from '../container-runtime.ts';
import type { JoinConfig } from './join-config.ts';
import { explainTokenRejection, requestNodeClientCertificate } from './tls-bootstrap.ts';
import { discoverCluster } from './token-discovery.ts';

export class JoinError extends Error {
  readonly code = 'JOIN_FAILED';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'JoinError';
  }
}

export interface RunJoinOptions {
  readonly config: JoinConfig;
  readonly out: (line: string) => void;
  readonly signal?: AbortSignal;
}

/** The local address the OS would use to reach host:port (a UDP connect sends nothing). */
export function localAddressTowards(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', (err) => {
      socket.close();
      reject(err);
    });
    socket.connect(port, host, () => {
      const { address } = socket.address();
      socket.close();
      resolve(address);
    });
  });
}

/** `rootfs`-relative path of a file under the rootfs, for kubeadm-style check names. */
function relative(rootfs: string, path: string): string {
  const rel = path.slice(rootfs.replace(/\/$/, '').length);
  return rel.startsWith('/') ? rel : `/${rel}`;
}

async function readConfigMap(
  client: RestClient,
  name: string,
  signal: AbortSignal | undefined,
): Promise<Record<string, string> | undefined> {
  try {
    const cm = await client.get<ConfigMap & KubeObject>(
      { ...CORE('configmaps', 'kube-system'), name },
      signal === undefined ? {} : { signal },
    );
    return cm.data ?? {};
  } catch (err: unknown) {
    if (isNotFound(err)) return undefined;
    const why = explainTokenRejection(err);
    if (why !== undefined) throw new JoinError(why, { cause: err });
    throw err;
  }
}

export async function runJoin(options: RunJoinOptions): Promise<void> {
  const { config, out, signal } = options;
  const { paths } = config;
  const [host = '', portText = ''] = /^\[?(.*?)\]?:(\d+)$/.exec(config.endpoint)?.slice(1) ?? [];
  const nodeIp = config.nodeIp ?? (await localAddressTowards(host, Number(portText)));
  const kubeletConf = kubeconfigPath(paths, 'kubelet.conf');
  const caFile = certPair(paths, 'ca').cert;
  const kubeletConfigFile = join(config.rootfs, 'var/lib/kubelet/config.yaml');
  const agentSpecFile = join(paths.manifestsDir, `${AGENT_PROCESS_NAME}.json`);

  out('[preflight] Running pre-flight checks');
  const runtime = await chooseContainerRuntime({
    rootfs: config.rootfs,
    criSocket: config.criSocket,
    cgroupDriver: config.cgroupDriver,
  });
  if (runtime.note !== undefined) out(runtime.note);
  reportPreflight(
    [
      ...runtime.results,
      ...checkPrivilegedUser(),
      ...(await checkPortsFree(nodeIp, [config.kubeletPort])),
      ...checkFilesAvailable(
        config.rootfs,
        [kubeletConf, caFile, agentSpecFile].map((f) => relative(config.rootfs, f)),
      ),
      ...checkSwap(),
    ],
    config.ignorePreflightErrors,
    out,
  );

  const cluster = await discoverCluster({
    endpoint: config.endpoint,
    token: config.discoveryToken,
    caCertHashes: config.caCertHashes,
    unsafeSkipCaVerification: config.unsafeSkipCaVerification,
    timeoutMs: config.discoveryTimeoutMs,
    ...(signal === undefined ? {} : { signal }),
  });
  const tokenClient = new RestClient({
    servers: [cluster.server],
    caPem: cluster.caPem,
    token: config.tlsBootstrapToken.value,
    component: 'kubeadm',
    timeoutMs: 15_000,
  });
  let certificate;
  // The flag, else the runtime's own driver, else the cluster's kubelet-config (kubeadm's source).
  let cgroupDriver = runtime.cgroupDriver;
  let kubeletConfigYaml: string | undefined;
  try {
    out(
      `[preflight] Reading configuration from the "${KUBEADM_CONFIG_MAP}" ConfigMap in namespace "kube-system"...`,
    );
    const kubeadmConfig = await readConfigMap(tokenClient, KUBEADM_CONFIG_MAP, signal);
    if (kubeadmConfig?.[CLUSTER_CONFIGURATION_KEY] === undefined)
      throw new JoinError(
        `the cluster has no "${KUBEADM_CONFIG_MAP}" ConfigMap with a ClusterConfiguration; run "k8ts init phase upload-config" on a control-plane node`,
      );
    kubeletConfigYaml = (await readConfigMap(tokenClient, KUBELET_CONFIG_MAP, signal))?.[
      KUBELET_CONFIG_KEY
    ];
    if (cgroupDriver === undefined && kubeletConfigYaml !== undefined)
      cgroupDriver = kubeletConfigCgroupDriver(kubeletConfigYaml);
    out('[kubelet-start] Performing the TLS Bootstrap');
    certificate = await requestNodeClientCertificate({
      client: tokenClient,
      nodeName: config.nodeName,
      timeoutMs: config.tlsBootstrapTimeoutMs,
      ...(signal === undefined ? {} : { signal }),
    });
    out(
      `[kubelet-start] The certificate signing request ${certificate.csrName} was approved and signed`,
    );
  } finally {
    tokenClient.close();
  }

  const written: string[] = [];
  /** Writes a file; one that did not exist before is removed again if the join fails. */
  const write = (path: string, content: string, mode: number): void => {
    mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
    const isNew = !existsSync(path);
    writeFileSync(path, content, { mode });
    if (isNew) written.push(path);
  };
  try {
    write(caFile, cluster.caPem, 0o644);
    if (kubeletConfigYaml !== undefined) {
      out(`[kubelet-start] Writing kubelet configuration to file "${kubeletConfigFile}"`);
      write(kubeletConfigFile, kubeletConfigYaml, 0o644);
    }
    out(`[kubelet-start] Writing "${kubeletConf}"`);
    write(
      kubeletConf,
      buildKubeconfig({
        server: cluster.server,
        caPem: cluster.caPem,
        userName: `system:node:${config.nodeName}`,
        clientCertificatePem: certificate.certificatePem,
        clientKeyPem: certificate.keyPem,
      }),
      0o600,
    );
    const spec = agentSpec(
      paths,
      {
        name: config.nodeName,
        nodeIp,
        criSocket: runtime.endpoint,
        cgroupDriver,
        kubeletPort: config.kubeletPort,
        labels: {},
        taints: [],
        ...(config.podCidr === undefined ? {} : { podCidr: config.podCidr }),
      },
      k8tsExecutable(),
    );
    if (runtime.managed !== undefined) {
      out(`[kubelet-start] Writing containerd's config to file "${runtime.managed.configPath}"`);
      writeManagedContainerd(paths.manifestsDir, runtime.managed);
      written.push(runtime.managed.configPath, join(paths.manifestsDir, 'containerd.json'));
    }
    written.push(writeProcessSpec(paths.manifestsDir, spec));
    out('[kubelet-start] Starting the kubelet');
    await startNode(config.rootfs);
  } catch (err: unknown) {
    for (const f of written.reverse()) rmSync(f, { force: true });
    throw err;
  }
  await waitForRegistration(config, kubeletConf, out, signal);
  for (const line of [
    '',
    'This node has joined the cluster:',
    '* Certificate signing request was sent to apiserver and a response was received.',
    '* The Kubelet was informed of the new secure connection details.',
    '',
    "Run 'kubectl get nodes' on the control-plane to see this node join the cluster.",
    '',
  ])
    out(line);
}

/** kubeadm's kubelet-check, as k8ts can see it: the agent registered this node's Node. */
async function waitForRegistration(
  config: JoinConfig,
  kubeletConf: string,
  out: (line: string) => void,
  signal: AbortSignal | undefined,
): Promise<void> {
  out(
    `[kubelet-check] Waiting for the kubelet to register the node. This can take up to ${String(Math.round(config.kubeletTimeoutMs / 1000))}s`,
  );
  const client = RestClient.fromKubeconfig(readFileSync(kubeletConf, 'utf8'), { timeoutMs: 5000 });
  const started = Date.now();
  try {
    for (;;) {
      try {
        await client.get(
          { ...CORE('nodes'), name: config.nodeName },
          signal === undefined ? {} : { signal },
        );
        out(
          `[kubelet-check] The kubelet registered the node after ${((Date.now() - started) / 1000).toFixed(3)}s`,
        );
        return;
      } catch (err: unknown) {
        if (!isNotFound(err)) throw err;
      }
      if (Date.now() - started > config.kubeletTimeoutMs)
        throw new JoinError(
          `the kubelet did not register the node "${config.nodeName}" within ${String(Math.round(config.kubeletTimeoutMs / 1000))}s; its log is ${childLogFile(config.paths, AGENT_PROCESS_NAME)}`,
        );
      await sleep(100, undefined, signal === undefined ? {} : { signal });
    }
  } finally {
    client.close();
  }
}
