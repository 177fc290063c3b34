/**
 * The Node printer (`printNode`): STATUS from the Ready condition ("Ready", "NotReady", or
 * "Unknown" when absent) plus ",SchedulingDisabled" when cordoned; ROLES from
 * `node-role.kubernetes.io/<role>` keys and the `kubernetes.io/role` value, sorted and deduplicated.
 */
import type { JsonObject } from '../json.ts';
import type { Printer } from '../resource.ts';
import { ageCell } from './age.ts';
import { AGE_COLUMN, column, NAME_COLUMN, wideColumn } from './columns.ts';
import {
  boolAt,
  compareStrings,
  nameOf,
  objectAt,
  objectsAt,
  stringAt,
  stringMapAt,
} from './fields.ts';

/** Copied in printers.go "until it's merged in core" (kubernetes#39112). */
const LABEL_NODE_ROLE_PREFIX = 'node-role.kubernetes.io/';
const NODE_LABEL_ROLE = 'kubernetes.io/role';

function nodeStatus(node: JsonObject): string {
  // Upstream builds a map by type, so the last Ready condition wins.
  let ready: JsonObject | undefined;
  for (const cond of objectsAt(node, 'status', 'conditions')) {
    if (stringAt(cond, 'type') === 'Ready') ready = cond;
  }
  const status: string[] = [];
  if (ready === undefined) status.push('Unknown');
  else status.push(stringAt(ready, 'status') === 'True' ? 'Ready' : 'NotReady');
  if (boolAt(node, 'spec', 'unschedulable')) status.push('SchedulingDisabled');
  return status.join(',');
}

/** `findNodeRoles`: the sorted, deduplicated role names. */
export function findNodeRoles(node: JsonObject): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(stringMapAt(node, 'metadata', 'labels'))) {
    if (k.startsWith(LABEL_NODE_ROLE_PREFIX)) {
      const role = k.slice(LABEL_NODE_ROLE_PREFIX.length);
      if (role.length > 0) roles.add(role);
    } else if (k === NODE_LABEL_ROLE && v !== '') {
      roles.add(v);
    }
  }
  return [...roles].sort(compareStrings);
}

/** The first address of `type`, or "<none>". */
function nodeAddress(node: JsonObject, type: string): string {
  const address = objectsAt(node, 'status', 'addresses').find((a) => stringAt(a, 'type') === type);
  return address === undefined ? '<none>' : stringAt(address, 'address');
}

function orUnknown(value: string): string {
  return value === '' ? '<unknown>' : value;
}

function nodeCells(node: JsonObject, now: Date): string[] {
  const info = objectAt(node, 'status', 'nodeInfo');
  const roles = findNodeRoles(node).join(',');
  return [
    nameOf(node),
    nodeStatus(node),
    roles === '' ? '<none>' : roles,
    ageCell(node, now),
    stringAt(info, 'kubeletVersion'),
    nodeAddress(node, 'InternalIP'),
    nodeAddress(node, 'ExternalIP'),
    orUnknown(stringAt(info, 'osImage')),
    orUnknown(stringAt(info, 'kernelVersion')),
    orUnknown(stringAt(info, 'containerRuntimeVersion')),
  ];
}

export const nodePrinter: Printer = {
  columns: [
    NAME_COLUMN,
    column('Status', { text: 'The status of the node' }),
    column('Roles', { text: 'The roles of the node' }),
    AGE_COLUMN,
    column('Version', 'core/v1 NodeSystemInfo.kubeletVersion'),
    wideColumn('Internal-IP', 'core/v1 NodeStatus.addresses'),
    wideColumn('External-IP', 'core/v1 NodeStatus.addresses'),
    wideColumn('OS-Image', 'core/v1 NodeSystemInfo.osImage'),
    wideColumn('Kernel-Version', 'core/v1 NodeSystemInfo.kernelVersion'),
    wideColumn('Container-Runtime', 'core/v1 NodeSystemInfo.containerRuntimeVersion'),
  ],
  cells: nodeCells,
};
