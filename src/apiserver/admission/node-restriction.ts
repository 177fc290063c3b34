/**
 * Upstream's NodeRestriction admission plugin (plugin/pkg/admission/noderestriction, v1.33) for
 * the kinds k8ts serves: a node's credentials may write only its own Node (no taint changes, no
 * labels under kubernetes.io/k8s.io but kubelet's own, none under node-restriction.kubernetes.io,
 * no configSource), its own Lease in kube-node-lease, the status of pods bound to it (labels
 * unchanged), mirror pods bound to it (owned by its Node, using no Secret, ConfigMap, service
 * account or claim), and may delete or evict only pods bound to it, and ask tokens only for
 * service accounts of pods bound to it. Every refusal is a 403 Forbidden naming the rule.
 * Requests from anyone else pass untouched.
 */
import type { JsonObject } from '../../api/json.ts';
import { isJsonObject, objectField, stringField } from '../../api/json.ts';
import type { ResourceDefinition } from '../../api/resource.ts';
import { ApiError } from '../../api/status.ts';
import {
  inLabelDomain,
  isKubeletLabel,
  isKubernetesLabelNamespace,
  labelNamespace,
} from '../../api/validation/kubelet-labels.ts';
import { nodeIdentity } from '../authz/node-authorizer/node-authorizer.ts';
import type { UserInfo } from '../authn/user-info.ts';
import type { ResourceRequestInfo } from '../request-info.ts';
import { podReferences } from '../authz/node-authorizer/pod-references.ts';

export const NODE_RESTRICTION = 'NodeRestriction';
const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';

/** getForbiddenLabels over the keys added, removed or changed between `next` and `old`. */
export function forbiddenNodeLabels(
  next: Readonly<Record<string, string>>,
  old: Readonly<Record<string, string>>,
): string[] {
  const modified = new Set<string>();
  for (const [k, v] of Object.entries(next)) if (old[k] !== v) modified.add(k);
  for (const [k, v] of Object.entries(old)) if (next[k] !== v) modified.add(k);
  return [...modified]
    .filter((key) => {
      const ns = labelNamespace(key);
      if (inLabelDomain(ns, 'node-restriction.kubernetes.io')) return true;
      return isKubernetesLabelNamespace(ns) && !isKubeletLabel(key);
    })
    .sort();
}

function forbiddenError(def: ResourceDefinition, name: string, message: string): ApiError {
  const what = def.group === '' ? def.plural : `${def.plural}.${def.group}`;
  return new ApiError(403, 'Forbidden', `${what} "${name}" is forbidden: ${message}`, {
    name,
    group: def.group,
    kind: def.plural,
  });
}

function labels(obj: JsonObject | undefined): Record<string, string> {
  const l = objectField(objectField(obj ?? {}, 'metadata') ?? {}, 'labels') ?? {};
  return Object.fromEntries(
    Object.entries(l).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
}

function nodeNameOfPod(pod: JsonObject | undefined): string {
  return stringField(objectField(pod ?? {}, 'spec') ?? {}, 'nodeName') ?? '';
}

function nameOf(obj: JsonObject | undefined): string {
  return stringField(objectField(obj ?? {}, 'metadata') ?? {}, 'name') ?? '';
}

/** The restriction for one request: undefined when the user is not a node. */
export class NodeRestriction {
  readonly node: string;
  readonly #def: ResourceDefinition;
  readonly #info: ResourceRequestInfo;

  private constructor(node: string, def: ResourceDefinition, info: ResourceRequestInfo) {
    this.node = node;
    this.#def = def;
    this.#info = info;
  }

  /** Throws 403 for a node user without a node name (upstream: "could not determine node"). */
  static for(
    user: UserInfo,
    def: ResourceDefinition,
    info: ResourceRequestInfo,
  ): NodeRestriction | undefined {
    const { isNode, nodeName } = nodeIdentity(user);
    if (!isNode) return undefined;
    if (nodeName === '')
      throw forbiddenError(
        def,
        info.name ?? '',
        `could not determine node from user "${user.name}"`,
      );
    return new NodeRestriction(nodeName, def, info);
  }

  #deny(name: string, message: string): never {
    throw forbiddenError(this.#def, name, message);
  }

  /** Create or update: `current` is undefined on create. Runs on the object about to be stored. */
  checkWrite(next: JsonObject, current: JsonObject | undefined): void {
    const def = this.#def;
    const sub = this.#info.subresource ?? '';
    const name = nameOf(next);
    if (def.group === '' && def.kind === 'Pod') {
      if (sub === '') {
        if (current !== undefined)
          this.#deny(
            name,
            `unexpected operation "UPDATE", node "${this.node}" can only create and delete mirror pods`,
          );
        this.#checkMirrorPod(next);
      } else if (sub === 'status') {
        if (current === undefined) this.#deny(name, 'unexpected operation "CREATE"');
        if (nodeNameOfPod(current) !== this.node)
          this.#deny(
            name,
            `node "${this.node}" can only update pod status for pods with spec.nodeName set to itself`,
          );
        if (JSON.stringify(labels(next)) !== JSON.stringify(labels(current)))
          this.#deny(name, `node "${this.node}" cannot update labels through pod status`);
      } else {
        this.#deny(
          name,
          `unexpected pod subresource "${sub}", only 'status' and 'eviction' are allowed`,
        );
      }
    } else if (def.group === '' && def.kind === 'Node') {
      this.#checkNode(next, current);
    } else if (def.group === 'coordination.k8s.io' && def.kind === 'Lease') {
      if (this.#info.namespace !== 'kube-node-lease')
        this.#deny(name, 'can only access leases in the "kube-node-lease" system namespace');
      if (name !== this.node)
        this.#deny(name, 'can only access node lease with the same name as the requesting node');
    } else if (def.group === '' && def.kind === 'PersistentVolumeClaim') {
      if (sub !== 'status') this.#deny(name, 'may only update PVC status');
    }
  }

  /** Delete: `current` is the stored object. */
  checkDelete(current: JsonObject): void {
    const def = this.#def;
    const name = nameOf(current);
    if (def.group === '' && def.kind === 'Pod' && nodeNameOfPod(current) !== this.node)
      this.#deny(name, `node "${this.node}" can only delete pods with spec.nodeName set to itself`);
    if (def.group === '' && def.kind === 'Node' && name !== this.node)
      this.#deny(name, `node "${this.node}" is not allowed to modify node "${name}"`);
    if (def.group === 'coordination.k8s.io' && def.kind === 'Lease' && name !== this.node)
      this.#deny(name, 'can only access node lease with the same name as the requesting node');
  }

  /** An eviction of `pod` (the stored pod). */
  checkEviction(pod: JsonObject): void {
    if (nodeNameOfPod(pod) !== this.node)
      this.#deny(
        nameOf(pod),
        `node ${this.node} can only evict pods with spec.nodeName set to itself`,
      );
  }

  /** A TokenRequest: it must be bound to a pod (`pod`, the stored one) running on this node. */
  checkTokenRequest(request: JsonObject, pod: JsonObject | undefined): void {
    const name = this.#info.name ?? '';
    const ref = objectField(objectField(request, 'spec') ?? {}, 'boundObjectRef');
    if (
      ref === undefined ||
      stringField(ref, 'apiVersion') !== 'v1' ||
      stringField(ref, 'kind') !== 'Pod' ||
      (stringField(ref, 'name') ?? '') === ''
    )
      this.#deny(name, 'node requested token not bound to a pod');
    const uid = stringField(ref, 'uid') ?? '';
    if (uid === '') this.#deny(name, 'node requested token with a pod binding without a uid');
    if (pod === undefined) this.#deny(name, 'the bound pod does not exist');
    const podUid = stringField(objectField(pod, 'metadata') ?? {}, 'uid');
    if (podUid !== uid)
      this.#deny(
        name,
        `the UID in the bound object reference (${uid}) does not match the UID in record. The object might have been deleted and then recreated`,
      );
    if (nodeNameOfPod(pod) !== this.node)
      this.#deny(name, 'node requested token bound to a pod scheduled on a different node');
  }

  /** The mirror-pod owner must be this node's Node with its current `nodeUid`. */
  checkMirrorPodOwner(pod: JsonObject, nodeUid: string | undefined): void {
    const owners = objectField(pod, 'metadata')?.['ownerReferences'];
    const owner = Array.isArray(owners) && isJsonObject(owners[0]) ? owners[0] : undefined;
    if (owner === undefined) return; // checkMirrorPod refuses it
    if (nodeUid === undefined) this.#deny(nameOf(pod), `node ${this.node} does not exist`);
    const uid = stringField(owner, 'uid') ?? '';
    if (uid !== nodeUid)
      this.#deny(nameOf(pod), `node ${this.node} UID mismatch: expected ${nodeUid} got ${uid}`);
  }

  #checkMirrorPod(pod: JsonObject): void {
    const name = nameOf(pod);
    const annotations = objectField(objectField(pod, 'metadata') ?? {}, 'annotations') ?? {};
    if (annotations[MIRROR_POD_ANNOTATION] === undefined)
      this.#deny(
        name,
        `pod does not have "${MIRROR_POD_ANNOTATION}" annotation, node "${this.node}" can only create mirror pods`,
      );
    if (nodeNameOfPod(pod) !== this.node)
      this.#deny(name, `node "${this.node}" can only create pods with spec.nodeName set to itself`);
    const owners = objectField(pod, 'metadata')?.['ownerReferences'];
    const list = Array.isArray(owners) ? owners : [];
    if (list.length > 1)
      this.#deny(
        name,
        `node "${this.node}" can only create pods with a single owner reference set to itself`,
      );
    const owner = isJsonObject(list[0]) ? list[0] : undefined;
    if (owner === undefined)
      this.#deny(
        name,
        `node "${this.node}" can only create pods with an owner reference set to itself`,
      );
    if (owner['apiVersion'] !== 'v1' || owner['kind'] !== 'Node' || owner['name'] !== this.node)
      this.#deny(
        name,
        `node "${this.node}" can only create pods with an owner reference set to itself`,
      );
    if (owner['controller'] !== true)
      this.#deny(
        name,
        `node "${this.node}" can only create pods with a controller owner reference set to itself`,
      );
    if (owner['blockOwnerDeletion'] === true)
      this.#deny(name, `node "${this.node}" must not set blockOwnerDeletion on an owner reference`);
    const refs = podReferences(pod);
    const spec = objectField(pod, 'spec') ?? {};
    if ((stringField(spec, 'serviceAccountName') ?? '') !== '')
      this.#deny(name, `node "${this.node}" can not create pods that reference a service account`);
    if (refs.secrets.length > 0)
      this.#deny(name, `node "${this.node}" can not create pods that reference secrets`);
    if (refs.configMaps.length > 0)
      this.#deny(name, `node "${this.node}" can not create pods that reference configmaps`);
    if (refs.pvcs.length > 0)
      this.#deny(
        name,
        `node "${this.node}" can not create pods that reference persistentvolumeclaims`,
      );
  }

  #checkNode(next: JsonObject, current: JsonObject | undefined): void {
    const name = nameOf(next);
    if (name !== this.node)
      this.#deny(name, `node "${this.node}" is not allowed to modify node "${name}"`);
    const spec = objectField(next, 'spec') ?? {};
    const oldSpec = objectField(current ?? {}, 'spec') ?? {};
    if (current === undefined) {
      if (spec['configSource'] !== undefined && spec['configSource'] !== null)
        this.#deny(
          name,
          `node "${this.node}" is not allowed to create pods with a non-nil configSource`,
        );
      const forbidden = forbiddenNodeLabels(labels(next), {});
      if (forbidden.length > 0)
        this.#deny(
          name,
          `node "${this.node}" is not allowed to set the following labels: ${forbidden.join(', ')}`,
        );
      return;
    }
    const source = spec['configSource'];
    if (
      source !== undefined &&
      source !== null &&
      JSON.stringify(source) !== JSON.stringify(oldSpec['configSource'] ?? null)
    )
      this.#deny(
        name,
        `node "${this.node}" is not allowed to update configSource to a new non-nil configSource`,
      );
    if (JSON.stringify(spec['taints'] ?? []) !== JSON.stringify(oldSpec['taints'] ?? []))
      this.#deny(name, `node "${this.node}" is not allowed to modify taints`);
    const forbidden = forbiddenNodeLabels(labels(next), labels(current));
    if (forbidden.length > 0)
      this.#deny(name, `is not allowed to modify labels: ${forbidden.join(', ')}`);
  }
}
