/**
 * The files of a configMap or secret volume (or projection), as upstream's configmap and secret
 * MakePayload: without items every key becomes a file with `defaultMode`; with items only the
 * listed keys, at their `path`, with their `mode` or `defaultMode`. A listed key that does not
 * exist fails with upstream's message unless the source is optional (then it is skipped).
 * Pure: the caller has read the object; the paths are validated by the atomic writer.
 */
import type { ConfigMap, KeyToPath, Secret } from 'kubernetes-types/core/v1.d.ts';
import type { FileProjection } from './atomic-writer.ts';

/** The API's default for configMap, secret, projected and downwardAPI volumes (0644). */
export const DEFAULT_VOLUME_MODE = 0o644;

export class VolumePayloadError extends Error {
  readonly code = 'AGENT_VOLUME_PAYLOAD';
  constructor(message: string) {
    super(message);
    this.name = 'VolumePayloadError';
  }
}

function payload(
  data: ReadonlyMap<string, Buffer>,
  items: readonly KeyToPath[] | undefined,
  defaultMode: number,
  optional: boolean,
  missingKey: (key: string) => string,
): Map<string, FileProjection> {
  const out = new Map<string, FileProjection>();
  if (items === undefined || items.length === 0) {
    for (const [k, v] of data) out.set(k, { data: v, mode: defaultMode });
    return out;
  }
  for (const item of items) {
    const v = data.get(item.key);
    if (v === undefined) {
      if (optional) continue;
      throw new VolumePayloadError(missingKey(item.key));
    }
    out.set(item.path, { data: v, mode: item.mode ?? defaultMode });
  }
  return out;
}

/** `data` (UTF-8 text) and `binaryData` (base64 in JSON) of a ConfigMap, as bytes. */
function configMapData(cm: ConfigMap | undefined): Map<string, Buffer> {
  return new Map([
    ...Object.entries(cm?.data ?? {}).map(([k, s]): [string, Buffer] => [k, Buffer.from(s)]),
    ...Object.entries(cm?.binaryData ?? {}).map(([k, s]): [string, Buffer] => [
      k,
      Buffer.from(s, 'base64'),
    ]),
  ]);
}

/** A Secret's `data` (base64 in JSON) as bytes; `stringData` is write-only and never stored. */
function secretData(secret: Secret | undefined): Map<string, Buffer> {
  return new Map(
    Object.entries(secret?.data ?? {}).map(([k, v]): [string, Buffer] => [
      k,
      Buffer.from(v, 'base64'),
    ]),
  );
}

export function configMapPayload(
  cm: ConfigMap | undefined,
  items: readonly KeyToPath[] | undefined,
  defaultMode: number,
  optional: boolean,
): Map<string, FileProjection> {
  return payload(
    configMapData(cm),
    items,
    defaultMode,
    optional,
    (key) => `configmap references non-existent config key: ${key}`,
  );
}

export function secretPayload(
  secret: Secret | undefined,
  items: readonly KeyToPath[] | undefined,
  defaultMode: number,
  optional: boolean,
): Map<string, FileProjection> {
  return payload(
    secretData(secret),
    items,
    defaultMode,
    optional,
    (key) => `references non-existent secret key: ${key}`,
  );
}
