/**
 * `k8ts apiserver`: runs one API server in the foreground, with kube-apiserver's flag names where
 * they exist (--etcd-servers, --secure-port, --tls-cert-file, ...). The node supervisor runs it as
 * a child process; it stops gracefully on SIGTERM/SIGINT (leaving the kubernetes Endpoints).
 */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { ApiServer } from '../../apiserver/api-server.ts';
import { openStore } from '../../storage/open-store.ts';

interface ApiserverFlags {
  etcdServers?: string;
  datastoreEndpoint?: string;
  etcdCafile?: string;
  etcdCertfile?: string;
  etcdKeyfile?: string;
  bindAddress: string;
  securePort: string;
  advertiseAddress?: string;
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  clientCaFile?: string;
  insecureHttp: boolean;
  anonymousAuth: boolean;
}

export function apiserverCommand(): Command {
  return new Command('apiserver')
    .description('Run a Kubernetes API server (foreground)')
    .option('--etcd-servers <urls>', 'comma-separated etcd client URLs (http(s)://host:port)')
    .option(
      '--datastore-endpoint <endpoint>',
      'sqlite:<path> for an embedded single server, or etcd URLs',
    )
    .option('--etcd-cafile <file>', 'CA for etcd client TLS')
    .option('--etcd-certfile <file>', 'client certificate for etcd')
    .option('--etcd-keyfile <file>', 'client key for etcd')
    .option('--bind-address <ip>', 'address to listen on', '0.0.0.0')
    .option('--secure-port <port>', 'port to serve HTTPS on', '6443')
    .option(
      '--advertise-address <ip>',
      'IP listed in the kubernetes Endpoints (default: the bind address)',
    )
    .option('--tls-cert-file <file>', 'serving certificate (PEM)')
    .option('--tls-private-key-file <file>', 'serving key (PEM)')
    .option('--client-ca-file <file>', 'CA that client certificates must chain to')
    .addOption(
      new Option('--insecure-http', 'serve plain HTTP (loopback only; for tests)').default(false),
    )
    .option(
      '--no-anonymous-auth',
      'reject unauthenticated requests (401) instead of serving them as system:anonymous',
    )
    .action(async (flags: ApiserverFlags) => {
      await runApiserver(flags);
    });
}

async function runApiserver(flags: ApiserverFlags): Promise<void> {
  const endpoint = flags.datastoreEndpoint ?? flags.etcdServers;
  if (endpoint === undefined)
    throw new Error(
      'set --etcd-servers or --datastore-endpoint (e.g. sqlite:/var/lib/k8ts/state.db)',
    );
  const port = Number(flags.securePort);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--secure-port: not a port: ${flags.securePort}`);
  const etcdTls =
    flags.etcdCafile === undefined
      ? undefined
      : {
          ca: readFileSync(flags.etcdCafile),
          ...(flags.etcdCertfile === undefined ? {} : { cert: readFileSync(flags.etcdCertfile) }),
          ...(flags.etcdKeyfile === undefined ? {} : { key: readFileSync(flags.etcdKeyfile) }),
        };
  let tls;
  if (flags.insecureHttp) {
    if (!flags.bindAddress.startsWith('127.'))
      throw new Error('--insecure-http is only allowed with a loopback --bind-address');
  } else {
    if (
      flags.tlsCertFile === undefined ||
      flags.tlsPrivateKeyFile === undefined ||
      flags.clientCaFile === undefined
    ) {
      throw new Error(
        'set --tls-cert-file, --tls-private-key-file and --client-ca-file (or --insecure-http on loopback)',
      );
    }
    tls = {
      cert: readFileSync(flags.tlsCertFile, 'utf8'),
      key: readFileSync(flags.tlsPrivateKeyFile, 'utf8'),
      clientCa: readFileSync(flags.clientCaFile, 'utf8'),
    };
  }
  const store = openStore(endpoint, etcdTls === undefined ? {} : { etcdTls });
  const server = new ApiServer({
    store,
    host: flags.bindAddress,
    port,
    allowAnonymous: flags.anonymousAuth,
    ...(tls === undefined ? {} : { tls }),
    ...(flags.advertiseAddress === undefined ? {} : { advertiseIp: flags.advertiseAddress }),
  });
  const { url } = await server.start();
  process.stderr.write(`apiserver: serving on ${url} (datastore: ${store.backend})\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  process.stderr.write('apiserver: shutting down\n');
  await server.stop();
  await store.close();
}
