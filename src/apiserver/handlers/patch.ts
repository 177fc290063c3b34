/** PATCH: not yet wired. */
import { unsupportedMediaType } from '../../api/status.ts';
import type { ResourceContext } from './context.ts';

export function handlePatch(ctx: ResourceContext): Promise<void> {
  return Promise.reject(unsupportedMediaType(ctx.ex.header('content-type') ?? ''));
}
