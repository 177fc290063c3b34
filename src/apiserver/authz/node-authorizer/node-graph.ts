/**
 * The Node authorizer's graph, simplified to what k8ts stores: which node each bound pod runs
 * on, and which Secrets, ConfigMaps, ServiceAccount and PersistentVolumeClaims each such pod
 * uses. `hasPath(node, type, ns, name)` answers upstream's question "is there a path from this
 * object to this node" in O(1) through reference counts (upstream walks a gonum graph; here
 * every path has length 1 or 2, object -> pod -> node). Not modelled (upstream has them):
 * PersistentVolumes behind claims, VolumeAttachments, ResourceClaims, Node.spec.configSource.
 * Pods without `spec.nodeName` are not in the graph, as upstream.
 */
import type { JsonObject } from '../../../api/json.ts';
import { isJsonObject } from '../../../api/json.ts';
import { podReferences } from './pod-references.ts';

export type VertexType = 'pod' | 'secret' | 'configmap' | 'serviceaccount' | 'pvc';

interface PodEntry {
  readonly node: string;
  /** `type/namespace/name` of everything the pod (and the pod itself) links to the node. */
  readonly vertices: readonly string[];
}

function vertexKey(type: VertexType, namespace: string, name: string): string {
  return `${type}/${namespace}/${name}`;
}

function meta(pod: JsonObject): { namespace: string; name: string; nodeName: string } {
  const m = isJsonObject(pod['metadata']) ? pod['metadata'] : {};
  const s = isJsonObject(pod['spec']) ? pod['spec'] : {};
  const text = (o: JsonObject, k: string): string => {
    const v = o[k];
    return typeof v === 'string' ? v : '';
  };
  return { namespace: text(m, 'namespace'), name: text(m, 'name'), nodeName: text(s, 'nodeName') };
}

export class NodeGraph {
  /** `namespace/name` of a bound pod -> its entry. */
  readonly #pods = new Map<string, PodEntry>();
  /** vertex key -> node -> number of pods on that node that link it. */
  readonly #edges = new Map<string, Map<string, number>>();

  get podCount(): number {
    return this.#pods.size;
  }

  /** Adds or replaces a pod (an unbound or finished-being-bound pod is removed). */
  putPod(pod: JsonObject): void {
    const { namespace, name, nodeName } = meta(pod);
    this.deletePod(namespace, name);
    if (nodeName === '' || name === '') return;
    const refs = podReferences(pod);
    const vertices = [
      vertexKey('pod', namespace, name),
      ...refs.secrets.map((s) => vertexKey('secret', namespace, s)),
      ...refs.configMaps.map((c) => vertexKey('configmap', namespace, c)),
      ...refs.pvcs.map((p) => vertexKey('pvc', namespace, p)),
      ...(refs.serviceAccount === undefined
        ? []
        : [vertexKey('serviceaccount', namespace, refs.serviceAccount)]),
    ];
    this.#pods.set(`${namespace}/${name}`, { node: nodeName, vertices });
    for (const v of vertices) {
      let byNode = this.#edges.get(v);
      if (byNode === undefined) {
        byNode = new Map();
        this.#edges.set(v, byNode);
      }
      byNode.set(nodeName, (byNode.get(nodeName) ?? 0) + 1);
    }
  }

  deletePod(namespace: string, name: string): void {
    const key = `${namespace}/${name}`;
    const entry = this.#pods.get(key);
    if (entry === undefined) return;
    this.#pods.delete(key);
    for (const v of entry.vertices) {
      const byNode = this.#edges.get(v);
      const count = byNode?.get(entry.node) ?? 0;
      if (byNode === undefined) continue;
      if (count <= 1) byNode.delete(entry.node);
      else byNode.set(entry.node, count - 1);
      if (byNode.size === 0) this.#edges.delete(v);
    }
  }

  clear(): void {
    this.#pods.clear();
    this.#edges.clear();
  }

  /** True if the object is a pod bound to `node` or is used by one. */
  hasPath(node: string, type: VertexType, namespace: string, name: string): boolean {
    return (this.#edges.get(vertexKey(type, namespace, name))?.get(node) ?? 0) > 0;
  }

  /** The node a pod is bound to, if the graph has it. */
  nodeOfPod(namespace: string, name: string): string | undefined {
    return this.#pods.get(`${namespace}/${name}`)?.node;
  }
}
