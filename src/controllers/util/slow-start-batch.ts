/**
 * Upstream's slowStartBatch (replica_set.go): runs `count` calls in batches of 1, 2, 4, ...
 * (starting at `initialBatchSize`), each batch in parallel, stopping after the first batch with
 * a failure. A quota or admission error then costs one failed call, not `count`.
 */
export async function slowStartBatch(
  count: number,
  initialBatchSize: number,
  fn: () => Promise<void>,
): Promise<{ successes: number; error: unknown }> {
  let remaining = count;
  let successes = 0;
  for (let batch = Math.min(remaining, initialBatchSize); batch > 0;) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    successes += results.filter((r) => r.status === 'fulfilled').length;
    if (failed !== undefined) return { successes, error: failed.reason };
    remaining -= batch;
    batch = Math.min(2 * batch, remaining);
  }
  return { successes, error: undefined };
}
