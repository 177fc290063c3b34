/**
 * Server-side printing for `kubectl get`: negotiates `as=Table` from the Accept header and turns
 * objects into a meta.k8s.io/v1 Table with the kind's printer columns (upstream's default
 * Name/Created At columns when a kind has none). Each row carries the object's metadata as
 * PartialObjectMetadata, upstream's default for `includeObject`.
 */
import type { JsonObject } from '../api/json.ts';
import { objectField } from '../api/json.ts';
import { defaultTablePrinter, podRowConditions } from '../api/printers/index.ts';
import type { ResourceDefinition, TableColumn } from '../api/resource.ts';

export function wantsTable(accept: string | undefined): boolean {
  return (accept ?? '').split(',').some((p) => {
    const s = p.replace(/\s+/g, '');
    return s.includes('as=Table') && s.includes('g=meta.k8s.io');
  });
}

/** The Table version the client asked for first (kubectl lists v1, then v1beta1). */
function tableVersion(accept: string | undefined): string {
  for (const p of (accept ?? '').split(',')) {
    const s = p.replace(/\s+/g, '');
    if (s.includes('as=Table') && s.includes('g=meta.k8s.io')) {
      return s.includes('v=v1beta1') ? 'meta.k8s.io/v1beta1' : 'meta.k8s.io/v1';
    }
  }
  return 'meta.k8s.io/v1';
}

/** Upstream marks finished pods' rows `Completed` (kubectl hides them unless asked). */
function rowConditions(def: ResourceDefinition, obj: JsonObject): { conditions?: JsonObject[] } {
  if (def.kind !== 'Pod') return {};
  const conditions = podRowConditions(obj);
  return conditions === undefined ? {} : { conditions };
}

function columnDefinitions(columns: readonly TableColumn[]): JsonObject[] {
  return columns.map((c) => ({ ...c }));
}

export function toTable(
  def: ResourceDefinition,
  objects: readonly JsonObject[],
  listMeta: JsonObject,
  accept: string | undefined,
  now: Date,
  withColumns = true,
): JsonObject {
  const printer = def.strategy?.printer ?? defaultTablePrinter;
  return {
    kind: 'Table',
    apiVersion: tableVersion(accept),
    metadata: listMeta,
    columnDefinitions: withColumns ? columnDefinitions(printer.columns) : null,
    rows: objects.map((obj) => ({
      cells: printer.cells(obj, now),
      ...rowConditions(def, obj),
      object: {
        kind: 'PartialObjectMetadata',
        apiVersion: 'meta.k8s.io/v1',
        metadata: objectField(obj, 'metadata') ?? {},
      },
    })),
  };
}
