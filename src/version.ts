/**
 * The version k8ts reports everywhere (CLI, /version, node status): the Kubernetes API version
 * it implements plus a k8ts build suffix, in Kubernetes' gitVersion form.
 */
export const KUBERNETES_VERSION = '1.33.0';
export const K8TS_BUILD = 1;

export interface VersionInfo {
  readonly major: string;
  readonly minor: string;
  readonly gitVersion: string;
  readonly gitCommit: string;
  readonly gitTreeState: string;
  readonly buildDate: string;
  readonly goVersion: string;
  readonly compiler: string;
  readonly platform: string;
}

/** The same fields as Kubernetes' version.Info, so kubectl's `version` reads it unchanged. */
export function versionInfo(): VersionInfo {
  const [major = '1', minor = '0'] = KUBERNETES_VERSION.split('.');
  return {
    major,
    minor,
    gitVersion: `v${KUBERNETES_VERSION}-k8ts.${String(K8TS_BUILD)}`,
    gitCommit: '',
    gitTreeState: 'clean',
    buildDate: '',
    goVersion: `node${process.versions.node}`,
    compiler: 'tsc',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}
