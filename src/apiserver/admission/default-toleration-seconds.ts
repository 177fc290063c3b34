/**
 * Upstream's DefaultTolerationSeconds admission plugin
 * (plugin/pkg/admission/defaulttolerationseconds): a pod created without a NoExecute toleration
 * for `node.kubernetes.io/not-ready` (or `unreachable`) gets one, `Exists` for a bounded time,
 * so the taint-eviction controller moves it off a failed node after that many seconds. A pod
 * that already tolerates the taint (any toleration with that key, or an empty key, and the
 * NoExecute or an empty effect) keeps its own. Applied on create only: upstream also applies it
 * on update, but k8ts's admission cannot tell a status write from a spec write, and the spec
 * must not change through pods/status.
 */
import type { JsonObject, JsonValue } from '../../api/json.ts';
import { isJsonObject } from '../../api/json.ts';
import type { ResourceDefinition } from '../../api/resource.ts';
import type { Admit } from '../registry/resource-store.ts';

export interface DefaultTolerationSecondsOptions {
  /**
   * `--default-not-ready-toleration-seconds`. Default 30 (upstream 300). Safe: see
   * DEFAULT_TOLERATION_SECONDS.
   */
  readonly notReadySeconds?: number | undefined;
  /** `--default-unreachable-toleration-seconds`. Default 30 (upstream 300). */
  readonly unreachableSeconds?: number | undefined;
}

/**
 * k8ts's default for both tolerations: 30 s (upstream 300 s). Evicting a pod from a silent node
 * starts a replacement while the original may still run behind a partition. That duplicate is
 * within what a ReplicaSet promises (at least, not exactly, N pods); a StatefulSet never gets
 * one, because its replacement has the same name and waits until the old pod object is gone;
 * a Job may run a pod twice, as it can upstream after 300 s. By the time it applies the node
 * has been silent for the grace period (20 s) plus 30 s, well past API-server and etcd
 * failovers and the blips the grace period absorbs. Pods that need longer set their own
 * toleration; upstream's value is one flag away.
 */
export const DEFAULT_TOLERATION_SECONDS = 30;
/** Upstream's default for both. */
export const UPSTREAM_TOLERATION_SECONDS = 300;

const NOT_READY = 'node.kubernetes.io/not-ready';
const UNREACHABLE = 'node.kubernetes.io/unreachable';

const str = (o: JsonObject, k: string): string => {
  const v = o[k];
  return typeof v === 'string' ? v : '';
};

/** Adds the missing default tolerations to a pod object in place. */
export function addDefaultTolerations(
  pod: JsonObject,
  options: DefaultTolerationSecondsOptions = {},
): void {
  const spec = pod['spec'];
  if (!isJsonObject(spec)) return;
  const raw = spec['tolerations'];
  const tolerations: JsonValue[] = Array.isArray(raw) ? [...raw] : [];
  const tolerates = (key: string): boolean =>
    tolerations.some((t) => {
      if (!isJsonObject(t)) return false;
      const k = str(t, 'key');
      const effect = str(t, 'effect');
      return (k === key || k === '') && (effect === 'NoExecute' || effect === '');
    });
  const add = (key: string, seconds: number): void => {
    tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds });
  };
  const notReady = !tolerates(NOT_READY);
  const unreachable = !tolerates(UNREACHABLE);
  if (notReady) add(NOT_READY, options.notReadySeconds ?? DEFAULT_TOLERATION_SECONDS);
  if (unreachable) add(UNREACHABLE, options.unreachableSeconds ?? DEFAULT_TOLERATION_SECONDS);
  if (notReady || unreachable) spec['tolerations'] = tolerations;
}

/** `admit` with the plugin in front of it for pod creates. */
export function withDefaultTolerationSeconds(
  admit: Admit,
  options: DefaultTolerationSecondsOptions = {},
): Admit {
  return (def: ResourceDefinition, obj: JsonObject, old: JsonObject | undefined) => {
    if (old === undefined && def.group === '' && def.kind === 'Pod')
      addDefaultTolerations(obj, options);
    return admit(def, obj, old);
  };
}
