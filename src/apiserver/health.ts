/**
 * `/healthz`, `/livez`, `/readyz` as upstream: named checks, `ok` when all pass, per-check
 * lines with `?verbose` (or on failure), one check at `/<endpoint>/<name>`, and `?exclude=`.
 * Failures answer 500 and never include internal error details (upstream: "reason withheld").
 */
import type { Exchange } from './http/exchange.ts';

export type HealthCheck = () => Promise<void>;

export interface HealthChecksOptions {
  /** Checks for liveness (the process can serve). */
  readonly live: ReadonlyMap<string, HealthCheck>;
  /** Checks for readiness (it should get traffic: storage reachable, not shutting down). */
  readonly ready: ReadonlyMap<string, HealthCheck>;
  /** Bound on each check. Default: 3000 ms. */
  readonly timeoutMs?: number;
}

export class HealthChecks {
  readonly #o: HealthChecksOptions;
  constructor(options: HealthChecksOptions) {
    this.#o = options;
  }

  async serve(ex: Exchange, path: string): Promise<void> {
    const [endpoint = 'healthz', only] = path.split('/').filter((p) => p !== '');
    const checks =
      endpoint === 'livez' ? this.#o.live : new Map([...this.#o.live, ...this.#o.ready]);
    const q = ex.url.searchParams;
    const excluded = new Set(q.getAll('exclude'));
    const selected = [...checks].filter(([name]) =>
      only === undefined ? !excluded.has(name) : name === only,
    );
    if (only !== undefined && selected.length === 0) {
      ex.sendText(404, `404 page not found\n`);
      return;
    }
    const results = await Promise.all(
      selected.map(async ([name, check]) => [name, await this.#run(check)] as const),
    );
    const failed = results.some(([, ok]) => !ok);
    if (only !== undefined) {
      ex.sendText(
        failed ? 500 : 200,
        failed ? `internal server error: ${only} check failed\n` : 'ok',
      );
      return;
    }
    const verbose = q.has('verbose') || failed;
    if (!verbose) {
      ex.sendText(200, 'ok');
      return;
    }
    const lines = results.map(([name, ok]) =>
      ok ? `[+]${name} ok` : `[-]${name} failed: reason withheld`,
    );
    for (const name of excluded) lines.push(`[+]${name} excluded: ok`);
    lines.push(failed ? `${endpoint} check failed` : `${endpoint} check passed`);
    ex.sendText(failed ? 500 : 200, `${lines.join('\n')}\n`);
  }

  async #run(check: HealthCheck): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        check(),
        new Promise((_, reject) => {
          timer = setTimeout(() => {
            reject(new Error('timed out'));
          }, this.#o.timeoutMs ?? 3000);
        }),
      ]);
      return true;
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }
}
