/**
 * The node's pod network: once the node's pod CIDR is known (Node.spec.podCIDR as the node IPAM
 * controller assigned it, else the agent's `--pod-cidr`), the CNI bridge conflist is written for
 * it; containerd picks it up and reports NetworkReady. Until then the node stays NotReady with
 * containerd's "cni config uninitialized", as a kubelet without a network plugin.
 */
import type { Node } from 'kubernetes-types/core/v1.d.ts';
import type { JsonLineLogFn } from '../../util/json-line-log.ts';
import { writeCniBridgeConfig } from './cni-bridge-config.ts';

export interface PodNetworkOptions {
  readonly cniConfDir: string;
  readonly ipamDataDir: string;
  readonly bridge: string;
  /** Used only while Node.spec.podCIDR is empty. */
  readonly fallbackPodCidr?: string | undefined;
  readonly ipMasq?: boolean | undefined;
  readonly log: JsonLineLogFn;
  /** Called after the conflist changed. */
  readonly onChange?: (() => void) | undefined;
}

export class PodNetwork {
  readonly #o: PodNetworkOptions;
  #podCidr: string | undefined;
  #warned = false;

  constructor(options: PodNetworkOptions) {
    this.#o = options;
  }

  /** The CIDR the conflist was last written for. */
  get podCidr(): string | undefined {
    return this.#podCidr;
  }

  /** Writes the conflist for the node's pod CIDR when it is known and the file differs. */
  sync(node: Node | undefined): void {
    const fromNode = node?.spec?.podCIDR ?? '';
    const cidr = fromNode !== '' ? fromNode : this.#o.fallbackPodCidr;
    if (cidr === undefined) {
      if (!this.#warned)
        this.#o.log(
          'warn',
          'no pod CIDR yet (Node.spec.podCIDR is empty and --pod-cidr unset)',
          {},
        );
      this.#warned = true;
      return;
    }
    try {
      // Level-based: the file is compared on every sync (and rewritten if someone changed it).
      const changed = writeCniBridgeConfig(this.#o.cniConfDir, {
        bridge: this.#o.bridge,
        podCidr: cidr,
        ipamDataDir: this.#o.ipamDataDir,
        ipMasq: this.#o.ipMasq,
      });
      this.#podCidr = cidr;
      if (changed) {
        this.#o.log('info', 'wrote the CNI bridge config', {
          podCIDR: cidr,
          bridge: this.#o.bridge,
        });
        this.#o.onChange?.();
      }
    } catch (err: unknown) {
      this.#o.log('error', 'cannot write the CNI config', {
        podCIDR: cidr,
        err: err instanceof Error ? err.message : String(err),
      });
    }
  }
}
