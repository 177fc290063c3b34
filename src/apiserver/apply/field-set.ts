/**
 * A set of field paths, as structured-merge-diff's fieldpath.Set: a trie whose nodes hold
 * `members` (paths that end here) and `children` (subtrees by path element). A path being in
 * the set does not put its parents in the set. Invariant: no child subtree is empty. Sets are
 * immutable once built (the operations return new sets and may share subtrees).
 *
 *   {"f:spec":{"f:replicas":{}}}   members: {}         children: {spec -> members: {replicas}}
 *
 * Union, intersection and difference follow upstream exactly, including difference's
 * "parent - child = parent, child - parent = empty" rule and recursiveDifference, which
 * removes a member's whole subtree.
 */
import type { Path, PathElement } from './path-element.ts';
import { comparePathElements } from './path-element.ts';

interface Child {
  readonly pe: PathElement;
  readonly set: FieldSet;
}

export class FieldSet {
  /** Paths ending at this node, by PathElement key. */
  readonly members: Map<string, PathElement>;
  /** Subtrees, by PathElement key. */
  readonly children: Map<string, Child>;

  constructor(members = new Map<string, PathElement>(), children = new Map<string, Child>()) {
    this.members = members;
    this.children = children;
  }

  static of(...paths: Path[]): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  /** Adds a path (not its parents). Only for sets under construction. */
  insert(path: Path): void {
    let node = FieldSet.#self(this);
    for (let i = 0; i < path.length - 1; i++) {
      const pe = path[i] as PathElement;
      let child = node.children.get(pe.key);
      if (child === undefined) {
        child = { pe, set: new FieldSet() };
        node.children.set(pe.key, child);
      }
      node = child.set;
    }
    const last = path[path.length - 1];
    if (last !== undefined) node.members.set(last.key, last);
  }

  /** Walks start at `set` itself (a function, as lint forbids aliasing `this`). */
  static #self(set: FieldSet): FieldSet {
    return set;
  }

  /** Adds one member at this node. Only for sets under construction. */
  addMember(pe: PathElement): void {
    this.members.set(pe.key, pe);
  }

  /** Adds a non-empty subtree at this node (unioned with an existing one). */
  addChild(pe: PathElement, set: FieldSet): void {
    if (set.isEmpty()) return;
    const have = this.children.get(pe.key);
    this.children.set(pe.key, { pe, set: have === undefined ? set : have.set.union(set) });
  }

  isEmpty(): boolean {
    if (this.members.size > 0) return false;
    for (const c of this.children.values()) if (!c.set.isEmpty()) return false;
    return true;
  }

  has(path: Path): boolean {
    let node: FieldSet | undefined = FieldSet.#self(this);
    for (let i = 0; i < path.length - 1; i++) {
      node = node.children.get((path[i] as PathElement).key)?.set;
      if (node === undefined) return false;
    }
    const last = path[path.length - 1];
    return last !== undefined && node.members.has(last.key);
  }

  /** The subtree below `pe` (a new empty set when none). */
  withPrefix(pe: PathElement): FieldSet {
    return this.children.get(pe.key)?.set ?? new FieldSet();
  }

  union(other: FieldSet): FieldSet {
    if (other.isEmpty()) return this;
    if (this.isEmpty()) return other;
    const members = new Map(this.members);
    for (const [k, pe] of other.members) members.set(k, pe);
    const children = new Map(this.children);
    for (const [k, c] of other.children) {
      const mine = children.get(k);
      children.set(k, mine === undefined ? c : { pe: c.pe, set: mine.set.union(c.set) });
    }
    return new FieldSet(members, children);
  }

  /** Leaf elements in both sets (a child subtree only where both have one). */
  intersection(other: FieldSet): FieldSet {
    const members = new Map<string, PathElement>();
    for (const [k, pe] of this.members) if (other.members.has(k)) members.set(k, pe);
    const children = new Map<string, Child>();
    for (const [k, c] of this.children) {
      const theirs = other.children.get(k);
      if (theirs === undefined) continue;
      const set = c.set.intersection(theirs.set);
      if (!set.isEmpty()) children.set(k, { pe: c.pe, set });
    }
    return new FieldSet(members, children);
  }

  /** Members of this set not in `other`; subtrees recursively (parent - child = parent). */
  difference(other: FieldSet): FieldSet {
    if (other.isEmpty()) return this;
    const members = new Map<string, PathElement>();
    for (const [k, pe] of this.members) if (!other.members.has(k)) members.set(k, pe);
    const children = new Map<string, Child>();
    for (const [k, c] of this.children) {
      const theirs = other.children.get(k);
      if (theirs === undefined) {
        children.set(k, c);
        continue;
      }
      const set = c.set.difference(theirs.set);
      if (!set.isEmpty()) children.set(k, { pe: c.pe, set });
    }
    return new FieldSet(members, children);
  }

  /** Like difference, but a member of `other` also removes this set's subtree below it. */
  recursiveDifference(other: FieldSet): FieldSet {
    if (other.isEmpty()) return this;
    const members = new Map<string, PathElement>();
    for (const [k, pe] of this.members) if (!other.members.has(k)) members.set(k, pe);
    const children = new Map<string, Child>();
    for (const [k, c] of this.children) {
      if (other.members.has(k)) continue;
      const theirs = other.children.get(k);
      if (theirs === undefined) {
        children.set(k, c);
        continue;
      }
      const set = c.set.recursiveDifference(theirs.set);
      if (!set.isEmpty()) children.set(k, { pe: c.pe, set });
    }
    return new FieldSet(members, children);
  }

  equals(other: FieldSet): boolean {
    return this.difference(other).isEmpty() && other.difference(this).isEmpty();
  }

  /** Members and children of this node merged in upstream's order (duplicates once). */
  sortedElements(): { pe: PathElement; member: boolean; child: FieldSet | undefined }[] {
    // Children are never empty (the class invariant), so no emptiness checks here.
    const out: { pe: PathElement; member: boolean; child: FieldSet | undefined }[] = [];
    for (const pe of this.members.values()) {
      out.push({ pe, member: true, child: this.children.get(pe.key)?.set });
    }
    for (const c of this.children.values()) {
      if (!this.members.has(c.pe.key)) out.push({ pe: c.pe, member: false, child: c.set });
    }
    if (out.length > 1) out.sort((a, b) => comparePathElements(a.pe, b.pe));
    return out;
  }

  /**
   * Every member path in upstream's Iterate order: a node's members (sorted), then its children's
   * subtrees (sorted).
   */
  paths(): Path[] {
    const out: Path[] = [];
    const walk = (set: FieldSet, prefix: Path): void => {
      const members = [...set.members.values()].sort(comparePathElements);
      for (const pe of members) out.push([...prefix, pe]);
      const children = [...set.children.values()].sort((a, b) => comparePathElements(a.pe, b.pe));
      for (const c of children) walk(c.set, [...prefix, c.pe]);
    };
    walk(this, []);
    return out;
  }

  /** Number of member paths. */
  get size(): number {
    let n = this.members.size;
    for (const c of this.children.values()) n += c.set.size;
    return n;
  }
}
