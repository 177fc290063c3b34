/**
 * The `k8ts join` command kubeadm prints after init and for `token create --print-join-command`:
 * the control-plane endpoint, the token and the CA pin (sha256 of the CA's public key), with
 * kubeadm's line breaks (or on one line, as `--print-join-command` prints it). Pure.
 */
import { caCertHash } from '../pki/index.ts';
import type { BootstrapToken } from '../pki/index.ts';

export interface JoinCommandInput {
  /** `host:port` of the control plane (kubeadm: the server in admin.conf). */
  readonly endpoint: string;
  readonly token: BootstrapToken;
  readonly caPem: string;
  /** Default: `k8ts`. */
  readonly program?: string;
}

/** The words of the command, unquoted (none of them needs quoting). */
export function joinWorkerArgs(input: JoinCommandInput): string[] {
  return [
    input.program ?? 'k8ts',
    'join',
    input.endpoint,
    '--token',
    input.token.value,
    '--discovery-token-ca-cert-hash',
    caCertHash(input.caPem),
  ];
}

/** kubeadm's multi-line form (`\` + newline + tab before the hash). */
export function joinWorkerCommand(input: JoinCommandInput): string {
  const [program, join, endpoint, tokenFlag, token, hashFlag, hash] = joinWorkerArgs(input);
  return `${String(program)} ${String(join)} ${String(endpoint)} ${String(tokenFlag)} ${String(token)} \\\n\t${String(hashFlag)} ${String(hash)}`;
}

/** The server part (`host:port`) of an https URL from a kubeconfig. */
export function endpointOfServer(server: string): string {
  return new URL(server).host;
}
