/**
 * Makes a container's image present as kubelet's image manager does (EnsureImageExists,
 * v1.33): `Never` uses only what is there (ErrImageNeverPull), `IfNotPresent` pulls when it is
 * missing, `Always` pulls every time; a failed pull is ErrImagePull with upstream's message, and
 * later attempts wait out a per-image backoff (10 s doubling to 5 min) as ImagePullBackOff.
 * Concurrent pulls of one image share one CRI call.
 */
import type { Container } from 'kubernetes-types/core/v1.d.ts';
import { CriError } from '../cri/cri-errors.ts';
import type { PodSandboxConfig } from '../cri/cri-types.ts';
import type { ImageService } from '../cri/runtime-service.ts';
import type { RestartBackoff } from './restart-backoff.ts';
import { goStatusErrorText } from '../../util/go-grpc-status.ts';

export type PullResult =
  | { readonly ok: true; readonly imageRef: string; readonly pulled: boolean; readonly ms: number }
  | {
      readonly ok: false;
      readonly reason: 'ErrImagePull' | 'ImagePullBackOff' | 'ErrImageNeverPull';
      readonly message: string;
    };

/** A CRI error as Go's gRPC status prints it (`rpc error: code = Unknown desc = ...`). */
export function grpcErrorText(err: unknown): string {
  if (err instanceof CriError) {
    const cause = err.cause as { details?: unknown } | undefined;
    const details = typeof cause?.details === 'string' ? cause.details : err.message;
    return goStatusErrorText(err.grpcCode, details);
  }
  return err instanceof Error ? err.message : String(err);
}

export interface PullEvents {
  pulling(image: string): void;
  pulled(image: string, ms: number, present: boolean): void;
  failed(image: string, message: string): void;
  backOff(image: string): void;
}

export class ImagePuller {
  readonly #images: ImageService;
  readonly #backoff: RestartBackoff;
  readonly #inflight = new Map<string, Promise<string>>();
  /** When each backoff key last failed. */
  readonly #failedAt = new Map<string, number>();
  readonly #now: () => number;

  constructor(images: ImageService, backoff: RestartBackoff, now: () => number = Date.now) {
    this.#images = images;
    this.#backoff = backoff;
    this.#now = now;
  }

  async ensure(
    podUid: string,
    container: Container,
    sandboxConfig: PodSandboxConfig,
    events: PullEvents,
    signal?: AbortSignal,
  ): Promise<PullResult> {
    const image = container.image ?? '';
    const policy =
      container.imagePullPolicy ??
      (image.endsWith(':latest') || !/:[^/]+$/.test(image) ? 'Always' : 'IfNotPresent');
    if (policy !== 'Always') {
      const present = await this.#images.imageStatus(image, { signal });
      if (present !== undefined) {
        events.pulled(image, 0, true);
        return { ok: true, imageRef: present.id, pulled: false, ms: 0 };
      }
      if (policy === 'Never') {
        const message = `Container image "${image}" is not present with pull policy of Never`;
        events.failed(image, message);
        return { ok: false, reason: 'ErrImageNeverPull', message };
      }
    }
    const key = `${podUid}/${image}`;
    const failedAt = this.#failedAt.get(key);
    if (failedAt !== undefined && this.#backoff.isInBackOffSince(key, failedAt)) {
      events.backOff(image);
      return {
        ok: false,
        reason: 'ImagePullBackOff',
        message: `Back-off pulling image "${image}"`,
      };
    }
    events.pulling(image);
    const started = this.#now();
    try {
      let pull = this.#inflight.get(image);
      if (pull === undefined) {
        pull = this.#images.pullImage(image, undefined, sandboxConfig, { signal }).finally(() => {
          this.#inflight.delete(image);
        });
        this.#inflight.set(image, pull);
      }
      const imageRef = await pull;
      this.#failedAt.delete(key);
      const ms = this.#now() - started;
      events.pulled(image, ms, false);
      return { ok: true, imageRef, pulled: true, ms };
    } catch (err: unknown) {
      if (signal?.aborted === true) throw err;
      const now = this.#now();
      this.#backoff.next(key, now);
      this.#failedAt.set(key, now);
      const message = `Failed to pull image "${image}": ${grpcErrorText(err)}`;
      events.failed(image, message);
      return { ok: false, reason: 'ErrImagePull', message };
    }
  }

  /** Milliseconds until a pull for this pod and image may be tried again (0: now). */
  retryInMs(podUid: string, image: string): number {
    const key = `${podUid}/${image}`;
    const failedAt = this.#failedAt.get(key);
    return failedAt === undefined ? 0 : this.#backoff.remainingMs(key, failedAt);
  }

  /** Forgets the backoffs of pods that are gone. */
  forgetPod(podUid: string): void {
    for (const key of [...this.#failedAt.keys()])
      if (key.startsWith(`${podUid}/`)) this.#failedAt.delete(key);
    this.#backoff.retain((k) => !k.startsWith(`${podUid}/`));
  }
}
