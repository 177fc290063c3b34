/**
 * The root-ca-cert-publisher controller (upstream's pkg/controller/certificates/
 * rootcacertpublisher/publisher.go): every namespace has the ConfigMap `kube-root-ca.crt` whose
 * `ca.crt` is the cluster CA bundle (what pods' `kube-api-access-*` volumes mount), created when
 * the namespace appears, re-created when deleted, and put back when its data is edited or its
 * `kubernetes.io/description` annotation removed (other labels and annotations are kept, as
 * upstream). Level-based: a namespace key is synced from the informers' state. Creates refused
 * because the namespace is gone or terminating are dropped, as upstream.
 * Wiring: `rootCaCertPublisherController` (the built-in table's entry) publishes the file named
 * by `--root-ca-file`, else the CA of the manager's kubeconfig (upstream's fallback).
 */
import { readFile } from 'node:fs/promises';
import type { ConfigMap, Namespace } from 'kubernetes-types/core/v1.d.ts';
import {
  DeletedFinalStateUnknown,
  RateLimitingQueue,
  isNamespaceTerminating,
  isNotFound,
  runControllerLoop,
} from '../../client/index.ts';
import type { Controller, ControllerContext, ControllerFactory } from '../controller.ts';
import { RESOURCES } from '../controller.ts';
import { controllerManagerConfig } from '../controller-manager-config.ts';

export const ROOT_CA_CERT_PUBLISHER_NAME = 'root-ca-cert-publisher';
/** upstream's RootCACertConfigMapName. */
export const ROOT_CA_CONFIG_MAP = 'kube-root-ca.crt';
export const DESCRIPTION_ANNOTATION = 'kubernetes.io/description';
/** upstream's Description, word for word. */
export const ROOT_CA_DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. ' +
  'No other usage is guaranteed across distributions of Kubernetes clusters.';

export interface RootCaCertPublisherOptions {
  /** The PEM bundle to publish as `ca.crt`; read once when the controller starts. */
  readonly loadRootCa: () => Promise<string>;
  /** Namespaces synced at once. Default: 1 (upstream runs one worker). */
  readonly workers?: number | undefined;
}

/**
 * What the publisher must write for `namespace`'s current ConfigMap: `create`, the `update`d
 * object, or `none` when it already matches. Pure.
 */
export function desiredRootCaConfigMap(
  namespace: string,
  current: ConfigMap | undefined,
  rootCa: string,
): { action: 'create' | 'update'; configMap: ConfigMap } | { action: 'none' } {
  const data = { 'ca.crt': rootCa };
  if (current === undefined) {
    return {
      action: 'create',
      configMap: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: ROOT_CA_CONFIG_MAP,
          namespace,
          annotations: { [DESCRIPTION_ANNOTATION]: ROOT_CA_DESCRIPTION },
        },
        data,
      },
    };
  }
  // As upstream: data must be exactly {ca.crt}, and any non-empty description is kept as written.
  const have = current.data ?? {};
  const sameData = Object.keys(have).length === 1 && have['ca.crt'] === rootCa;
  const described = (current.metadata?.annotations?.[DESCRIPTION_ANNOTATION] ?? '') !== '';
  if (sameData && described) return { action: 'none' };
  return {
    action: 'update',
    configMap: {
      ...current,
      metadata: {
        ...current.metadata,
        annotations: {
          ...current.metadata?.annotations,
          [DESCRIPTION_ANNOTATION]: ROOT_CA_DESCRIPTION,
        },
      },
      data,
    },
  };
}

/** upstream's readCA: the bundle must hold at least one PEM certificate. */
export function checkRootCaBundle(pem: string, source: string): string {
  if (!/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.test(pem))
    throw new Error(
      `error parsing root-ca-file at ${source}: data does not contain any valid RSA or ECDSA certificates`,
    );
  return pem;
}

export class RootCaCertPublisher implements Controller {
  readonly name = ROOT_CA_CERT_PUBLISHER_NAME;
  readonly #ctx: ControllerContext;
  readonly #o: RootCaCertPublisherOptions;
  readonly #queue: RateLimitingQueue<string>;
  #rootCa: string | undefined;

  constructor(ctx: ControllerContext, options: RootCaCertPublisherOptions) {
    this.#ctx = ctx;
    this.#o = options;
    this.#queue = new RateLimitingQueue<string>({ clock: ctx.clock });
  }

  async run(signal: AbortSignal): Promise<void> {
    this.#rootCa = await this.#o.loadRootCa();
    const namespaces = this.#ctx.informers.informerFor<Namespace>(RESOURCES.namespaces);
    const configMaps = this.#ctx.informers.informerFor<ConfigMap>(RESOURCES.configMaps);
    const enqueueCm = (obj: ConfigMap | DeletedFinalStateUnknown<ConfigMap>): void => {
      const cm = obj instanceof DeletedFinalStateUnknown ? obj.obj : obj;
      const ns = cm.metadata?.namespace;
      if (cm.metadata?.name === ROOT_CA_CONFIG_MAP && ns !== undefined) this.#queue.add(ns);
    };
    const regs = [
      namespaces.addEventHandler({
        onAdd: (ns) => {
          if (ns.metadata?.name !== undefined) this.#queue.add(ns.metadata.name);
        },
        onUpdate: (_old, ns) => {
          // As upstream: a namespace that is not Active gets nothing new.
          if (ns.status?.phase !== 'Active' || ns.metadata?.name === undefined) return;
          this.#queue.add(ns.metadata.name);
        },
      }),
      configMaps.addEventHandler({
        onUpdate: (_old, cm) => {
          enqueueCm(cm);
        },
        onDelete: enqueueCm,
      }),
    ];
    try {
      await runControllerLoop({
        queue: this.#queue,
        workers: this.#o.workers ?? 1,
        informers: [namespaces, configMaps],
        signal,
        reconcile: (ns, s) => this.sync(ns, s),
        onError: (err, ns) => {
          this.#ctx.log('warn', 'syncing kube-root-ca.crt failed; retrying', {
            namespace: ns,
            error: err instanceof Error ? err.message : String(err),
          });
        },
      });
    } finally {
      for (const r of regs) r.remove();
    }
  }

  /** Makes `namespace`'s kube-root-ca.crt what it should be (upstream's syncNamespace). */
  async sync(namespace: string, signal: AbortSignal): Promise<void> {
    const rootCa = this.#rootCa;
    if (rootCa === undefined) throw new Error('the root CA is not loaded');
    const ns = this.#ctx.informers
      .informerFor<Namespace>(RESOURCES.namespaces)
      .indexer.getByKey(namespace);
    if (ns === undefined) return;
    const current = this.#ctx.informers
      .informerFor<ConfigMap>(RESOURCES.configMaps)
      .indexer.getByKey(`${namespace}/${ROOT_CA_CONFIG_MAP}`);
    const want = desiredRootCaConfigMap(namespace, current, rootCa);
    const ref = { ...RESOURCES.configMaps, namespace };
    switch (want.action) {
      case 'none':
        return;
      case 'create':
        try {
          await this.#ctx.client.create<ConfigMap>(ref, want.configMap, { signal });
        } catch (err: unknown) {
          // Don't retry a create in a namespace that is gone or terminating (as upstream).
          if (isNotFound(err) || isNamespaceTerminating(err)) return;
          throw err;
        }
        return;
      case 'update':
        // A stale cache makes this a 409 Conflict: the error requeues and the next sync sees
        // the newer object.
        await this.#ctx.client.update<ConfigMap>(
          { ...ref, name: ROOT_CA_CONFIG_MAP },
          want.configMap,
          { signal },
        );
        return;
    }
  }
}

/**
 * The `root-ca-cert-publisher` entry of the built-in controller table: publishes the file named
 * by `--root-ca-file` (read when the controller starts), else the manager's kubeconfig CA.
 * With neither it only logs, since there is nothing to publish.
 */
export const rootCaCertPublisherController: ControllerFactory = (ctx) => {
  const config = controllerManagerConfig(ctx);
  const file = config.rootCaFile;
  const fallback = config.clientCaPem;
  if ((file === undefined || file === '') && (fallback === undefined || fallback === '')) {
    return {
      name: ROOT_CA_CERT_PUBLISHER_NAME,
      run: () => {
        ctx.log('info', 'skipping root-ca-cert-publisher: no --root-ca-file and no kubeconfig CA');
        return Promise.resolve();
      },
    };
  }
  return new RootCaCertPublisher(ctx, {
    loadRootCa: async () =>
      file === undefined || file === ''
        ? checkRootCaBundle(fallback ?? '', 'the kubeconfig')
        : checkRootCaBundle(await readFile(file, 'utf8'), file),
  });
};
