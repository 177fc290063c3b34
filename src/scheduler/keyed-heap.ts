/**
 * A binary heap of items with unique string keys (upstream's internal/heap): push (replacing an
 * item with the same key), pop the least by `less`, peek, and delete or update by key, all
 * O(log n). `index` maps every key to its slot so by-key operations need no scan.
 */
export class KeyedHeap<T> {
  readonly #items: T[] = [];
  readonly #index = new Map<string, number>();
  readonly #keyOf: (item: T) => string;
  readonly #less: (a: T, b: T) => boolean;

  constructor(keyOf: (item: T) => string, less: (a: T, b: T) => boolean) {
    this.#keyOf = keyOf;
    this.#less = less;
  }

  get size(): number {
    return this.#items.length;
  }

  has(key: string): boolean {
    return this.#index.has(key);
  }

  get(key: string): T | undefined {
    const i = this.#index.get(key);
    return i === undefined ? undefined : this.#items[i];
  }

  peek(): T | undefined {
    return this.#items[0];
  }

  /** Adds `item`, or replaces the item with its key and restores the order. */
  push(item: T): void {
    const key = this.#keyOf(item);
    const i = this.#index.get(key);
    if (i !== undefined) {
      this.#items[i] = item;
      this.#fix(i);
      return;
    }
    this.#items.push(item);
    this.#index.set(key, this.#items.length - 1);
    this.#up(this.#items.length - 1);
  }

  pop(): T | undefined {
    const top = this.#items[0];
    if (top === undefined) return undefined;
    this.delete(this.#keyOf(top));
    return top;
  }

  delete(key: string): T | undefined {
    const i = this.#index.get(key);
    if (i === undefined) return undefined;
    const item = this.#items[i];
    const last = this.#items.length - 1;
    this.#swap(i, last);
    this.#items.pop();
    this.#index.delete(key);
    if (i < this.#items.length) this.#fix(i);
    return item;
  }

  list(): T[] {
    return [...this.#items];
  }

  #fix(i: number): void {
    if (!this.#down(i)) this.#up(i);
  }

  #up(i: number): void {
    let j = i;
    while (j > 0) {
      const parent = (j - 1) >> 1;
      if (!this.#lessAt(j, parent)) break;
      this.#swap(j, parent);
      j = parent;
    }
  }

  #down(i: number): boolean {
    let j = i;
    const n = this.#items.length;
    for (;;) {
      const l = 2 * j + 1;
      if (l >= n) break;
      let m = l;
      if (l + 1 < n && this.#lessAt(l + 1, l)) m = l + 1;
      if (!this.#lessAt(m, j)) break;
      this.#swap(j, m);
      j = m;
    }
    return j > i;
  }

  #lessAt(a: number, b: number): boolean {
    return this.#less(this.#items[a] as T, this.#items[b] as T);
  }

  #swap(a: number, b: number): void {
    if (a === b) return;
    const x = this.#items[a] as T;
    const y = this.#items[b] as T;
    this.#items[a] = y;
    this.#items[b] = x;
    this.#index.set(this.#keyOf(y), a);
    this.#index.set(this.#keyOf(x), b);
  }
}
