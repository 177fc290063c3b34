/**
 * What a controller manager does for pods' service accounts, for tests that run an API server
 * without one: the real serviceaccount controller (a `default` ServiceAccount in every
 * namespace, which the ServiceAccount admission plugin requires before a pod is admitted) and
 * the real root-ca-cert-publisher (`kube-root-ca.crt`, which the auto-mounted token volume
 * projects), in this process, with the given admin kubeconfig. `stop()` stops both.
 */
import { RestClient, realClock } from '../../src/client/index.ts';
import type { ControllerContext } from '../../src/controllers/controller.ts';
import { SharedInformerFactory } from '../../src/controllers/informer-factory.ts';
import { RootCaCertPublisher } from '../../src/controllers/rootcacertpublisher/root-ca-cert-publisher.ts';
import { ServiceAccountsController } from '../../src/controllers/serviceaccount/serviceaccounts-controller.ts';

export interface ServiceAccountControllers {
  stop(): Promise<void>;
}

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
    async stop() {
      stopper.abort();
      await Promise.all(running);
      await informers.stopped();
      client.close();
    },
  };
}
