/**
 * The User-Agent every k8ts component sends, built as client-go's DefaultKubernetesUserAgent
 * (`<command>/<version> (<os>/<arch>) kubernetes/<commit>`, the version cut at its first `-`,
 * the commit at 7 characters or `unknown`) with the component appended as client-go's
 * AddUserAgent does: `k8ts/v1.33.0 (linux/amd64) kubernetes/unknown/kube-scheduler`.
 */
import { versionInfo } from '../version.ts';

const adjustVersion = (v: string): string => (v === '' ? 'unknown' : (v.split('-')[0] ?? v));
const adjustCommit = (c: string): string => (c === '' ? 'unknown' : c.slice(0, 7));

export function defaultUserAgent(component?: string): string {
  const v = versionInfo();
  const base = `k8ts/${adjustVersion(v.gitVersion)} (${v.platform}) kubernetes/${adjustCommit(v.gitCommit)}`;
  return component === undefined || component === '' ? base : `${base}/${component}`;
}
