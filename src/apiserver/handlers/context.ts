/**
 * What every resource handler gets: the exchange, the parsed request, the kind it addresses,
 * the authenticated user and the shared services. Handlers are functions of this context.
 */
import { groupVersion } from '../../api/resource.ts';
import type { ResourceDefinition } from '../../api/resource.ts';
import type { ResourceRegistry } from '../../api/resource-registry.ts';
import type { Store } from '../../storage/store.ts';
import type { ServiceAccountAdmission } from '../admission/service-account-admission.ts';
import type { TokenServices } from '../authn/token-authentication.ts';
import type { UserInfo } from '../authn/user-info.ts';
import type { Authorizer } from '../authz/authorizer.ts';
import type { Exchange } from '../http/exchange.ts';
import type { KubeletClientConfig } from '../kubelet/kubelet-client.ts';
import type { ResourceStore } from '../registry/resource-store.ts';
import { parseBool } from '../request-info.ts';
import type { ResourceRequestInfo } from '../request-info.ts';

/** Namespace name -> when it was last read Active (per API server process). */
export type NamespaceActiveCache = Map<string, number>;

export interface ApiServices {
  readonly store: Store;
  readonly resources: ResourceStore;
  readonly registry: ResourceRegistry;
  readonly now: () => Date;
  /** Answers access reviews (SelfSubjectAccessReview, SubjectAccessReview). */
  readonly authorizer: Authorizer;
  /** Idle time before a watch BOOKMARK (ms). */
  readonly bookmarkIntervalMs: number;
  /** Namespaces recently seen Active (NamespaceLifecycle admission). Default: no caching. */
  readonly activeNamespaces?: NamespaceActiveCache;
  /** Token authenticators (TokenReview) and the TokenRequest issuer. Default: none. */
  readonly tokens?: TokenServices;
  /** How pods' logs, exec, attach and port-forward reach node agents. Default: no client cert. */
  readonly kubelet?: KubeletClientConfig;
  /** Optional admission plugins turned on (`NodeRestriction`). Default: none. */
  readonly admissionPlugins?: ReadonlySet<string>;
  /** The ServiceAccount admission plugin for pod creates. Default: none (pods pass unchanged). */
  readonly serviceAccountAdmission?: ServiceAccountAdmission;
}

export interface ResourceContext {
  readonly ex: Exchange;
  readonly info: ResourceRequestInfo;
  readonly def: ResourceDefinition;
  readonly user: UserInfo;
  readonly services: ApiServices;
}

/** A boolean query flag as upstream parses it (`true`, `1`). */
export function queryFlag(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return parseBool(v);
}

/** `dryRun=All` (the only value upstream accepts besides none). */
export function isDryRun(q: URLSearchParams): boolean {
  return q.getAll('dryRun').includes('All');
}

/** The apiVersion and kind an endpoint expects, for bodies that leave them out. */
export function endpointKind(def: ResourceDefinition): { apiVersion: string; kind: string } {
  return { apiVersion: groupVersion(def), kind: def.kind };
}
