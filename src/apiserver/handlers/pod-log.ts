/**
 * GET pods/<name>/log (upstream's LogREST): PodLogOptions from the query, validated as upstream
 * (422 for out-of-range values, 400 for values that do not parse), the container checked against
 * the pod, then the agent's `/containerLogs` streamed back as text (an unscheduled pod has no
 * log: empty). An agent error becomes its Status; a client that leaves ends the agent request.
 */
import type { FieldError } from '../../api/validation/field-error.ts';
import { badRequest, invalid } from '../../api/status.ts';
import { kubeletError, kubeletGet, kubeletUrl } from '../kubelet/kubelet-client.ts';
import type { ResourceContext } from './context.ts';
import {
  agentOf,
  boolParam,
  kubeletConfig,
  loadPod,
  nodeNameOf,
  validateContainer,
} from './pod-stream-target.ts';

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^[+-]?\d+$/.test(v) || !Number.isSafeInteger(Number(v)))
    throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
  return Number(v);
}

/** The query the agent gets: upstream's LogLocation parameters, validated. */
export function podLogQuery(q: URLSearchParams, podName: string): URLSearchParams {
  const tailLines = intParam(q, 'tailLines');
  const limitBytes = intParam(q, 'limitBytes');
  const sinceSeconds = intParam(q, 'sinceSeconds');
  const sinceTime = q.get('sinceTime');
  if (sinceTime !== null && sinceTime !== '' && Number.isNaN(Date.parse(sinceTime)))
    throw badRequest(`parsing time ${JSON.stringify(sinceTime)}: cannot parse as RFC3339`);
  const errors: FieldError[] = [];
  if (tailLines !== undefined && tailLines < 0)
    errors.push({
      type: 'FieldValueInvalid',
      field: 'tailLines',
      value: tailLines,
      detail: 'must be greater than or equal to 0',
    });
  if (limitBytes !== undefined && limitBytes < 1)
    errors.push({
      type: 'FieldValueInvalid',
      field: 'limitBytes',
      value: limitBytes,
      detail: 'must be greater than 0',
    });
  if (sinceSeconds !== undefined && sinceTime !== null && sinceTime !== '')
    errors.push({
      type: 'FieldValueForbidden',
      field: '',
      value: null,
      detail: 'at most one of `sinceTime` or `sinceSeconds` may be specified',
    });
  else if (sinceSeconds !== undefined && sinceSeconds < 1)
    errors.push({
      type: 'FieldValueInvalid',
      field: 'sinceSeconds',
      value: sinceSeconds,
      detail: 'must be greater than 0',
    });
  if (errors.length > 0) throw invalid({ group: '', kind: 'PodLogOptions' }, podName, errors);
  const out = new URLSearchParams();
  if (boolParam(q, 'follow')) out.set('follow', 'true');
  if (boolParam(q, 'previous')) out.set('previous', 'true');
  if (boolParam(q, 'timestamps')) out.set('timestamps', 'true');
  if (sinceSeconds !== undefined) out.set('sinceSeconds', String(sinceSeconds));
  if (sinceTime !== null && sinceTime !== '')
    out.set('sinceTime', new Date(Date.parse(sinceTime)).toISOString().replace(/\.\d{3}Z$/, 'Z'));
  if (tailLines !== undefined) out.set('tailLines', String(tailLines));
  if (limitBytes !== undefined) out.set('limitBytes', String(limitBytes));
  return out;
}

const MAX_ERROR_BODY = 64 * 1024;

export async function handlePodLog(ctx: ResourceContext): Promise<void> {
  const { ex, info } = ctx;
  const name = info.name ?? '';
  const query = podLogQuery(ex.url.searchParams, name);
  const pod = await loadPod(ctx);
  const container = validateContainer(pod, ex.url.searchParams.get('container') ?? '');
  const nodeName = nodeNameOf(pod);
  if (nodeName === '') {
    // Upstream streams nothing for a pod that has not been scheduled yet.
    ex.startStream('text/plain');
    ex.end();
    return;
  }
  const agent = await agentOf(ctx, nodeName);
  const path = `/containerLogs/${[info.namespace ?? '', name, container].map(encodeURIComponent).join('/')}`;
  const aborted = new AbortController();
  ex.onClose(() => {
    aborted.abort();
  });
  const res = await kubeletGet(kubeletUrl(agent, path, query), kubeletConfig(ctx), aborted.signal);
  const code = res.statusCode ?? 500;
  if (code < 200 || code > 206) {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size <= MAX_ERROR_BODY) chunks.push(chunk);
    }
    throw kubeletError(code, Buffer.concat(chunks));
  }
  ex.startStream('text/plain');
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      if (ex.isClosed) break;
      await ex.writeChunk(chunk);
    }
  } catch {
    // The agent went away mid-stream: the log just ends here.
  } finally {
    res.destroy();
    ex.end();
  }
}
