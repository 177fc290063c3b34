/**
 * The API objects kubeadm creates so that nodes can join with a bootstrap token (names, rules and
 * subjects as kubeadm's phases/bootstraptoken and phases/uploadconfig), plus the `cluster-info`
 * ConfigMap in kube-public: a kubeconfig with only the cluster's endpoint and CA, readable
 * anonymously, that the bootstrap signer signs with a JWS per token. Pure builders.
 */
import { stringify } from 'yaml';
import type { KubeObject } from '../client/index.ts';
import { CLUSTER_INFO_CONFIGMAP, CLUSTER_INFO_KUBECONFIG_KEY } from '../pki/index.ts';

export type Named = KubeObject & { metadata: { name: string } };

const RBAC_API = 'rbac.authorization.k8s.io';
/** kubeadm's NodeBootstrapTokenAuthGroup. */
export const NODE_BOOTSTRAP_TOKEN_GROUP = 'system:bootstrappers:kubeadm:default-node-token';
export const NODES_GROUP = 'system:nodes';
export const KUBEADM_CONFIG_ROLE = 'kubeadm:nodes-kubeadm-config';
export const KUBELET_CONFIG_ROLE = 'kubeadm:kubelet-config';
export const KUBELET_CONFIG_MAP = 'kubelet-config';
export const CLUSTER_INFO_ROLE = 'kubeadm:bootstrap-signer-clusterinfo';

type Subject = { kind: 'Group' | 'User'; name: string };

function clusterRoleBinding(name: string, role: string, subjects: readonly Subject[]): Named {
  return {
    apiVersion: `${RBAC_API}/v1`,
    kind: 'ClusterRoleBinding',
    metadata: { name },
    roleRef: { apiGroup: RBAC_API, kind: 'ClusterRole', name: role },
    subjects: subjects.map((s) => ({ apiGroup: RBAC_API, ...s })),
  } as Named;
}

function role(namespace: string, name: string, configMap: string): Named {
  return {
    apiVersion: `${RBAC_API}/v1`,
    kind: 'Role',
    metadata: { name, namespace },
    rules: [
      { verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: [configMap] },
    ],
  } as Named;
}

function roleBinding(namespace: string, name: string, subjects: readonly Subject[]): Named {
  return {
    apiVersion: `${RBAC_API}/v1`,
    kind: 'RoleBinding',
    metadata: { name, namespace },
    roleRef: { apiGroup: RBAC_API, kind: 'Role', name },
    subjects: subjects.map((s) => ({ apiGroup: RBAC_API, ...s })),
  } as Named;
}

/** One step of kubeadm's bootstrap-token phase: its output line and the objects it writes. */
export interface RbacStep {
  readonly line: string;
  readonly clusterRoles: readonly Named[];
  readonly clusterRoleBindings: readonly Named[];
}

/** kubeadm's node.AllowBootstrapTokensToGetNodes, AllowBootstrapTokensToPostCSRs, ... */
export function bootstrapTokenRbacSteps(): RbacStep[] {
  const tokens: Subject[] = [{ kind: 'Group', name: NODE_BOOTSTRAP_TOKEN_GROUP }];
  return [
    {
      line: 'Configured RBAC rules to allow Node Bootstrap tokens to get nodes',
      clusterRoles: [
        {
          apiVersion: `${RBAC_API}/v1`,
          kind: 'ClusterRole',
          metadata: { name: 'kubeadm:get-nodes' },
          rules: [{ verbs: ['get'], apiGroups: [''], resources: ['nodes'] }],
        } as Named,
      ],
      clusterRoleBindings: [clusterRoleBinding('kubeadm:get-nodes', 'kubeadm:get-nodes', tokens)],
    },
    {
      line: 'Configured RBAC rules to allow Node Bootstrap tokens to post CSRs in order for nodes to get long term certificate credentials',
      clusterRoles: [],
      clusterRoleBindings: [
        clusterRoleBinding('kubeadm:kubelet-bootstrap', 'system:node-bootstrapper', tokens),
      ],
    },
    {
      line: 'Configured RBAC rules to allow the csrapprover controller automatically approve CSRs from a Node Bootstrap Token',
      clusterRoles: [],
      clusterRoleBindings: [
        clusterRoleBinding(
          'kubeadm:node-autoapprove-bootstrap',
          'system:certificates.k8s.io:certificatesigningrequests:nodeclient',
          tokens,
        ),
      ],
    },
    {
      line: 'Configured RBAC rules to allow certificate rotation for all node client certificates in the cluster',
      clusterRoles: [],
      clusterRoleBindings: [
        clusterRoleBinding(
          'kubeadm:node-autoapprove-certificate-rotation',
          'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient',
          [{ kind: 'Group', name: NODES_GROUP }],
        ),
      ],
    },
  ];
}

/** The kubeconfig in cluster-info, as clientcmd serializes kubeadm's bootstrap config. */
export function clusterInfoKubeconfig(server: string, caPem: string): string {
  return stringify({
    apiVersion: 'v1',
    clusters: [
      {
        cluster: {
          'certificate-authority-data': Buffer.from(caPem).toString('base64'),
          server,
        },
        name: '',
      },
    ],
    contexts: null,
    'current-context': '',
    kind: 'Config',
    preferences: {},
    users: null,
  });
}

export function clusterInfoConfigMap(server: string, caPem: string): Named {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: CLUSTER_INFO_CONFIGMAP, namespace: 'kube-public' },
    data: { [CLUSTER_INFO_KUBECONFIG_KEY]: clusterInfoKubeconfig(server, caPem) },
  } as Named;
}

/** kubeadm's CreateClusterInfoRBACRules: anonymous users may get cluster-info. */
export function clusterInfoRbac(): Named[] {
  return [
    role('kube-public', CLUSTER_INFO_ROLE, CLUSTER_INFO_CONFIGMAP),
    roleBinding('kube-public', CLUSTER_INFO_ROLE, [{ kind: 'User', name: 'system:anonymous' }]),
  ];
}

/** Read access for joining nodes (their token, then their node credentials) to `configMap`. */
export function nodeConfigMapRbac(roleName: string, configMap: string): Named[] {
  return [
    role('kube-system', roleName, configMap),
    roleBinding('kube-system', roleName, [
      { kind: 'Group', name: NODE_BOOTSTRAP_TOKEN_GROUP },
      { kind: 'Group', name: NODES_GROUP },
    ]),
  ];
}
