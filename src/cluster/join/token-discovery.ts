/**
 * kubeadm's bootstrap-token discovery (cmd/kubeadm/app/discovery/token): fetch `kube-public/
 * cluster-info` trusting no certificate, verify its detached JWS with the token, check the CA
 * in it against `--discovery-token-ca-cert-hash` (unless `--discovery-token-unsafe-skip-ca-
 * verification`), then fetch it again over TLS pinned to that CA and require the same content.
 *
 * Retries as kubeadm: network failures every `retryIntervalMs` until `timeoutMs`; a missing JWS
 * (the bootstrap signer adds it a moment after a token is created) only for `signatureWaitMs`,
 * then the token is reported invalid or expired. A bad signature or an unpinned CA fails at once.
 * Errors never contain the token secret.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parse } from 'yaml';
import {
  PkiCaHashMismatchError,
  PkiJwsSignatureInvalidError,
  PkiJwsSignatureMissingError,
  jwsSignatureKey,
  parseCaCertHash,
  verifyCaCertHash,
  verifyClusterInfo,
} from '../../pki/index.ts';
import type { BootstrapToken } from '../../pki/index.ts';
import { fetchClusterInfo } from './cluster-info-client.ts';

export class DiscoveryError extends Error {
  readonly code = 'JOIN_DISCOVERY_FAILED';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DiscoveryError';
  }
}

export interface DiscoveryOptions {
  /** `host:port` given to join. */
  readonly endpoint: string;
  readonly token: BootstrapToken;
  /** `sha256:<hex>` pins; at least one unless `unsafeSkipCaVerification`. */
  readonly caCertHashes: readonly string[];
  readonly unsafeSkipCaVerification: boolean;
  /** Default: 300,000 ms (kubeadm's DiscoveryTimeout). */
  readonly timeoutMs?: number;
  /** Default: 1,000 ms (kubeadm: 5 s; shorter, since a retry costs one small GET). */
  readonly retryIntervalMs?: number;
  /** How long a missing signature is waited for. Default: 10,000 ms (kubeadm: the whole timeout). */
  readonly signatureWaitMs?: number;
  readonly signal?: AbortSignal;
}

export interface DiscoveredCluster {
  /** The API server URL cluster-info names (the control-plane endpoint). */
  readonly server: string;
  /** The validated cluster CA. */
  readonly caPem: string;
}

/** The server and CA of the (single, unnamed) cluster in cluster-info's kubeconfig. */
export function parseClusterInfoKubeconfig(text: string): DiscoveredCluster {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err: unknown) {
    throw new DiscoveryError('the kubeconfig in cluster-info is not valid YAML', { cause: err });
  }
  const clusters = (doc as { clusters?: unknown } | null)?.clusters;
  const first: unknown = Array.isArray(clusters) ? clusters[0] : undefined;
  const cluster = (first as { cluster?: unknown } | undefined)?.cluster as
    Record<string, unknown> | undefined;
  const server = cluster?.['server'];
  const caData = cluster?.['certificate-authority-data'];
  if (typeof server !== 'string' || !server.startsWith('https://'))
    throw new DiscoveryError('the kubeconfig in cluster-info has no https server');
  if (typeof caData !== 'string' || caData === '')
    throw new DiscoveryError('the kubeconfig in cluster-info has no certificate-authority-data');
  return { server, caPem: Buffer.from(caData, 'base64').toString('utf8') };
}

export async function discoverCluster(options: DiscoveryOptions): Promise<DiscoveredCluster> {
  const { token } = options;
  if (!options.unsafeSkipCaVerification) {
    if (options.caCertHashes.length === 0)
      throw new DiscoveryError(
        'using token-based discovery without --discovery-token-ca-cert-hash can be unsafe; pass --discovery-token-ca-cert-hash sha256:<hash> (printed by "k8ts init" and "k8ts token create --print-join-command") or --discovery-token-unsafe-skip-ca-verification',
      );
    for (const pin of options.caCertHashes) parseCaCertHash(pin);
  }
  const timeoutMs = options.timeoutMs ?? 300_000;
  const retryMs = options.retryIntervalMs ?? 1000;
  const started = Date.now();
  const deadline = started + timeoutMs;
  const signatureDeadline = started + Math.min(timeoutMs, options.signatureWaitMs ?? 10_000);
  let insecure: Record<string, string> | undefined;
  let lastError = 'no answer yet';
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      const data = await fetchClusterInfo({
        endpoint: options.endpoint,
        caPem: undefined,
        timeoutMs: Math.max(1000, Math.min(10_000, deadline - Date.now())),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
      if (data[jwsSignatureKey(token.id)] !== undefined) {
        insecure = data;
        break;
      }
      lastError = `could not find a JWS signature in the cluster-info ConfigMap for token ID ${JSON.stringify(token.id)}`;
      if (Date.now() >= signatureDeadline || Date.now() + retryMs > deadline) {
        insecure = data; // let verifyClusterInfo word the failure as kubeadm does
        break;
      }
    } catch (err: unknown) {
      lastError = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() + retryMs > deadline)
      throw new DiscoveryError(
        `couldn't validate the identity of the API Server at ${options.endpoint} within ${String(Math.round(timeoutMs / 1000))}s: ${lastError}`,
      );
    await sleep(retryMs, undefined, options.signal === undefined ? {} : { signal: options.signal });
  }
  let kubeconfig: string;
  try {
    kubeconfig = await verifyClusterInfo(insecure, token);
  } catch (err: unknown) {
    if (err instanceof PkiJwsSignatureMissingError || err instanceof PkiJwsSignatureInvalidError)
      throw new DiscoveryError(err.message, { cause: err });
    throw err;
  }
  const cluster = parseClusterInfoKubeconfig(kubeconfig);
  if (!options.unsafeSkipCaVerification) {
    try {
      verifyCaCertHash(cluster.caPem, options.caCertHashes);
    } catch (err: unknown) {
      if (err instanceof PkiCaHashMismatchError)
        throw new DiscoveryError(
          `cluster CA found in cluster-info ConfigMap is invalid: ${err.message}; check --discovery-token-ca-cert-hash against "k8ts token create --print-join-command" on a control-plane node`,
          { cause: err },
        );
      throw err;
    }
  }
  // Now that the CA is trusted, fetch again over verified TLS: the content must not change.
  let secure: Record<string, string>;
  try {
    secure = await fetchClusterInfo({
      endpoint: options.endpoint,
      caPem: cluster.caPem,
      timeoutMs: 10_000,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  } catch (err: unknown) {
    throw new DiscoveryError(
      `the API server at ${options.endpoint} failed the TLS check with the discovered CA: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
  if (secure['kubeconfig'] !== kubeconfig)
    throw new DiscoveryError(
      'the cluster-info ConfigMap changed between the insecure and the secure fetch; retry the join',
    );
  return cluster;
}
