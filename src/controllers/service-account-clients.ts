/**
 * `--use-service-account-credentials` (upstream's SAControllerClientBuilder with TokenRequest):
 * each controller talks to the API server as its own service account in kube-system
 * (`system:serviceaccount:kube-system:<name>`), which the bootstrap policy's
 * `system:controller:<name>` roles authorize. With the manager's own credentials this makes the
 * account if missing and asks a token for it (1 h), renewed at 80 % of its life, on a separate
 * connection that carries no client certificate (so the token, not the certificate, identifies
 * the controller). A failed renewal is retried every 10 s while the current token lasts.
 */
import type { ServiceAccount } from 'kubernetes-types/core/v1.d.ts';
import { RestClient, isAlreadyExists, isNotFound } from '../client/index.ts';
import type { KubeObject } from '../client/index.ts';

/** Upstream's token lifetime for controller clients. */
const TOKEN_SECONDS = 3600;
const RENEW_FRACTION = 0.8;
const RETRY_MS = 10_000;
const NAMESPACE = 'kube-system';

/** The service account each controller uses upstream (`ClientOrDie("<name>")`). */
const SERVICE_ACCOUNTS: Readonly<Record<string, string>> = {
  csrapproving: 'certificate-controller',
  csrsigning: 'certificate-controller',
  csrcleaner: 'certificate-controller',
  bootstrapsigner: 'bootstrap-signer',
  tokencleaner: 'token-cleaner',
  namespace: 'namespace-controller',
  serviceaccount: 'service-account-controller',
  garbagecollector: 'generic-garbage-collector',
  podgc: 'pod-garbage-collector',
  endpoint: 'endpoint-controller',
  endpointslice: 'endpointslice-controller',
  endpointslicemirroring: 'endpointslicemirroring-controller',
  deployment: 'deployment-controller',
  replicaset: 'replicaset-controller',
  replicationcontroller: 'replication-controller',
  daemonset: 'daemon-set-controller',
  statefulset: 'statefulset-controller',
  job: 'job-controller',
  cronjob: 'cronjob-controller',
  disruption: 'disruption-controller',
  nodeipam: 'node-controller',
  nodelifecycle: 'node-controller',
  // Upstream runs it as taint-eviction-controller since v1.29; k8ts's bootstrap policy (older
  // data) has no role for that account, and node-controller's role covers what it does.
  'taint-eviction-controller': 'node-controller',
  'ttl-after-finished': 'ttl-after-finished-controller',
  ttl: 'ttl-controller',
  resourcequota: 'resourcequota-controller',
  'root-ca-cert-publisher': 'root-ca-cert-publisher',
  'clusterrole-aggregation': 'clusterrole-aggregation-controller',
  'ephemeral-volume': 'ephemeral-volume-controller',
  'pvc-protection': 'pvc-protection-controller',
  'pv-protection': 'pv-protection-controller',
};

/** The service account of a controller; unknown ones get `<name>-controller`. */
export function controllerServiceAccount(controller: string): string {
  return SERVICE_ACCOUNTS[controller] ?? `${controller}-controller`;
}

export interface ServiceAccountClientsOptions {
  /** The manager's own client (its certificate): makes accounts and asks tokens. */
  readonly root: RestClient;
  /** API server URLs and CA for the controllers' connections. */
  readonly servers: readonly string[];
  readonly caPem: string | undefined;
  /** Default: `kube-controller-manager`. */
  readonly component?: string;
  /** Receives renewal failures. Default: ignore. */
  readonly onError?: (serviceAccount: string, err: unknown) => void;
}

interface Entry {
  readonly client: RestClient;
  token: string;
  timer: NodeJS.Timeout | undefined;
}

export class ServiceAccountClients {
  readonly #o: ServiceAccountClientsOptions;
  readonly #entries = new Map<string, Promise<Entry>>();
  #closed = false;

  constructor(options: ServiceAccountClientsOptions) {
    this.#o = options;
  }

  /** The client of `serviceAccount` (made and given a token on first use). */
  async clientFor(serviceAccount: string): Promise<RestClient> {
    let entry = this.#entries.get(serviceAccount);
    if (entry === undefined) {
      entry = this.#create(serviceAccount);
      this.#entries.set(serviceAccount, entry);
      entry.catch(() => this.#entries.delete(serviceAccount));
    }
    return (await entry).client;
  }

  async #create(serviceAccount: string): Promise<Entry> {
    await this.#ensureAccount(serviceAccount);
    const { token, expiresInMs } = await this.#requestToken(serviceAccount);
    const entry: Entry = {
      token,
      timer: undefined,
      client: new RestClient({
        servers: this.#o.servers,
        caPem: this.#o.caPem,
        token: () => entry.token,
        component: this.#o.component ?? 'kube-controller-manager',
      }),
    };
    this.#schedule(serviceAccount, entry, expiresInMs * RENEW_FRACTION);
    return entry;
  }

  #schedule(serviceAccount: string, entry: Entry, delayMs: number): void {
    if (this.#closed) return;
    entry.timer = setTimeout(() => {
      this.#requestToken(serviceAccount).then(
        ({ token, expiresInMs }) => {
          entry.token = token;
          this.#schedule(serviceAccount, entry, expiresInMs * RENEW_FRACTION);
        },
        (err: unknown) => {
          this.#o.onError?.(serviceAccount, err);
          this.#schedule(serviceAccount, entry, RETRY_MS);
        },
      );
    }, delayMs);
    entry.timer.unref();
  }

  async #ensureAccount(name: string): Promise<void> {
    const ref = { group: '', version: 'v1', plural: 'serviceaccounts', namespace: NAMESPACE };
    try {
      await this.#o.root.get({ ...ref, name });
      return;
    } catch (err: unknown) {
      if (!isNotFound(err)) throw err;
    }
    try {
      await this.#o.root.create<ServiceAccount & KubeObject>(ref, {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name, namespace: NAMESPACE },
      });
    } catch (err: unknown) {
      if (!isAlreadyExists(err)) throw err;
    }
  }

  async #requestToken(name: string): Promise<{ token: string; expiresInMs: number }> {
    const answer = await this.#o.root.create<
      KubeObject & { status?: { token?: string; expirationTimestamp?: string } }
    >(
      {
        group: '',
        version: 'v1',
        plural: 'serviceaccounts',
        namespace: NAMESPACE,
        name,
        subresource: 'token',
      },
      {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { expirationSeconds: TOKEN_SECONDS },
      } as KubeObject,
    );
    const token = answer.status?.token;
    if (token === undefined || token === '')
      throw new Error(`the TokenRequest for ${NAMESPACE}/${name} returned no token`);
    const expires = Date.parse(answer.status?.expirationTimestamp ?? '');
    const expiresInMs = Number.isNaN(expires) ? TOKEN_SECONDS * 1000 : expires - Date.now();
    return { token, expiresInMs: Math.max(expiresInMs, RETRY_MS) };
  }

  /** Stops renewals and closes every controller connection. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const p of this.#entries.values()) {
      const entry = await p.catch(() => undefined);
      if (entry === undefined) continue;
      clearTimeout(entry.timer);
      entry.client.close();
    }
    this.#entries.clear();
  }
}
