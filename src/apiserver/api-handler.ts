/**
 * The request pipeline: parse the request, authenticate, authorize, then dispatch to discovery,
 * health, version, OpenAPI or one verb handler. Every failure leaves as a Kubernetes Status with
 * upstream's code and reason — never a stack trace — and every request is counted in metrics.
 */
import type { ResourceRegistry } from '../api/resource-registry.ts';
import { verbsOf } from '../api/resource.ts';
import { ApiError, internalError, methodNotAllowed, pathNotFound } from '../api/status.ts';
import { versionInfo } from '../version.ts';
import type { AuthenticatorChain } from './authn/authenticator.ts';
import { impersonate } from './authn/impersonation.ts';
import type { Authorizer } from './authz/authorizer.ts';
import { forbiddenError } from './authz/forbidden.ts';
import {
  aggregatedDiscovery,
  apiGroupDocument,
  apiGroupList,
  apiResourceList,
  apiVersions,
  discoveryContentType,
  negotiateDiscovery,
} from './discovery.ts';
import type { ApiServices, ResourceContext } from './handlers/context.ts';
import { handleCreate } from './handlers/create.ts';
import { handleDeleteCollection } from './handlers/delete-collection.ts';
import { handleDelete } from './handlers/delete.ts';
import { handleGet } from './handlers/get.ts';
import { handleList } from './handlers/list.ts';
import { handlePatch } from './handlers/patch.ts';
import { handlePodConnect } from './handlers/pod-connect.ts';
import { handlePodLog } from './handlers/pod-log.ts';
import { handleUpdate } from './handlers/update.ts';
import { handleWatch } from './handlers/watch.ts';
import type { HealthChecks } from './health.ts';
import type { Exchange } from './http/exchange.ts';
import { CLIENT_CLOSED_REQUEST, ClientClosedError } from './http/client-closed-error.ts';
import type { ApiMetrics } from './metrics.ts';
import { OpenApiHandler } from './openapi-handler.ts';
import { CONNECT_SUBRESOURCES, parseRequestInfo } from './request-info.ts';

/** The pod subresources that open a stream to the pod's node agent. */
const POD_CONNECT_SUBRESOURCES: ReadonlySet<string> = new Set(['exec', 'attach', 'portforward']);
import type { ResourceRequestInfo } from './request-info.ts';

export interface ApiHandlerOptions {
  readonly services: ApiServices;
  readonly authenticator: AuthenticatorChain;
  readonly authorizer: Authorizer;
  readonly health: HealthChecks;
  readonly metrics: ApiMetrics;
  /** host:port clients should use, for `/api`'s serverAddressByClientCIDRs. */
  readonly advertiseAddress: string;
  /** Logs unexpected (500) errors; never receives request bodies. */
  readonly onInternalError?: (err: unknown) => void;
}

export class ApiHandler {
  readonly #o: ApiHandlerOptions;
  readonly #openapi: OpenApiHandler;
  constructor(options: ApiHandlerOptions) {
    this.#o = options;
    this.#openapi = new OpenApiHandler({
      registry: options.services.registry,
      now: options.services.now,
    });
  }

  async handle(ex: Exchange): Promise<void> {
    const info = parseRequestInfo(ex.method, ex.url.pathname, ex.url.searchParams);
    const done = this.#o.metrics.start(info);
    try {
      const authenticated = await this.#o.authenticator.authenticate(ex);
      // Impersonate-* headers switch the user once the authorizer allows it (upstream's order).
      const user = await impersonate(ex.headers, authenticated, this.#o.authorizer);
      const decision = await this.#o.authorizer.authorize(user, info);
      if (!decision.allowed) throw forbiddenError(user.name, info, decision.reason);
      if (info.isResourceRequest) await this.#resource(ex, info, user);
      else await this.#nonResource(ex, info.path);
    } catch (err: unknown) {
      if (err instanceof ClientClosedError || ex.isClientGone) {
        // The client left (mid-body, or while we waited on a store or an agent for it): routine,
        // no one to answer, nothing to log.
        ex.statusCode = CLIENT_CLOSED_REQUEST;
        ex.end();
        return;
      }
      const apiErr =
        err instanceof ApiError ? err : internalError('the server could not handle the request');
      if (!(err instanceof ApiError) || apiErr.code >= 500) this.#o.onInternalError?.(err);
      ex.sendError(apiErr);
      ex.end();
    } finally {
      done(ex.statusCode);
    }
  }

  async #resource(
    ex: Exchange,
    info: ResourceRequestInfo,
    user: ResourceContext['user'],
  ): Promise<void> {
    const { registry } = this.#o.services;
    const def = registry.byPath(info.group, info.version, info.resource);
    if (def === undefined) throw pathNotFound();
    if (
      info.subresource !== undefined &&
      !(def.subresources ?? []).includes(info.subresource as never)
    ) {
      throw pathNotFound();
    }
    if (!def.namespaced && info.namespace !== undefined) throw pathNotFound();
    const verb = info.verb;
    const ctx: ResourceContext = { ex, info, def, user, services: this.#o.services };
    if (info.subresource === 'log' && def.kind === 'Pod' && def.group === '') {
      if (verb !== 'get') throw methodNotAllowed(verb, { group: '', resource: 'pods/log' });
      return handlePodLog(ctx);
    }
    if (
      def.kind === 'Pod' &&
      def.group === '' &&
      info.subresource !== undefined &&
      POD_CONNECT_SUBRESOURCES.has(info.subresource)
    ) {
      // Upgradeable methods only (upstream's ConnectMethods: GET and POST).
      if (verb !== 'get' && verb !== 'create')
        throw methodNotAllowed(verb, { group: '', resource: `pods/${info.subresource}` });
      return handlePodConnect(ctx);
    }
    if (info.subresource !== undefined && CONNECT_SUBRESOURCES.has(info.subresource)) {
      // Proxy subresources are not served.
      throw methodNotAllowed(verb, {
        group: def.group,
        resource: `${def.plural}/${info.subresource}`,
      });
    }
    if (info.subresource === undefined && !verbsOf(def).includes(verb)) {
      throw methodNotAllowed(verb, { group: def.group, resource: def.plural });
    }
    switch (verb) {
      case 'get':
        return handleGet(ctx);
      case 'list':
        return handleList(ctx);
      case 'watch':
        return handleWatch(ctx);
      case 'create':
        return handleCreate(ctx);
      case 'update':
        return handleUpdate(ctx);
      case 'patch':
        return handlePatch(ctx);
      case 'delete':
        return handleDelete(ctx);
      case 'deletecollection':
        return handleDeleteCollection(ctx);
    }
  }

  async #nonResource(ex: Exchange, path: string): Promise<void> {
    const { registry } = this.#o.services;
    const clean = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
    if (ex.method !== 'GET' && ex.method !== 'HEAD') throw methodNotAllowed(ex.method);
    if (
      clean === '/healthz' ||
      clean === '/livez' ||
      clean === '/readyz' ||
      clean.startsWith('/healthz/') ||
      clean.startsWith('/livez/') ||
      clean.startsWith('/readyz/')
    ) {
      await this.#o.health.serve(ex, clean);
      return;
    }
    if (OpenApiHandler.handles(clean)) {
      await this.#openapi.serve(ex, clean);
      return;
    }
    switch (clean) {
      case '/version':
        ex.sendJson(200, versionInfo());
        return;
      case '/metrics':
        ex.sendText(200, await this.#o.metrics.render(), this.#o.metrics.contentType);
        return;
      case '/api':
        this.#discovery(ex, registry, true);
        return;
      case '/apis':
        this.#discovery(ex, registry, false);
        return;
    }
    const parts = clean.split('/').filter((p) => p !== '');
    let doc;
    if (parts[0] === 'api' && parts.length === 2)
      doc = apiResourceList(registry, '', parts[1] ?? '');
    else if (parts[0] === 'apis' && parts.length === 3)
      doc = apiResourceList(registry, parts[1] ?? '', parts[2] ?? '');
    else if (parts[0] === 'apis' && parts.length === 2)
      doc = apiGroupDocument(registry, parts[1] ?? '');
    if (doc === undefined) throw pathNotFound();
    ex.sendJson(200, doc);
  }

  #discovery(ex: Exchange, registry: ResourceRegistry, core: boolean): void {
    const format = negotiateDiscovery(ex.header('accept'));
    if (format !== 'legacy') {
      ex.sendJson(200, aggregatedDiscovery(registry, core, format), discoveryContentType(format));
      return;
    }
    ex.sendJson(200, core ? apiVersions(this.#o.advertiseAddress) : apiGroupList(registry));
  }
}
