/**
 * Field paths rendered as upstream's `field.Path.String()`: children joined with `.`, indexes
 * and map keys in brackets without quoting (`spec.containers[0]`, `values[0][app]`). A path
 * is just its string; `''` is the nil root, so `childPath('', 'key')` is `key`.
 */

export function childPath(parent: string, ...names: string[]): string {
  let out = parent;
  for (const name of names) out = out === '' ? name : `${out}.${name}`;
  return out;
}

export function indexPath(parent: string, i: number): string {
  return `${parent}[${i}]`;
}

export function keyPath(parent: string, k: string): string {
  return `${parent}[${k}]`;
}
