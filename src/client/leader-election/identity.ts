/** A candidate's identity as client-go's users build it: `<node>_<uuid>`, unique per process. */
import { randomUUID } from 'node:crypto';

export function newIdentity(nodeName: string): string {
  return `${nodeName}_${randomUUID()}`;
}
