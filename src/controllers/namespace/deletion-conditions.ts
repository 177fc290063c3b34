/**
 * The status conditions a terminating namespace carries while its content is deleted, as
 * upstream's namespace deleter writes them (`status_condition_utils.go`): all five types are
 * always present, a type with nothing to report gets its "okay" condition, and a condition whose
 * status, reason and message did not change keeps its lastTransitionTime. Pure.
 */
import type { NamespaceCondition } from 'kubernetes-types/core/v1.d.ts';

export interface DeletionReport {
  /** `group/version` → error, for discovery that failed. */
  readonly discoveryFailures: ReadonlyMap<string, string>;
  /** Errors deleting or listing content, one per resource (`configmaps: ...`). */
  readonly contentFailures: readonly string[];
  /** `groupResource` → objects still present. */
  readonly remaining: ReadonlyMap<string, number>;
  /** finalizer → objects still carrying it. */
  readonly finalizers: ReadonlyMap<string, number>;
}

type Okay = Pick<NamespaceCondition, 'type' | 'status' | 'reason' | 'message'>;

const OKAY: readonly Okay[] = [
  {
    type: 'NamespaceDeletionDiscoveryFailure',
    status: 'False',
    reason: 'ResourcesDiscovered',
    message: 'All resources successfully discovered',
  },
  {
    type: 'NamespaceDeletionGroupVersionParsingFailure',
    status: 'False',
    reason: 'ParsedGroupVersions',
    message: 'All legacy kube types successfully parsed',
  },
  {
    type: 'NamespaceDeletionContentFailure',
    status: 'False',
    reason: 'ContentDeleted',
    message: 'All content successfully deleted, may be waiting on finalization',
  },
  {
    type: 'NamespaceContentRemaining',
    status: 'False',
    reason: 'ContentRemoved',
    message: 'All content successfully removed',
  },
  {
    type: 'NamespaceFinalizersRemaining',
    status: 'False',
    reason: 'ContentHasNoFinalizers',
    message: 'All content-preserving finalizers finished',
  },
];

const sortedCounts = (m: ReadonlyMap<string, number>, verb: 'has' | 'in'): string =>
  [...m.entries()]
    .sort(([a], [b]) => a.localeCompare(b, 'en'))
    .map(([k, n]) => `${k} ${verb} ${n} resource instances`)
    .join(', ');

/** The conditions a report calls for (failing ones only; the rest are okay). */
export function reportConditions(report: DeletionReport): Okay[] {
  const out: Okay[] = [];
  if (report.discoveryFailures.size > 0) {
    const failing = [...report.discoveryFailures.entries()]
      .sort(([a], [b]) => a.localeCompare(b, 'en'))
      .map(([gv, e]) => `${gv}: ${e}`)
      .join(', ');
    out.push({
      type: 'NamespaceDeletionDiscoveryFailure',
      status: 'True',
      reason: 'DiscoveryFailed',
      message: `Discovery failed for some groups, ${report.discoveryFailures.size} failing: ${failing}`,
    });
  }
  if (report.contentFailures.length > 0) {
    out.push({
      type: 'NamespaceDeletionContentFailure',
      status: 'True',
      reason: 'ContentDeletionFailed',
      message: `Failed to delete all resource types, ${report.contentFailures.length} remaining: ${report.contentFailures.join(', ')}`,
    });
  }
  if (report.remaining.size > 0) {
    out.push({
      type: 'NamespaceContentRemaining',
      status: 'True',
      reason: 'SomeResourcesRemain',
      message: `Some resources are remaining: ${sortedCounts(report.remaining, 'has')}`,
    });
  }
  if (report.finalizers.size > 0) {
    out.push({
      type: 'NamespaceFinalizersRemaining',
      status: 'True',
      reason: 'SomeFinalizersRemain',
      message: `Some content in the namespace has finalizers remaining: ${sortedCounts(report.finalizers, 'in')}`,
    });
  }
  return out;
}

/** The namespace's next conditions: every deletion type present, transitions kept. */
export function nextConditions(
  existing: readonly NamespaceCondition[],
  report: DeletionReport,
  nowIso: string,
): NamespaceCondition[] {
  const wanted = new Map(reportConditions(report).map((c) => [c.type, c]));
  const types = new Set(OKAY.map((c) => c.type));
  const out: NamespaceCondition[] = existing.filter((c) => !types.has(c.type));
  for (const okay of OKAY) {
    const want = wanted.get(okay.type) ?? okay;
    const old = existing.find((c) => c.type === okay.type);
    if (
      old !== undefined &&
      old.status === want.status &&
      old.reason === want.reason &&
      old.message === want.message
    )
      out.push(old);
    else out.push({ ...want, lastTransitionTime: nowIso });
  }
  return out;
}

/** Whether two condition lists say the same thing (so no status write is needed). */
export function sameConditions(
  a: readonly NamespaceCondition[],
  b: readonly NamespaceCondition[],
): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
