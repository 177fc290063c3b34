/**
 * The k8ts API server: the Kubernetes REST API over HTTPS (HTTP/2 and HTTP/1.1 on one port)
 * with client-certificate authentication, or plain HTTP for local tests. Stateless: every
 * replica on the same Store serves the same objects, resourceVersions and watch streams.
 * `start()` listens; `stop()` closes listeners and open watches, then resolves.
 */
import { ServerResponse, createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import { createSecureServer } from 'node:http2';
import type { Http2SecureServer } from 'node:http2';
import { Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { ResourceRegistry } from '../api/resource-registry.ts';
import { builtinResources } from '../api/builtin-resources.ts';
import { builtinStrategies } from '../api/strategies/index.ts';
import type { Store } from '../storage/store.ts';
import { ApiHandler } from './api-handler.ts';
import { InstrumentedStore } from './instrumented-store.ts';
import { AuthenticatorChain } from './authn/authenticator.ts';
import type { Authenticator } from './authn/authenticator.ts';
import { BearerTokenAuthenticator } from './authn/bearer-token.ts';
import { ClientCertificateAuthenticator } from './authn/client-certificate.ts';
import { buildTokenServices, resourceStoreTokenObjects } from './authn/token-authentication.ts';
import type { TokenAuthenticationOptions } from './authn/token-authentication.ts';
import { AlwaysAllow } from './authz/authorizer.ts';
import type { Authorizer } from './authz/authorizer.ts';
import type { AuthorizationMode } from './authz/authorization-mode.ts';
import { nodeAuthorization } from './authz/node-authorizer/index.ts';
import { RbacAuthorizer, ensureBootstrapPolicy, loadBootstrapPolicy } from './authz/rbac/index.ts';
import { UnionAuthorizer } from './authz/union-authorizer.ts';
import { HealthChecks } from './health.ts';
import type { KubeletClientConfig } from './kubelet/kubelet-client.ts';
import { Exchange } from './http/exchange.ts';
import type { AnyRequest, AnyResponse } from './http/exchange.ts';
import { ApiMetrics } from './metrics.ts';
import { ResourceStore } from './registry/resource-store.ts';
import type { Admit } from './registry/resource-store.ts';
import { admitObject } from './registry/admit-object.ts';
import { withDefaultTolerationSeconds } from './admission/default-toleration-seconds.ts';
import { serviceAccountAdmission } from './admission/service-account-lister.ts';
import type { DefaultTolerationSecondsOptions } from './admission/default-toleration-seconds.ts';
import { ServiceAllocator, serviceHooks } from './registry/service-allocator.ts';
import { EndpointReconciler } from './bootstrap/endpoint-reconciler.ts';
import { ensureSystemNamespaces } from './bootstrap/system-namespaces.ts';

export interface ApiServerTls {
  /** PEM serving certificate (signed by the cluster CA) and its key. */
  readonly cert: string;
  readonly key: string;
  /** PEM CA that client certificates must chain to. */
  readonly clientCa: string;
}

/**
 * Token authentication options (see TokenAuthenticationOptions for each default):
 * `serviceAccountSigningKeyPem` (none: no serviceaccounts/<name>/token, as a kube-apiserver
 * without a token issuer), `serviceAccountVerificationKeysPem` (default: the signing key's),
 * `serviceAccountIssuer` (default https://kubernetes.default.svc.cluster.local), `apiAudiences`
 * (default: the issuers), `enableBootstrapTokenAuth` (default true),
 * `serviceAccountMaxTokenExpirationSeconds` (default: no cap).
 */
export interface ApiServerOptions extends TokenAuthenticationOptions {
  readonly store: Store;
  /** Omit for plain HTTP (tests on loopback only). */
  readonly tls?: ApiServerTls;
  /** Default: 127.0.0.1. */
  readonly host?: string;
  /** Default: 0 (a free port). Upstream's secure port is 6443. */
  readonly port?: number;
  /** Authenticators tried before client certificates (tokens). Default: none. */
  readonly authenticators?: readonly Authenticator[];
  /**
   * How requests are authorized when no `authorizer` is given, in order (the first mode that
   * allows decides): `AlwaysAllow`; `Node` (upstream's Node authorizer: a node's credentials
   * reach only its own objects and what its pods use); `RBAC` (upstream's RBAC over the stored
   * Roles and bindings, with the default bootstrap policy reconciled at start; `system:masters`
   * is cluster-admin through that policy). `k8ts init` runs kubeadm's `['Node', 'RBAC']`.
   * Default: AlwaysAllow.
   */
  readonly authorizationMode?: AuthorizationMode | readonly AuthorizationMode[];
  /** Optional admission plugins (`NodeRestriction`, as kubeadm enables it). Default: none. */
  readonly enableAdmissionPlugins?: readonly string[];
  /**
   * Default-on admission plugins to turn off (`ServiceAccount`, upstream's
   * `--disable-admission-plugins`). Default: none, so every pod create needs its service
   * account to exist, as upstream.
   */
  readonly disableAdmissionPlugins?: readonly string[];
  /** An authorizer to use instead of `authorizationMode` (tests). Default: none. */
  readonly authorizer?: Authorizer;
  /** Serve unauthenticated requests as system:anonymous. Default: true. */
  readonly allowAnonymous?: boolean;
  /** Idle time before a watch gets a BOOKMARK. Default: 10,000 ms. */
  readonly bookmarkIntervalMs?: number;
  /** Validation and defaulting. Default: the built-in rules. */
  readonly admit?: Admit;
  /**
   * DefaultTolerationSeconds admission: the not-ready / unreachable NoExecute tolerations a new
   * pod gets. Default 30 s each (upstream 300 s; see DEFAULT_TOLERATION_SECONDS).
   */
  readonly defaultTolerationSeconds?: DefaultTolerationSecondsOptions;
  readonly registry?: ResourceRegistry;
  readonly now?: () => Date;
  /** Receives unexpected errors (500s) for logging. Default: stderr. */
  readonly onInternalError?: (err: unknown) => void;
  /**
   * The IP this server is reached at, listed in the `default/kubernetes` Endpoints. Default:
   * `host`. Set `endpointReconciler: false` to leave those objects alone (tests).
   */
  readonly advertiseIp?: string;
  /** Service ClusterIPs come from here. Default: 10.96.0.0/12 (kubeadm's --service-cidr). */
  readonly serviceClusterIpRange?: string;
  /** NodePorts come from here. Default: 30000-32767. */
  readonly serviceNodePortRange?: { readonly min: number; readonly max: number };
  /** Create the system namespaces (default, kube-system, ...) at start. Default: true. */
  readonly bootstrapNamespaces?: boolean;
  /** Keep `default/kubernetes` listing the live API servers. Default: true. */
  readonly endpointReconciler?: boolean;
  /**
   * How pods' logs, exec, attach and port-forward reach node agents (kube-apiserver's
   * --kubelet-client-certificate/-key, --kubelet-certificate-authority,
   * --kubelet-preferred-address-types). Default: no client certificate, agents not verified.
   */
  readonly kubeletClient?: KubeletClientConfig;
  /** Renewal period of this server's endpoint lease. Default: 10,000 ms. */
  readonly endpointReconcileIntervalMs?: number;
  /** How long a silent server stays in the endpoints. Default: 15 s. */
  readonly endpointLeaseTtlSeconds?: number;
}

export class ApiServer {
  readonly #o: ApiServerOptions;
  readonly metrics = new ApiMetrics();
  #server: HttpServer | Http2SecureServer | undefined;
  readonly #sockets = new Set<Socket>();
  #stopping = false;
  #background = new AbortController();
  /** The port bound by the first start, so a restarted server comes back where clients expect it. */
  #boundPort: number | undefined;
  #reconciler: EndpointReconciler | undefined;
  #reconcilerDone: Promise<void> | undefined;
  #rbacDone: Promise<void> | undefined;
  #nodeAuthzDone: Promise<void> | undefined;
  #saAdmissionDone: Promise<void> | undefined;

  constructor(options: ApiServerOptions) {
    this.#o = options;
  }

  /** Starts listening; resolves with the bound address. */
  async start(): Promise<{ host: string; port: number; url: string }> {
    const o = this.#o;
    if (this.#server !== undefined) throw new Error('the API server is already started');
    this.#stopping = false;
    this.#background = new AbortController();
    const now = o.now ?? ((): Date => new Date());
    const store = new InstrumentedStore(o.store, this.metrics.storageLatency);
    const registry = o.registry ?? new ResourceRegistry(builtinResources(builtinStrategies()));
    const allocator = new ServiceAllocator(store, {
      ...(o.serviceClusterIpRange === undefined ? {} : { serviceCidr: o.serviceClusterIpRange }),
      ...(o.serviceNodePortRange === undefined ? {} : { nodePortRange: o.serviceNodePortRange }),
    });
    const resources = new ResourceStore({
      hooks: new Map([['/Service', serviceHooks(allocator)]]),
      store,
      admit: withDefaultTolerationSeconds(o.admit ?? admitObject, o.defaultTolerationSeconds),
      now,
    });
    const health = new HealthChecks({
      live: new Map([['ping', () => Promise.resolve()]]),
      ready: new Map([
        [
          'etcd',
          async () => {
            await store.currentRevision();
          },
        ],
        [
          'shutdown',
          () => (this.#stopping ? Promise.reject(new Error('shutting down')) : Promise.resolve()),
        ],
      ]),
    });
    const host = o.host ?? '127.0.0.1';
    const scheme = o.tls === undefined ? 'http' : 'https';
    const modes: readonly AuthorizationMode[] =
      o.authorizer !== undefined
        ? []
        : typeof o.authorizationMode === 'string'
          ? [o.authorizationMode]
          : (o.authorizationMode ?? ['AlwaysAllow']);
    const informerError =
      (what: string) =>
      (err: unknown): void => {
        process.stderr.write(
          `apiserver: ${what} informer: ${err instanceof Error ? err.message : String(err)}\n`,
        );
      };
    const rbac = modes.includes('RBAC')
      ? new RbacAuthorizer({ store, onError: informerError('rbac') })
      : undefined;
    // Parsed once: both the RBAC reconciler and the Node authorizer's rules read it.
    const policy = rbac !== undefined || modes.includes('Node') ? loadBootstrapPolicy() : undefined;
    const node =
      modes.includes('Node') && policy !== undefined
        ? nodeAuthorization(store, policy, informerError('node authorizer'))
        : undefined;
    const chain = modes.map((m) =>
      m === 'RBAC' && rbac !== undefined
        ? rbac
        : m === 'Node' && node !== undefined
          ? node.authorizer
          : new AlwaysAllow(),
    );
    const authorizer =
      o.authorizer ??
      (chain.length === 1 && chain[0] !== undefined ? chain[0] : new UnionAuthorizer(chain));
    const saAdmission = (o.disableAdmissionPlugins ?? []).includes('ServiceAccount')
      ? undefined
      : serviceAccountAdmission(
          store,
          resources,
          registry,
          informerError('serviceaccount admission'),
        );
    const tokens = await buildTokenServices(o, resourceStoreTokenObjects(resources, registry), now);
    const handler = new ApiHandler({
      services: {
        store,
        resources,
        registry,
        now,
        authorizer,
        bookmarkIntervalMs: o.bookmarkIntervalMs ?? 10_000,
        activeNamespaces: new Map(),
        tokens,
        ...(o.kubeletClient === undefined ? {} : { kubelet: o.kubeletClient }),
        admissionPlugins: new Set(o.enableAdmissionPlugins ?? []),
        ...(saAdmission === undefined ? {} : { serviceAccountAdmission: saAdmission.admission }),
      },
      authenticator: new AuthenticatorChain(
        [
          ...(o.authenticators ?? []),
          new ClientCertificateAuthenticator(),
          // As upstream, bearer tokens are read only when some token authenticator exists.
          ...(tokens.tokens.isEmpty
            ? []
            : [new BearerTokenAuthenticator(tokens.tokens, tokens.apiAudiences)]),
        ],
        o.allowAnonymous ?? true,
      ),
      authorizer,
      health,
      metrics: this.metrics,
      advertiseAddress: `${host}:${String(o.port ?? 6443)}`,
      onInternalError:
        o.onInternalError ??
        ((err: unknown) => {
          process.stderr.write(
            `apiserver: server error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
          );
        }),
    });
    const onRequest = (req: AnyRequest, res: AnyResponse): void => {
      void handler.handle(new Exchange(req, res));
    };
    const server =
      o.tls === undefined
        ? createHttpServer(onRequest)
        : createSecureServer(
            {
              allowHTTP1: true,
              cert: o.tls.cert,
              key: o.tls.key,
              ca: o.tls.clientCa,
              requestCert: true,
              rejectUnauthorized: false,
            },
            onRequest,
          );
    // HTTP/1.1 upgrade requests (exec, attach, port-forward) go through the same pipeline; a
    // handler takes the socket over, and an error is answered on it before it closes.
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (!(socket instanceof Socket)) {
        socket.destroy();
        return;
      }
      const res = new ServerResponse(req);
      res.shouldKeepAlive = false;
      res.assignSocket(socket);
      res.once('finish', () => {
        socket.end();
      });
      socket.on('error', () => socket.destroy());
      void handler.handle(new Exchange(req, res, { socket, head }));
    });
    this.#server = server;
    // Track connections so stop() can end keep-alive and HTTP/2 sessions (and their watches).
    server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
    server.on('secureConnection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#boundPort ?? o.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const port = (server.address() as AddressInfo).port;
    this.#boundPort = port;
    try {
      if (o.bootstrapNamespaces ?? true) await ensureSystemNamespaces(resources, registry);
      if (rbac !== undefined) {
        // Upstream's rbac/bootstrap-roles post-start hook; requests wait in the authorizer until
        // its informer has listed the result.
        await ensureBootstrapPolicy(resources, registry, policy);
        this.#rbacDone = rbac.run(this.#background.signal);
        await rbac.ready;
      }
      if (node !== undefined) {
        this.#nodeAuthzDone = node.run(this.#background.signal);
        await node.ready;
      }
      // Not awaited: until its first list, lookups read the store (and a store that is down at
      // start must not keep the server from serving what it can).
      if (saAdmission !== undefined)
        this.#saAdmissionDone = saAdmission.run(this.#background.signal);
    } catch (err: unknown) {
      // Leave nothing listening behind a failed start.
      await this.stop();
      throw err;
    }
    if (o.endpointReconciler ?? true) {
      const reconciler = new EndpointReconciler({
        store,
        resources,
        registry,
        advertiseIp: o.advertiseIp ?? host,
        serviceIp: allocator.apiServerServiceIp,
        securePort: port,
        ...(o.endpointReconcileIntervalMs === undefined
          ? {}
          : { intervalMs: o.endpointReconcileIntervalMs }),
        ...(o.endpointLeaseTtlSeconds === undefined
          ? {}
          : { ttlSeconds: o.endpointLeaseTtlSeconds }),
        onError: (err) => {
          process.stderr.write(
            `apiserver: endpoint reconciler: ${err instanceof Error ? err.message : String(err)}\n`,
          );
        },
      });
      this.#reconciler = reconciler;
      this.#reconcilerDone = reconciler.run(this.#background.signal);
    }
    return { host, port, url: `${scheme}://${host}:${String(port)}` };
  }

  /** Stops accepting, ends open streams, and resolves once the listener is closed. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#background.abort();
    await this.#reconcilerDone;
    await this.#rbacDone;
    await this.#nodeAuthzDone;
    await this.#saAdmissionDone;
    // Leave the endpoints at once on a graceful stop (a crash leaves them when the TTL expires).
    await this.#reconciler?.removeSelf().catch(() => undefined);
    const server = this.#server;
    if (server === undefined) return;
    this.#server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
      for (const socket of this.#sockets) socket.destroy();
      this.#sockets.clear();
    });
  }
}
