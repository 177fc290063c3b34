/**
 * The process specs of a control-plane node (pure): a stacked etcd member with client and peer
 * TLS, and the API server, controller manager and scheduler as `k8ts <component>` commands with
 * kube-apiserver's / kube-controller-manager's / kube-scheduler's flag names as kubeadm writes
 * them. Specs name key files by path only.
 */
import { join } from 'node:path';
import type { ProcessSpec } from '../../node/process-spec.ts';
import type { K8tsExecutable } from '../../node/k8ts-executable.ts';
import { certPair, kubeconfigPath } from '../cluster-paths.ts';
import { etcdClientUrl, etcdPeerUrl, isLoopback } from './init-config.ts';
import type { InitConfig } from './init-config.ts';

/** etcd 3.4 from Debian. */
export const ETCD_BINARY = '/usr/bin/etcd';

export function etcdSpec(config: InitConfig, etcdBinary = ETCD_BINARY): ProcessSpec {
  const { paths } = config;
  const server = certPair(paths, 'etcd/server');
  const peer = certPair(paths, 'etcd/peer');
  const ca = certPair(paths, 'etcd/ca').cert;
  const clientUrl = etcdClientUrl(config);
  const peerUrl = etcdPeerUrl(config);
  // kubeadm also listens on 127.0.0.1; a loopback node listens only on its own address, so
  // several nodes fit on one machine.
  const listenClient = isLoopback(config.advertiseAddress)
    ? clientUrl
    : `https://127.0.0.1:${String(config.etcdClientPort)},${clientUrl}`;
  return {
    name: 'etcd',
    command: etcdBinary,
    args: [
      `--name=${config.nodeName}`,
      `--data-dir=${paths.etcdDataDir}`,
      `--listen-client-urls=${listenClient}`,
      `--advertise-client-urls=${clientUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=${config.nodeName}=${peerUrl}`,
      '--initial-cluster-state=new',
      `--cert-file=${server.cert}`,
      `--key-file=${server.key}`,
      '--client-cert-auth=true',
      `--trusted-ca-file=${ca}`,
      `--peer-cert-file=${peer.cert}`,
      `--peer-key-file=${peer.key}`,
      '--peer-client-cert-auth=true',
      `--peer-trusted-ca-file=${ca}`,
      '--snapshot-count=10000',
      // The store's watch bookmarks advance on progress notifications (etcd's default: 10 min).
      '--experimental-watch-progress-notify-interval=5s',
      // Without pre-vote a member that rejoins after a partition disrupts the leader (term jump).
      '--pre-vote',
      '--logger=zap',
      '--log-outputs=stderr',
    ],
    env: {},
  };
}

function k8ts(exe: K8tsExecutable, name: string, args: string[]): ProcessSpec {
  const component = name.replace(/^kube-/, '');
  return { name, command: exe.command, args: [...exe.args, component, ...args], env: {} };
}

export function apiServerSpec(config: InitConfig, exe: K8tsExecutable): ProcessSpec {
  const { paths } = config;
  const tls = certPair(paths, 'apiserver');
  const etcdClient = certPair(paths, 'apiserver-etcd-client');
  const kubeletClient = certPair(paths, 'apiserver-kubelet-client');
  const external = config.externalEtcd;
  const datastore =
    config.datastore === 'etcd'
      ? [
          `--etcd-servers=${etcdClientUrl(config)}`,
          `--etcd-cafile=${certPair(paths, 'etcd/ca').cert}`,
          `--etcd-certfile=${etcdClient.cert}`,
          `--etcd-keyfile=${etcdClient.key}`,
        ]
      : external !== undefined
        ? [
            `--etcd-servers=${external.endpoints.join(',')}`,
            ...(external.caFile === undefined ? [] : [`--etcd-cafile=${external.caFile}`]),
            ...(external.certFile === undefined ? [] : [`--etcd-certfile=${external.certFile}`]),
            ...(external.keyFile === undefined ? [] : [`--etcd-keyfile=${external.keyFile}`]),
          ]
        : [`--datastore-endpoint=sqlite:${paths.sqliteFile}`];
  return k8ts(exe, 'kube-apiserver', [
    `--advertise-address=${config.advertiseAddress}`,
    // kubeadm binds 0.0.0.0; a loopback node binds its own address so several fit on one host.
    `--bind-address=${isLoopback(config.advertiseAddress) ? config.advertiseAddress : '0.0.0.0'}`,
    `--secure-port=${String(config.bindPort)}`,
    '--authorization-mode=Node,RBAC',
    `--client-ca-file=${certPair(paths, 'ca').cert}`,
    '--enable-admission-plugins=NodeRestriction',
    '--enable-bootstrap-token-auth=true',
    ...datastore,
    `--service-cluster-ip-range=${config.serviceCidr}`,
    `--service-account-issuer=https://kubernetes.default.svc.${config.dnsDomain}`,
    `--service-account-key-file=${join(paths.pkiDir, 'sa.pub')}`,
    `--service-account-signing-key-file=${join(paths.pkiDir, 'sa.key')}`,
    `--tls-cert-file=${tls.cert}`,
    `--tls-private-key-file=${tls.key}`,
    `--kubelet-client-certificate=${kubeletClient.cert}`,
    `--kubelet-client-key=${kubeletClient.key}`,
    '--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname',
  ]);
}

export function controllerManagerSpec(config: InitConfig, exe: K8tsExecutable): ProcessSpec {
  const { paths } = config;
  const ca = certPair(paths, 'ca');
  return k8ts(exe, 'kube-controller-manager', [
    `--kubeconfig=${kubeconfigPath(paths, 'controller-manager.conf')}`,
    `--cluster-signing-cert-file=${ca.cert}`,
    `--cluster-signing-key-file=${ca.key}`,
    `--root-ca-file=${ca.cert}`,
    '--leader-elect=true',
    // kubeadm's choice: the bootstrap signer and token cleaner are off by default upstream.
    '--controllers=*,bootstrapsigner,tokencleaner',
    '--use-service-account-credentials=true',
    `--node-name=${config.nodeName}`,
    ...(config.podNetworkCidr === undefined
      ? []
      : ['--allocate-node-cidrs=true', `--cluster-cidr=${config.podNetworkCidr}`]),
  ]);
}

export function schedulerSpec(config: InitConfig, exe: K8tsExecutable): ProcessSpec {
  return k8ts(exe, 'kube-scheduler', [
    `--kubeconfig=${kubeconfigPath(config.paths, 'scheduler.conf')}`,
    '--leader-elect=true',
  ]);
}

/** The control-plane specs init writes (etcd's is the etcd phase's). */
export function controlPlaneSpecs(config: InitConfig, exe: K8tsExecutable): ProcessSpec[] {
  return [
    apiServerSpec(config, exe),
    controllerManagerSpec(config, exe),
    schedulerSpec(config, exe),
  ];
}
