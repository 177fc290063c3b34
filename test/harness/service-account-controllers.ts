/**
 * What a controller manager does for pods' service accounts, for tests that run an API server
 * without one: the real serviceaccount controller (a `default` ServiceAccount in every
 * namespace, which the ServiceAccount admission plugin requires before a pod is admitted) and
 * the real root-ca-cert-publisher (`kube-root-ca.crt`, which the auto-mounted token volume
 * projects), in this process, with the given admin kubeconfig. `ready()` resolves once both
 * acted on the namespaces that exist from the start (`default`, `kube-system`), so a test's
 * first list or watch there already shows what a running cluster shows; `stop()` stops both.
 */
import { RestClient, realClock } from '../../src/client/index.ts';
import type { ControllerContext } from '../../src/controllers/controller.ts';
import { SharedInformerFactory } from '../../src/controllers/informer-factory.ts';
import { RootCaCertPublisher } from '../../src/controllers/rootcacertpublisher/root-ca-cert-publisher.ts';
import { ServiceAccountsController } from '../../src/controllers/serviceaccount/serviceaccounts-controller.ts';
import { until } from './until.ts';

export interface ServiceAccountControllers {
  /** Resolves when `default` and `kube-system` have their ServiceAccount and CA ConfigMap. */
  ready(): Promise<void>;
  stop(): Promise<void>;
}

const STARTING_NAMESPACES = ['default', 'kube-system'];

export function startServiceAccountControllers(
  kubeconfig: string,
  caPem: string,
): ServiceAccountControllers {
  const client = RestClient.fromKubeconfig(kubeconfig, { component: 'test-controller-manager' });
  const informers = new SharedInformerFactory({ client });
  const ctx: ControllerContext = {
    client,
    informers,
    events: { event: () => undefined },
    clock: realClock,
    log: (level, message, fields) => {
      if (process.env['K8TS_TEST_LOG'] === '1')
        process.stderr.write(`${level} ${message} ${JSON.stringify(fields ?? {})}\n`);
    },
  };
  const stopper = new AbortController();
  const running = [
    new ServiceAccountsController(ctx).run(stopper.signal),
    new RootCaCertPublisher(ctx, { loadRootCa: () => Promise.resolve(caPem) }).run(stopper.signal),
  ];
  informers.start(stopper.signal);
  return {
    async ready() {
      for (const namespace of STARTING_NAMESPACES) {
        for (const [ref, name] of [
          [{ group: '', version: 'v1', plural: 'serviceaccounts', namespace }, 'default'],
          [{ group: '', version: 'v1', plural: 'configmaps', namespace }, 'kube-root-ca.crt'],
        ] as const)
          await until(`${namespace}/${name}`, async () => {
            await client.get({ ...ref, name }, { signal: stopper.signal });
            return true;
          });
      }
    },
    async stop() {
      stopper.abort();
      await Promise.all(running);
      await informers.stopped();
      client.close();
    },
  };
}
