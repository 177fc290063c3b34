/**
 * kubeconfig files as kubectl and kubeadm write them (`admin.conf`, `kubelet.conf`, ...): one
 * cluster (server + CA data), one user (client certificate/key data or a token), one context.
 * `parseKubeconfig` reads back the current context's connection details and rejects files that
 * lack them with a message that says what is missing. Credentials are never logged.
 */
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';

export interface KubeconfigOptions {
  readonly server: string;
  readonly caPem: string;
  /** Default: kubernetes. */
  readonly clusterName?: string;
  readonly userName: string;
  readonly clientCertificatePem?: string;
  readonly clientKeyPem?: string;
  readonly token?: string;
}

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

export function buildKubeconfig(o: KubeconfigOptions): string {
  const cluster = o.clusterName ?? 'kubernetes';
  const context = `${o.userName}@${cluster}`;
  const user: Record<string, string> = {};
  if (o.clientCertificatePem !== undefined)
    user['client-certificate-data'] = b64(o.clientCertificatePem);
  if (o.clientKeyPem !== undefined) user['client-key-data'] = b64(o.clientKeyPem);
  if (o.token !== undefined) user['token'] = o.token;
  return stringifyYaml({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: cluster, cluster: { 'certificate-authority-data': b64(o.caPem), server: o.server } },
    ],
    contexts: [{ name: context, context: { cluster, user: o.userName } }],
    'current-context': context,
    preferences: {},
    users: [{ name: o.userName, user }],
  });
}

export interface ResolvedKubeconfig {
  readonly server: string;
  readonly caPem: string | undefined;
  readonly clientCertificatePem: string | undefined;
  readonly clientKeyPem: string | undefined;
  readonly token: string | undefined;
}

export class KubeconfigError extends Error {
  readonly code = 'KUBECONFIG_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'KubeconfigError';
  }
}

type Named = { name?: unknown } & Record<string, unknown>;

function findNamed(list: unknown, name: string, what: string): Record<string, unknown> {
  if (!Array.isArray(list)) throw new KubeconfigError(`kubeconfig has no ${what}s`);
  const entry = (list as Named[]).find((e) => typeof e === 'object' && e.name === name);
  const body = entry?.[what];
  if (typeof body !== 'object' || body === null)
    throw new KubeconfigError(`kubeconfig has no ${what} named ${JSON.stringify(name)}`);
  return body as Record<string, unknown>;
}

const fromB64 = (v: unknown): string | undefined =>
  typeof v === 'string' ? Buffer.from(v, 'base64').toString('utf8') : undefined;

/** The current context's server and credentials (inline `*-data` fields and tokens). */
export function parseKubeconfig(text: string): ResolvedKubeconfig {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err: unknown) {
    throw new KubeconfigError(
      `kubeconfig is not valid YAML: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  if (typeof doc !== 'object' || doc === null) throw new KubeconfigError('kubeconfig is empty');
  const d = doc as Record<string, unknown>;
  const current = d['current-context'];
  if (typeof current !== 'string' || current === '')
    throw new KubeconfigError('kubeconfig has no current-context');
  const context = findNamed(d['contexts'], current, 'context');
  const cluster = findNamed(d['clusters'], String(context['cluster']), 'cluster');
  const user =
    typeof context['user'] === 'string' ? findNamed(d['users'], context['user'], 'user') : {};
  const server = cluster['server'];
  if (typeof server !== 'string' || server === '')
    throw new KubeconfigError('kubeconfig cluster has no server');
  return {
    server,
    caPem: fromB64(cluster['certificate-authority-data']),
    clientCertificatePem: fromB64(user['client-certificate-data']),
    clientKeyPem: fromB64(user['client-key-data']),
    token: typeof user['token'] === 'string' ? user['token'] : undefined,
  };
}
