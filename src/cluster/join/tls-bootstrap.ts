/**
 * The kubelet's TLS bootstrap, done by join before the agent starts: with the bootstrap token
 * (user `system:bootstrap:<id>`, group `system:bootstrappers:...`) it posts a CSR for
 * `CN=system:node:<name>, O=system:nodes` to signer `kubernetes.io/kube-apiserver-client-kubelet`
 * and waits, bounded (kubeadm's TLSBootstrapTimeout, 5 min), for the controller manager's
 * approver and signer. The answer is the node's client certificate and its new key (PEM; the key
 * never leaves this process except into kubelet.conf). A denied or failed CSR, a rejected token,
 * or a timeout throws TlsBootstrapError saying what happened.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { CertificateSigningRequest } from 'kubernetes-types/certificates/v1.d.ts';
import { ApiStatusError } from '../../client/index.ts';
import type { KubeObject, RestClient } from '../../client/index.ts';
import { createCertificateRequest } from '../../pki/index.ts';

export class TlsBootstrapError extends Error {
  readonly code = 'JOIN_TLS_BOOTSTRAP_FAILED';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'TlsBootstrapError';
  }
}

const CSRS = { group: 'certificates.k8s.io', version: 'v1', plural: 'certificatesigningrequests' };
export const KUBELET_CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client-kubelet';

type Csr = CertificateSigningRequest & KubeObject;

export interface TlsBootstrapOptions {
  /** Authenticated with the bootstrap token, trusting the discovered CA. */
  readonly client: RestClient;
  readonly nodeName: string;
  /** Default: 300,000 ms (kubeadm's TLSBootstrapTimeout). */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface NodeClientCertificate {
  readonly certificatePem: string;
  readonly keyPem: string;
  /** The CSR's name, for messages. */
  readonly csrName: string;
}

/** What a 401/403 from the API server means for a bootstrap token, in words a user can act on. */
export function explainTokenRejection(err: unknown): string | undefined {
  if (!(err instanceof ApiStatusError)) return undefined;
  if (err.statusCode === 401)
    return 'the API server rejected the bootstrap token (401 Unauthorized): it does not exist, has expired, or lacks the "authentication" usage. Create one with "k8ts token create" on a control-plane node';
  if (err.statusCode === 403)
    return `the bootstrap token is not allowed to do this (403 Forbidden): ${err.message}. Tokens for joining need the group system:bootstrappers:kubeadm:default-node-token`;
  return undefined;
}

function condition(csr: Csr, type: string): { message?: string } | undefined {
  return csr.status?.conditions?.find((c) => c.type === type && c.status !== 'False');
}

/** Sends the CSR and waits for its certificate. */
export async function requestNodeClientCertificate(
  options: TlsBootstrapOptions,
): Promise<NodeClientCertificate> {
  const { client, nodeName, signal } = options;
  const timeoutMs = options.timeoutMs ?? 300_000;
  const request = await createCertificateRequest({
    commonName: `system:node:${nodeName}`,
    organizations: ['system:nodes'],
  });
  let created: Csr;
  try {
    created = await client.create<Csr>(
      CSRS,
      {
        apiVersion: 'certificates.k8s.io/v1',
        kind: 'CertificateSigningRequest',
        metadata: { generateName: 'csr-' },
        spec: {
          request: Buffer.from(request.csrPem).toString('base64'),
          signerName: KUBELET_CLIENT_SIGNER,
          usages: ['digital signature', 'client auth'],
        },
      },
      signal === undefined ? {} : { signal },
    );
  } catch (err: unknown) {
    const why = explainTokenRejection(err);
    if (why !== undefined) throw new TlsBootstrapError(why, { cause: err });
    throw err;
  }
  const name = created.metadata?.name ?? '';
  const deadline = Date.now() + timeoutMs;
  // Polling with a short backoff (50 ms doubling to 1 s) rather than a watch: as fast here (the
  // approver and signer answer within milliseconds) and one request shape fewer to go wrong.
  let delayMs = 50;
  for (;;) {
    let csr: Csr;
    try {
      csr = await client.get<Csr>({ ...CSRS, name }, signal === undefined ? {} : { signal });
    } catch (err: unknown) {
      const why = explainTokenRejection(err);
      if (why !== undefined) throw new TlsBootstrapError(why, { cause: err });
      throw err;
    }
    const denied = condition(csr, 'Denied');
    if (denied !== undefined)
      throw new TlsBootstrapError(
        `the certificate signing request ${name} was denied: ${denied.message ?? 'no reason given'}`,
      );
    const failed = condition(csr, 'Failed');
    if (failed !== undefined)
      throw new TlsBootstrapError(
        `the certificate signing request ${name} failed: ${failed.message ?? 'no reason given'}`,
      );
    const cert = csr.status?.certificate;
    if (cert !== undefined && cert !== '')
      return {
        certificatePem: Buffer.from(cert, 'base64').toString('utf8'),
        keyPem: request.keyPem,
        csrName: name,
      };
    if (Date.now() > deadline)
      throw new TlsBootstrapError(
        `timed out after ${String(Math.round(timeoutMs / 1000))}s waiting for the certificate signing request ${name} to be approved and signed: is the controller manager running with the csrapproving and csrsigning controllers?`,
      );
    await sleep(delayMs, undefined, signal === undefined ? {} : { signal });
    delayMs = Math.min(delayMs * 2, 1000);
  }
}
