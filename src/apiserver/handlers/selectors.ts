/**
 * Compiles `labelSelector` and `fieldSelector` query parameters into one predicate over
 * objects (undefined when neither is given). Bad selectors are 400 BadRequest.
 */
import type { JsonObject } from '../../api/json.ts';
import type { ResourceDefinition } from '../../api/resource.ts';
import { badRequest } from '../../api/status.ts';

export function compileSelectors(
  def: ResourceDefinition,
  q: URLSearchParams,
): ((obj: JsonObject) => boolean) | undefined {
  const label = q.get('labelSelector') ?? '';
  const field = q.get('fieldSelector') ?? '';
  if (label === '' && field === '') return undefined;
  throw badRequest(`selectors are not supported yet on ${def.plural}`);
}
