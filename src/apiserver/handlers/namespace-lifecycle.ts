/**
 * NamespaceLifecycle admission: no new objects in a namespace that does not exist (404) or is
 * being deleted (403 Forbidden), with upstream's messages.
 */
import { objectField } from '../../api/json.ts';
import { ApiError, notFound } from '../../api/status.ts';
import type { ApiServices } from './context.ts';

export async function admitNamespace(services: ApiServices, namespace: string): Promise<void> {
  const def = services.registry.byPath('', 'v1', 'namespaces');
  if (def === undefined) return;
  let ns;
  try {
    ns = await services.resources.get(def, undefined, namespace);
  } catch (err: unknown) {
    if (err instanceof ApiError && err.reason === 'NotFound')
      throw notFound({ group: '', resource: 'namespaces' }, namespace);
    throw err;
  }
  const phase = objectField(ns, 'status')?.['phase'];
  if (phase === 'Terminating' || objectField(ns, 'metadata')?.['deletionTimestamp'] !== undefined) {
    throw new ApiError(
      403,
      'Forbidden',
      `unable to create new content in namespace ${namespace} because it is being terminated`,
      {
        name: namespace,
        kind: 'namespaces',
        causes: [
          {
            reason: 'NamespaceTerminating',
            message: `namespace ${namespace} is being terminated`,
            field: 'metadata.namespace',
          },
        ],
      },
    );
  }
}
