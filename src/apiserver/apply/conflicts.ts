/**
 * Apply conflicts: fields an apply would change that other managers own. As an API error
 * (upstream's internal.NewConflictError) it is a 409 Conflict whose message names each manager
 * as `"kubectl-set" using apps/v1` (Update entries) or `"kubectl"` (Apply entries), with
 * `with subresource "status"` where it applies, and whose details carry one
 * FieldManagerConflict cause per field. Conflicts are listed by manager identifier, then in
 * the set's path order (upstream iterates a Go map there, so its order varies).
 */
import { isJsonObject } from '../../api/json.ts';
import { ApiError } from '../../api/status.ts';
import type { StatusCause } from '../../api/status.ts';
import { goQuote } from '../../api/validation/go-format.ts';
import { FieldSet } from './field-set.ts';
import type { Path } from './path-element.ts';
import { pathString } from './path-element.ts';

export interface Conflict {
  /** The manager identifier (see managed-fields.ts). */
  readonly manager: string;
  readonly path: Path;
}

export class ApplyConflictError extends Error {
  readonly code = 'APPLY_CONFLICT';
  readonly conflicts: readonly Conflict[];

  /** From the conflicting field sets by manager identifier, or from a list of conflicts. */
  constructor(source: ReadonlyMap<string, FieldSet> | readonly Conflict[]) {
    const conflicts: Conflict[] = [];
    if (isConflictList(source)) conflicts.push(...source);
    else {
      const managers = [...source.keys()].sort();
      for (const manager of managers) {
        for (const path of source.get(manager)?.paths() ?? []) conflicts.push({ manager, path });
      }
    }
    super(conflictMessage(conflicts));
    this.name = 'ApplyConflictError';
    this.conflicts = conflicts;
  }

  /** Every conflicting path in one set. */
  toSet(): FieldSet {
    return FieldSet.of(...this.conflicts.map((c) => c.path));
  }

  /** The conflicts whose path is not in `allowed`; undefined when none are left. */
  without(allowed: FieldSet): ApplyConflictError | undefined {
    const left = this.conflicts.filter((c) => !allowed.has(c.path));
    return left.length === 0 ? undefined : new ApplyConflictError(left);
  }

  toApiError(): ApiError {
    const causes: StatusCause[] = this.conflicts.map((c) => ({
      reason: 'FieldManagerConflict',
      message: `conflict with ${printManager(c.manager)}`,
      field: pathString(c.path),
    }));
    return new ApiError(409, 'Conflict', this.message, { causes }, { cause: this });
  }
}

function isConflictList(
  source: ReadonlyMap<string, FieldSet> | readonly Conflict[],
): source is readonly Conflict[] {
  return Array.isArray(source);
}

function conflictMessage(conflicts: readonly Conflict[]): string {
  const first = conflicts[0];
  if (conflicts.length === 1 && first !== undefined) {
    return `Apply failed with 1 conflict: conflict with ${printManager(first.manager)}: ${pathString(first.path)}`;
  }
  const byManager = new Map<string, Path[]>();
  for (const c of conflicts) {
    const paths = byManager.get(c.manager) ?? [];
    paths.push(c.path);
    byManager.set(c.manager, paths);
  }
  const lines: string[] = [];
  for (const manager of [...byManager.keys()].sort()) {
    lines.push(`conflicts with ${printManager(manager)}:`);
    for (const p of byManager.get(manager) ?? []) lines.push(`- ${pathString(p)}`);
  }
  return `Apply failed with ${String(conflicts.length)} conflicts: ${lines.join('\n')}`;
}

/** upstream's printManager: the manager identifier as people read it. */
export function printManager(manager: string): string {
  let entry: unknown;
  try {
    entry = JSON.parse(manager);
  } catch {
    return goQuote(manager);
  }
  if (!isJsonObject(entry)) return goQuote(manager);
  const text = (k: string): string => {
    const v = entry[k];
    return typeof v === 'string' ? v : '';
  };
  let out = goQuote(text('manager'));
  if (text('subresource') !== '') out += ` with subresource ${goQuote(text('subresource'))}`;
  if (text('operation') === 'Update') out += ` using ${text('apiVersion')}`;
  return out;
}
