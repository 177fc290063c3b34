/**
 * EtcdStore's watch when the member it streams from loses the quorum. A partitioned member
 * stays up and its client port stays reachable, so the gRPC connection looks healthy
 * (keepalive passes), but it learns of no new revision: without `hasleader` its watch would go
 * silent forever. With it (etcd-require-leader.ts) etcd ends the stream after a few election
 * timeouts, and the watch re-opens on a member of the majority from its last revision.
 *
 * How the partition is made (option "c" of the design notes): every member advertises a TCP
 * proxy on 127.0.0.1 in front of its peer port (test/harness/peer-network.ts), so all raft
 * traffic passes through this process, and `cluster.isolate(m)` closes and refuses every peer
 * connection to or from `m` (the dialing member is found from its socket in /proc) while the
 * clients keep talking to `m` directly. This needs no root and touches no network namespace,
 * route or link; network namespaces would also cut the test's own client connections off the
 * member unless the watcher ran in a child process inside them. Freezing the two other members
 * (SIGSTOP) is not a partition — no quorum is left anywhere — and is the last case: the watch
 * must then fail within its bounded dial timeout rather than hang.
 *
 * Every wait is bounded, and the cluster (processes by PID, proxies, temp dir) is stopped in
 * `after` whatever happens; each case heals or resumes what it broke in `finally`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { EtcdCluster } from '../../../test/harness/etcd-cluster.ts';
import type { EtcdMember } from '../../../test/harness/etcd-cluster.ts';
import { fetchMetric } from '../../../test/harness/etcd-probe.ts';
import { StoreAlreadyExistsError, StoreUnavailableError } from '../errors.ts';
import { EtcdStore } from './etcd-store.ts';
import type { EtcdStoreOptions } from './etcd-store.ts';
import { WatchRecorder, Writer, retry, waitUntil } from './etcd-test-fixtures.ts';

const ELECTION_TIMEOUT_MS = 500;
/**
 * A cut-off member notices it has no leader within 2 election timeouts, etcd cancels its
 * `hasleader` streams after 3 more checks (one per election timeout), and the reconnect takes
 * a few backoffs: about 6 election timeouts (3 s). The bound leaves room for a loaded machine.
 */
const RECOVERY_BOUND_MS = 10_000;
const DIAL_TIMEOUT_MS = 2_000;
/** Gauge of the watchers a member serves. */
const WATCHERS = 'etcd_debugging_mvcc_watcher_total';

let cluster: EtcdCluster | undefined;
const opened: EtcdStore[] = [];
const runId = randomBytes(4).toString('hex');
let prefixes = 0;

before(async () => {
  cluster = await EtcdCluster.start({ peerProxy: true, electionTimeoutMs: ELECTION_TIMEOUT_MS });
});

after(async () => {
  for (const s of opened) await s.close();
  await cluster?.stop();
});

function theCluster(): EtcdCluster {
  if (cluster === undefined) throw new Error('etcd cluster not started');
  return cluster;
}

function newStore(keyPrefix: string, options: Partial<EtcdStoreOptions> = {}): EtcdStore {
  const store = new EtcdStore({
    endpoints: theCluster().endpoints,
    keyPrefix,
    requestTimeoutMs: 1_000,
    dialTimeoutMs: 5_000,
    ...options,
  });
  opened.push(store);
  return store;
}

function newPrefix(): string {
  prefixes++;
  return `/k8ts-partition-${runId}-${String(prefixes).padStart(4, '0')}`;
}

/** Watchers served by each member (a member that does not answer counts as -1). */
async function watcherCounts(c: EtcdCluster): Promise<Map<string, number>> {
  const counts = await Promise.all(
    c.members.map(async (m) => (await fetchMetric(m.clientUrl, WATCHERS, c.clientTls)) ?? -1),
  );
  return new Map(c.members.map((m, i) => [m.name, counts[i] ?? -1]));
}

/** The one member serving the test's only watcher (polled: the stream opens asynchronously). */
async function waitForWatchedMember(c: EtcdCluster, timeoutMs = 5_000): Promise<EtcdMember> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < Math.ceil(timeoutMs / 50) + 1; i++) {
    const counts = await watcherCounts(c);
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    const watched = c.members.find((m) => counts.get(m.name) === 1);
    if (total === 1 && watched !== undefined) return watched;
    if (Date.now() >= deadline) break;
    await sleep(50);
  }
  throw new Error(
    `no single member serves the watch: ${JSON.stringify([...(await watcherCounts(c))])}`,
  );
}

const enc = (s: string): Uint8Array => Buffer.from(s, 'utf8');

const partitionCases = [
  { name: 'a follower', isLeader: false },
  { name: 'the leader', isLeader: true },
] as const;

describe('EtcdStore watch across a partition', () => {
  for (const pc of partitionCases) {
    it(`a watch on ${pc.name} cut off from the quorum moves to the majority, missing nothing`, async (t) => {
      const c = theCluster();
      const keyPrefix = newPrefix();
      const watcherStore = newStore(keyPrefix);
      const since = await watcherStore.currentRevision();
      const watch = new WatchRecorder(watcherStore, '/registry/p/', since);
      let writer: Writer | undefined;
      let isolated: EtcdMember | undefined;
      try {
        const watched = await waitForWatchedMember(c);
        const others = c.members.filter((m) => m.name !== watched.name);
        const [other] = others;
        if (other === undefined) throw new Error('a 3-member cluster has other members');
        if (pc.isLeader) await c.transferLeadership(watched);
        else if ((await c.leader()).name === watched.name) await c.transferLeadership(other);

        // Writes go to the majority only: the cut-off member could not commit them.
        const majority = newStore(keyPrefix, { endpoints: others.map((m) => m.clientUrl) });
        const majorityWriter = new Writer(majority, '/registry/p/w/');
        writer = majorityWriter;
        majorityWriter.start();
        await waitUntil('20 events before the cut', () => watch.events.length >= 20, 10_000);

        const isolatedAt = Date.now();
        c.isolate(watched);
        isolated = watched;
        const ackedAtCut = majorityWriter.acked.size;
        // Created after the cut, so only the majority has it: the watch sees it only once it
        // streams from there. (AlreadyExists: an earlier attempt whose answer was lost.)
        const marker = '/registry/p/marker';
        await retry(
          'create the marker',
          () =>
            majority.create(marker, enc('after the cut')).catch((err: unknown) => {
              if (!(err instanceof StoreAlreadyExistsError)) throw err;
            }),
          50,
          100,
        );
        await waitUntil(
          'the watch to deliver an event written after the cut',
          () => watch.find(marker) !== undefined || watch.hasFailed,
          RECOVERY_BOUND_MS,
        );
        assert.equal(watch.error, undefined);
        const recoveryMs = (watch.find(marker)?.receivedAt ?? Infinity) - isolatedAt;
        t.diagnostic(`watch on ${pc.name} recovered ${String(recoveryMs)} ms after the cut`);
        assert.ok(recoveryMs < RECOVERY_BOUND_MS, `recovered after ${String(recoveryMs)} ms`);

        await waitUntil(
          '20 writes during the cut',
          () => majorityWriter.acked.size >= ackedAtCut + 20,
          10_000,
        );
        await majorityWriter.stop();
        assert.deepEqual(majorityWriter.unexpected, []);
        // The stream left the cut-off member (still reachable) for one of the majority.
        const counts = await watcherCounts(c);
        assert.equal(counts.get(watched.name), 0, JSON.stringify([...counts]));
        const onMajority = others.map((m) => counts.get(m.name) ?? -1);
        assert.deepEqual(
          onMajority.sort((a, b) => a - b),
          [0, 1],
        );

        // Every key was created once: the watch shows exactly the listed keys, each once, in
        // the order of their revisions (etcd replayed what the cut-off member never got).
        const listed = await majority.list('/registry/p/');
        await waitUntil(
          'the watch to catch up',
          () => watch.events.length >= listed.items.length || watch.hasFailed,
          10_000,
        );
        assert.equal(watch.error, undefined);
        const byRevision = [...listed.items].sort((x, y) => x.modRevision - y.modRevision);
        assert.deepEqual(
          watch.events.map((e) => [e.type, e.key, e.modRevision]),
          byRevision.map((kv) => ['ADDED', kv.key, kv.modRevision]),
        );
      } finally {
        await writer?.stop();
        await watch.stop();
        if (isolated !== undefined) {
          c.heal(isolated);
          await c.waitHealthy(10_000);
        }
      }
    });
  }

  it('a watch on a member whose peers froze (no quorum anywhere) fails instead of hanging', async (t) => {
    const c = theCluster();
    const store = newStore(newPrefix(), { dialTimeoutMs: DIAL_TIMEOUT_MS });
    const watch = new WatchRecorder(store, '/registry/f/', await store.currentRevision());
    const frozen: EtcdMember[] = [];
    try {
      const watched = await waitForWatchedMember(c);
      const frozenAt = Date.now();
      for (const m of c.members) {
        if (m.name === watched.name) continue;
        frozen.push(m);
        await c.kill(m, 'SIGSTOP');
      }
      await waitUntil(
        'the watch to fail',
        () => watch.hasFailed,
        RECOVERY_BOUND_MS + DIAL_TIMEOUT_MS,
      );
      const failedAfterMs = Date.now() - frozenAt;
      t.diagnostic(`watch failed ${String(failedAfterMs)} ms after the quorum froze`);
      assert.ok(watch.error instanceof StoreUnavailableError, String(watch.error));
    } finally {
      for (const m of frozen) await c.kill(m, 'SIGCONT');
      await watch.stop();
      await c.waitHealthy(10_000);
    }
  });
});
