/**
 * The Pod printer (`printPod` of printers.go, release-1.33): READY counts ready containers plus
 * started sidecars, STATUS follows upstream's reason precedence (init containers, container
 * waiting/terminated reasons, SchedulingGated, Terminating, NodeLost -> Unknown), and RESTARTS
 * carries "(<age> ago)" of the latest restart. Cells are always the wide set, as the server prints.
 */
import type { JsonObject } from '../json.ts';
import type { Printer } from '../resource.ts';
import { ageCell, isZeroTime, timestampMs, translateTimestampSince, ZERO_TIME_MS } from './age.ts';
import { AGE_COLUMN, column, NAME_COLUMN, wideColumn } from './columns.ts';
import {
  arrayAt,
  boolAt,
  isSet,
  nameOf,
  numberAt,
  objectAt,
  objectsAt,
  stringAt,
  valueAt,
} from './fields.ts';

/** `node.NodeUnreachablePodReason`: set by the node lifecycle controller on unreachable nodes. */
const NODE_UNREACHABLE_POD_REASON = 'NodeLost';

/** `podutil.IsRestartableInitContainer`: a sidecar (restartPolicy Always); false for unknown names. */
function isRestartableInitContainer(container: JsonObject | undefined): boolean {
  return container !== undefined && stringAt(container, 'restartPolicy') === 'Always';
}

function conditionStatus(status: JsonObject | undefined, type: string): string | undefined {
  const cond = objectsAt(status, 'conditions').find((c) => stringAt(c, 'type') === type);
  return cond === undefined ? undefined : stringAt(cond, 'status');
}

function hasPodReadyCondition(status: JsonObject | undefined): boolean {
  return objectsAt(status, 'conditions').some(
    (c) => stringAt(c, 'type') === 'Ready' && stringAt(c, 'status') === 'True',
  );
}

/** When the container last terminated (`lastState.terminated.finishedAt`), or zero. */
function lastTerminationMs(container: JsonObject): number {
  const terminated = objectAt(container, 'lastState', 'terminated');
  return terminated === undefined ? ZERO_TIME_MS : timestampMs(valueAt(terminated, 'finishedAt'));
}

/** The reason of a terminated container without one: "Signal:N" or "ExitCode:N". */
function terminatedFallback(terminated: JsonObject): string {
  const signal = numberAt(terminated, 'signal');
  return signal !== 0 ? `Signal:${signal}` : `ExitCode:${numberAt(terminated, 'exitCode')}`;
}

/** v1 -> internal conversion: `status.podIP` is authoritative over `status.podIPs[0]`. */
function podIP(status: JsonObject | undefined): string {
  const ip = stringAt(status, 'podIP');
  if (ip !== '') return ip;
  const first = objectsAt(status, 'podIPs')[0];
  return first === undefined ? '' : stringAt(first, 'ip');
}

function readinessGatesCell(spec: JsonObject | undefined, status: JsonObject | undefined): string {
  const gates = objectsAt(spec, 'readinessGates');
  if (gates.length === 0) return '<none>';
  const conditions = objectsAt(status, 'conditions');
  let trueConditions = 0;
  for (const gate of gates) {
    const cond = conditions.find((c) => stringAt(c, 'type') === stringAt(gate, 'conditionType'));
    if (cond !== undefined && stringAt(cond, 'status') === 'True') trueConditions++;
  }
  return `${trueConditions}/${gates.length}`;
}

function orNone(value: string): string {
  return value === '' ? '<none>' : value;
}

function podCells(pod: JsonObject, now: Date): string[] {
  const spec = objectAt(pod, 'spec');
  const status = objectAt(pod, 'status');
  let restarts = 0;
  let restartableInitContainerRestarts = 0;
  let totalContainers = arrayAt(spec, 'containers').length;
  let readyContainers = 0;
  let lastRestartDate = ZERO_TIME_MS;
  let lastRestartableInitContainerRestartDate = ZERO_TIME_MS;

  const podPhase = stringAt(status, 'phase');
  let reason = stringAt(status, 'reason') !== '' ? stringAt(status, 'reason') : podPhase;
  for (const cond of objectsAt(status, 'conditions')) {
    if (
      stringAt(cond, 'type') === 'PodScheduled' &&
      stringAt(cond, 'reason') === 'SchedulingGated'
    ) {
      reason = 'SchedulingGated';
    }
  }

  const specInitContainers = objectsAt(spec, 'initContainers');
  const initContainers = new Map<string, JsonObject>();
  for (const c of specInitContainers) {
    initContainers.set(stringAt(c, 'name'), c);
    if (isRestartableInitContainer(c)) totalContainers++;
  }

  let initializing = false;
  const initStatuses = objectsAt(status, 'initContainerStatuses');
  for (const [i, container] of initStatuses.entries()) {
    const restartable = isRestartableInitContainer(initContainers.get(stringAt(container, 'name')));
    const restartCount = numberAt(container, 'restartCount');
    const finishedAt = lastTerminationMs(container);
    restarts += restartCount;
    if (lastRestartDate < finishedAt) lastRestartDate = finishedAt;
    if (restartable) {
      restartableInitContainerRestarts += restartCount;
      if (lastRestartableInitContainerRestartDate < finishedAt) {
        lastRestartableInitContainerRestartDate = finishedAt;
      }
    }
    const terminated = objectAt(container, 'state', 'terminated');
    const waiting = objectAt(container, 'state', 'waiting');
    if (terminated !== undefined && numberAt(terminated, 'exitCode') === 0) continue;
    if (restartable && boolAt(container, 'started')) {
      if (boolAt(container, 'ready')) readyContainers++;
      continue;
    }
    if (terminated !== undefined) {
      // initialization failed
      const r = stringAt(terminated, 'reason');
      reason = r === '' ? `Init:${terminatedFallback(terminated)}` : `Init:${r}`;
    } else if (
      waiting !== undefined &&
      stringAt(waiting, 'reason') !== '' &&
      stringAt(waiting, 'reason') !== 'PodInitializing'
    ) {
      reason = `Init:${stringAt(waiting, 'reason')}`;
    } else {
      reason = `Init:${i}/${specInitContainers.length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || conditionStatus(status, 'Initialized') === 'True') {
    restarts = restartableInitContainerRestarts;
    lastRestartDate = lastRestartableInitContainerRestartDate;
    let hasRunning = false;
    const statuses = objectsAt(status, 'containerStatuses');
    for (let i = statuses.length - 1; i >= 0; i--) {
      const container = statuses[i] ?? {};
      restarts += numberAt(container, 'restartCount');
      const finishedAt = lastTerminationMs(container);
      if (lastRestartDate < finishedAt) lastRestartDate = finishedAt;
      const waiting = objectAt(container, 'state', 'waiting');
      const terminated = objectAt(container, 'state', 'terminated');
      if (waiting !== undefined && stringAt(waiting, 'reason') !== '') {
        reason = stringAt(waiting, 'reason');
      } else if (terminated !== undefined) {
        const r = stringAt(terminated, 'reason');
        reason = r !== '' ? r : terminatedFallback(terminated);
      } else if (boolAt(container, 'ready') && isSet(container, 'state', 'running')) {
        hasRunning = true;
        readyContainers++;
      }
    }
    // change pod status back to "Running" if there is at least one container still reporting as "Running" status
    if (reason === 'Completed' && hasRunning) {
      reason = hasPodReadyCondition(status) ? 'Running' : 'NotReady';
    }
  }

  const deleting = isSet(pod, 'metadata', 'deletionTimestamp');
  if (deleting && stringAt(status, 'reason') === NODE_UNREACHABLE_POD_REASON) {
    reason = 'Unknown';
  } else if (deleting && podPhase !== 'Succeeded' && podPhase !== 'Failed') {
    reason = 'Terminating';
  }

  let restartsCell = String(restarts);
  if (restarts !== 0 && !isZeroTime(lastRestartDate)) {
    restartsCell = `${restarts} (${translateTimestampSince(lastRestartDate, now)} ago)`;
  }

  return [
    nameOf(pod),
    `${readyContainers}/${totalContainers}`,
    reason,
    restartsCell,
    ageCell(pod, now),
    orNone(podIP(status)),
    orNone(stringAt(spec, 'nodeName')),
    orNone(stringAt(status, 'nominatedNodeName')),
    readinessGatesCell(spec, status),
  ];
}

/**
 * The `conditions` upstream attaches to a pod's Table row (`podSuccessConditions` /
 * `podFailedConditions`), which the Printer interface cannot carry: a caller building rows may add
 * them as `row.conditions`. Undefined for pods that are not Succeeded or Failed.
 */
export function podRowConditions(pod: JsonObject): JsonObject[] | undefined {
  switch (stringAt(pod, 'status', 'phase')) {
    case 'Succeeded':
      return [
        {
          type: 'Completed',
          status: 'True',
          reason: 'Succeeded',
          message: 'The pod has completed successfully.',
        },
      ];
    case 'Failed':
      return [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];
    default:
      return undefined;
  }
}

export const podPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Ready', { text: 'The aggregate readiness state of this pod for accepting traffic.' }),
    column('Status', { text: 'The aggregate status of the containers in this pod.' }),
    column('Restarts', {
      text: 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
    }),
    AGE_COLUMN,
    wideColumn('IP', 'core/v1 PodStatus.podIP'),
    wideColumn('Node', 'core/v1 PodSpec.nodeName'),
    wideColumn('Nominated Node', 'core/v1 PodStatus.nominatedNodeName'),
    wideColumn('Readiness Gates', 'core/v1 PodSpec.readinessGates'),
  ],
  cells: podCells,
};
