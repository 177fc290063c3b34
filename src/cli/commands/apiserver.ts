/**
 * `k8ts apiserver`: runs one API server in the foreground, with kube-apiserver's flag names where
 * they exist (--etcd-servers, --secure-port, --tls-cert-file, ...). The node supervisor runs it as
 * a child process; it stops gracefully on SIGTERM/SIGINT (leaving the kubernetes Endpoints).
 */
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { parseAuthorizationMode } from '../../apiserver/authz/authorization-mode.ts';
import {
  DEFAULT_TOLERATION_SECONDS,
  UPSTREAM_TOLERATION_SECONDS,
} from '../../apiserver/admission/default-toleration-seconds.ts';
import { durationFlag, listFlag, parseGoBool } from '../flag-parsers.ts';

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
  authorizationMode: string;
  serviceAccountKeyFile: string[];
  serviceAccountSigningKeyFile?: string;
  serviceAccountIssuer: string[];
  apiAudiences: string[];
  enableBootstrapTokenAuth: boolean;
  serviceAccountMaxTokenExpiration?: number;
  kubeletClientCertificate?: string;
  kubeletClientKey?: string;
  kubeletCertificateAuthority?: string;
  kubeletPreferredAddressTypes: string[];
  serviceClusterIpRange?: string;
  enableAdmissionPlugins: string[];
  disableAdmissionPlugins: string[];
  defaultNotReadyTolerationSeconds: number;
  defaultUnreachableTolerationSeconds: number;
}

/** Admission plugins that can be turned on. */
const KNOWN_ADMISSION_PLUGINS: ReadonlySet<string> = new Set(['NodeRestriction']);
/** Upstream's default-on plugins that k8ts always runs (naming them is accepted). */
const ALWAYS_ON_ADMISSION_PLUGINS: ReadonlySet<string> = new Set(['NamespaceLifecycle']);
/** Upstream's default-on plugins that `--disable-admission-plugins` can turn off. */
const DEFAULT_ON_ADMISSION_PLUGINS: ReadonlySet<string> = new Set(['ServiceAccount']);

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** kube-apiserver's rule: 0 (no limit), or between 1 hour and 2^32 seconds. Returns seconds. */
export function parseMaxTokenExpiration(value: string): number {
  const seconds = Math.floor(durationFlag(value) / 1000);
  if (seconds !== 0 && (seconds < 3600 || seconds > 2 ** 32)) {
    throw new InvalidArgumentError(
      'the service-account-max-token-expiration must be between 1 hour and 2^32 seconds',
    );
  }
  return seconds;
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
      '--authorization-mode <modes>',
      'ordered list of authorizers: AlwaysAllow, Node, RBAC (kubeadm: Node,RBAC)',
      'AlwaysAllow',
    )
    .option(
      '--no-anonymous-auth',
      'reject unauthenticated requests (401) instead of serving them as system:anonymous',
    )
    .option(
      '--service-account-key-file <file>',
      'PEM public (or private) keys that verify service-account tokens; repeatable (default: the signing key)',
      collect,
      [],
    )
    .option(
      '--service-account-signing-key-file <file>',
      'PEM private key that signs service-account tokens (enables serviceaccounts/<name>/token)',
    )
    .option(
      '--service-account-issuer <url>',
      'token issuer; the first signs, all are accepted; repeatable (default: https://kubernetes.default.svc.cluster.local)',
      collect,
      [],
    )
    .option(
      '--api-audiences <list>',
      'audiences a token must be meant for to call the API (default: the issuers)',
      listFlag,
      [],
    )
    .addOption(
      new Option(
        '--enable-bootstrap-token-auth [bool]',
        'accept bootstrap tokens from kube-system Secrets (k8ts default true, as kubeadm sets it)',
      )
        .argParser(parseGoBool)
        .default(true),
    )
    .option(
      '--service-account-max-token-expiration <duration>',
      'longest token the token subresource issues, e.g. 48h (default: no limit)',
      parseMaxTokenExpiration,
    )
    .option(
      '--kubelet-client-certificate <file>',
      'client certificate presented to node agents (logs, exec, port-forward)',
    )
    .option('--kubelet-client-key <file>', 'key of --kubelet-client-certificate')
    .option(
      '--kubelet-certificate-authority <file>',
      "CA that node agents' serving certificates must chain to (default: not verified, as upstream)",
    )
    .option(
      '--kubelet-preferred-address-types <types>',
      'node address types to reach agents at, in order (default: InternalIP,ExternalIP,Hostname)',
      listFlag,
      [],
    )
    .option(
      '--enable-admission-plugins <plugins>',
      'admission plugins to turn on besides the default ones (kubeadm: NodeRestriction)',
      listFlag,
      [],
    )
    .option(
      '--disable-admission-plugins <plugins>',
      'default-on admission plugins to turn off (k8ts has ServiceAccount)',
      listFlag,
      [],
    )
    .option(
      '--service-cluster-ip-range <cidr>',
      "the range Service ClusterIPs come from (default: 10.96.0.0/12, kubeadm's --service-cidr)",
    )
    .addOption(
      new Option(
        '--default-not-ready-toleration-seconds <seconds>',
        `tolerationSeconds of the not-ready NoExecute toleration new pods get (upstream: ${String(UPSTREAM_TOLERATION_SECONDS)})`,
      )
        .argParser(parseTolerationSeconds)
        .default(DEFAULT_TOLERATION_SECONDS),
    )
    .addOption(
      new Option(
        '--default-unreachable-toleration-seconds <seconds>',
        `tolerationSeconds of the unreachable NoExecute toleration new pods get (upstream: ${String(UPSTREAM_TOLERATION_SECONDS)})`,
      )
        .argParser(parseTolerationSeconds)
        .default(DEFAULT_TOLERATION_SECONDS),
    )
    .action(async (flags: ApiserverFlags) => {
      await runApiserver(flags);
    });
}

/** A non-negative whole number of seconds (kube-apiserver's int64 flag). */
export function parseTolerationSeconds(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n))
    throw new InvalidArgumentError(`${JSON.stringify(value)} is not a whole number of seconds`);
  return n;
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
  // Keys are read before the store opens, so a bad path fails fast. Never log their contents.
  const signingKeyPem =
    flags.serviceAccountSigningKeyFile === undefined
      ? undefined
      : readFileSync(flags.serviceAccountSigningKeyFile, 'utf8');
  const verificationKeysPem = flags.serviceAccountKeyFile.map((f) => readFileSync(f, 'utf8'));
  const kubeletClient = {
    ...(flags.kubeletClientCertificate === undefined
      ? {}
      : { certPem: readFileSync(flags.kubeletClientCertificate, 'utf8') }),
    ...(flags.kubeletClientKey === undefined
      ? {}
      : { keyPem: readFileSync(flags.kubeletClientKey, 'utf8') }),
    ...(flags.kubeletCertificateAuthority === undefined
      ? {}
      : { caPem: readFileSync(flags.kubeletCertificateAuthority, 'utf8') }),
    ...(flags.kubeletPreferredAddressTypes.length === 0
      ? {}
      : { preferredAddressTypes: flags.kubeletPreferredAddressTypes }),
  };
  const authz = parseAuthorizationMode(flags.authorizationMode);
  const admissionPlugins = flags.enableAdmissionPlugins.filter((p) => p !== '');
  const allPlugins = [
    ...KNOWN_ADMISSION_PLUGINS,
    ...DEFAULT_ON_ADMISSION_PLUGINS,
    ...ALWAYS_ON_ADMISSION_PLUGINS,
  ];
  for (const p of admissionPlugins) {
    if (!allPlugins.includes(p))
      throw new Error(
        `--enable-admission-plugins: ${p} is not an admission plugin k8ts has (it has ${allPlugins.join(', ')})`,
      );
  }
  const disabledPlugins = flags.disableAdmissionPlugins.filter((p) => p !== '');
  for (const p of disabledPlugins) {
    if (ALWAYS_ON_ADMISSION_PLUGINS.has(p))
      throw new Error(`--disable-admission-plugins: k8ts cannot run without ${p}`);
    if (!allPlugins.includes(p))
      throw new Error(
        `--disable-admission-plugins: ${p} is not an admission plugin k8ts has (it has ${allPlugins.join(', ')})`,
      );
    if (admissionPlugins.includes(p))
      throw new Error(`${p} is in both --enable-admission-plugins and --disable-admission-plugins`);
  }
  // Loaded here, not at the top: every `k8ts` command shares this module tree, and only this one
  // needs the API server (process start time matters to `k8ts init`).
  const { ApiServer } = await import('../../apiserver/api-server.ts');
  const { openStore } = await import('../../storage/open-store.ts');
  const store = openStore(endpoint, etcdTls === undefined ? {} : { etcdTls });
  const server = new ApiServer({
    authorizationMode: authz.modes,
    enableAdmissionPlugins: admissionPlugins.filter((p) => KNOWN_ADMISSION_PLUGINS.has(p)),
    disableAdmissionPlugins: disabledPlugins,
    store,
    host: flags.bindAddress,
    port,
    allowAnonymous: flags.anonymousAuth,
    enableBootstrapTokenAuth: flags.enableBootstrapTokenAuth,
    ...(signingKeyPem === undefined ? {} : { serviceAccountSigningKeyPem: signingKeyPem }),
    ...(verificationKeysPem.length === 0
      ? {}
      : { serviceAccountVerificationKeysPem: verificationKeysPem }),
    ...(flags.serviceAccountIssuer.length === 0
      ? {}
      : { serviceAccountIssuer: flags.serviceAccountIssuer }),
    ...(flags.apiAudiences.length === 0 ? {} : { apiAudiences: flags.apiAudiences }),
    ...(flags.serviceAccountMaxTokenExpiration === undefined
      ? {}
      : { serviceAccountMaxTokenExpirationSeconds: flags.serviceAccountMaxTokenExpiration }),
    ...(tls === undefined ? {} : { tls }),
    kubeletClient,
    ...(flags.advertiseAddress === undefined ? {} : { advertiseIp: flags.advertiseAddress }),
    ...(flags.serviceClusterIpRange === undefined
      ? {}
      : { serviceClusterIpRange: flags.serviceClusterIpRange }),
    defaultTolerationSeconds: {
      notReadySeconds: flags.defaultNotReadyTolerationSeconds,
      unreachableSeconds: flags.defaultUnreachableTolerationSeconds,
    },
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
