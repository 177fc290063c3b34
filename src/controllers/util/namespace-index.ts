/**
 * Shared informers are shared: the first controller to need the `namespace` index adds it,
 * later ones find it there. Listing one namespace's pods is then an index lookup.
 */
import { NAMESPACE_INDEX, NODE_NAME_INDEX, byNamespace, byNodeName } from '../../client/index.ts';
import type { KubeObject, SharedInformer } from '../../client/index.ts';

export function ensureNamespaceIndex<T extends KubeObject>(informer: SharedInformer<T>): void {
  try {
    informer.indexer.addIndexers({ [NAMESPACE_INDEX]: byNamespace });
  } catch {
    // Already added (by this or another controller): the index is the same function.
  }
}

export function listInNamespace<T extends KubeObject>(
  informer: SharedInformer<T>,
  namespace: string,
): T[] {
  return informer.indexer.byIndex(NAMESPACE_INDEX, namespace);
}

/** The same for the `nodeName` index of the pod informer. */
export function ensureNodeNameIndex<T extends KubeObject & { spec?: { nodeName?: string } }>(
  informer: SharedInformer<T>,
): void {
  try {
    informer.indexer.addIndexers({ [NODE_NAME_INDEX]: byNodeName });
  } catch {
    // Already added.
  }
}

export function listOnNode<T extends KubeObject>(informer: SharedInformer<T>, node: string): T[] {
  return informer.indexer.byIndex(NODE_NAME_INDEX, node);
}
