/**
 * `k8ts certs check-expiration` and `k8ts certs renew <name>... | all`, as kubeadm's: the
 * certificates of this control-plane node under `--rootfs`, their expiry, and renewal with the
 * local CA (same subject, SANs and usages, a new key). Renewed certificates are used once the
 * components restart, which the command says how to do.
 */
import { Command } from 'commander';
import { clusterPaths } from '../../cluster/cluster-paths.ts';

interface RootfsFlags {
  rootfs: string;
}

export function certsCommand(): Command {
  const certs = new Command('certs').description(
    'Commands related to handling kubernetes certificates',
  );
  certs
    .command('check-expiration')
    .description('Check certificates expiration for a Kubernetes cluster')
    .option('--rootfs <dir>', "the node's root: every file path is under it", '/')
    .action(async (flags: RootfsFlags) => {
      const { checkExpiration } = await import('../../cluster/certs/check-expiration.ts');
      process.stdout.write(checkExpiration(clusterPaths(flags.rootfs)));
    });
  certs
    .command('renew')
    .description('Renew certificates for a Kubernetes cluster (names, or "all")')
    .argument('<names...>', 'certificates to renew: admin.conf, apiserver, etcd-server, ... or all')
    .option('--rootfs <dir>', "the node's root: every file path is under it", '/')
    .action(async (names: string[], flags: RootfsFlags) => {
      const { MANAGED_CERTIFICATES, CertsError, readManagedCertificate, renewManagedCertificate } =
        await import('../../cluster/certs/managed-certificates.ts');
      const paths = clusterPaths(flags.rootfs);
      const known = MANAGED_CERTIFICATES.map((c) => c.name);
      for (const n of names) {
        if (n !== 'all' && !known.includes(n))
          throw new CertsError(
            `unknown certificate ${JSON.stringify(n)}; the names are: all, ${known.join(', ')}`,
          );
      }
      const selected = names.includes('all')
        ? MANAGED_CERTIFICATES.filter((c) => readManagedCertificate(paths, c) !== undefined)
        : MANAGED_CERTIFICATES.filter((c) => names.includes(c.name));
      for (const cert of selected) {
        await renewManagedCertificate(paths, cert);
        process.stdout.write(`${cert.description} renewed\n`);
      }
      process.stdout.write(
        `\nDone renewing certificates. You must restart the kube-apiserver, kube-controller-manager, kube-scheduler and etcd, so that they can use the new certificates: k8ts node stop --rootfs ${flags.rootfs} && k8ts node start --rootfs ${flags.rootfs}\n`,
      );
    });
  return certs;
}
