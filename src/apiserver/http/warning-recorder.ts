/**
 * The `Warning` response headers of one request, recorded as upstream's WithWarningRecorder
 * (k8s.io/apiserver/pkg/endpoints/filters/warning.go): `299 - "<text>"`, deduplicated by text,
 * in order, and past 4,096 runes in total every warning is cut to 256 runes. Texts with control
 * characters are dropped, as upstream's NewWarningHeader refuses them.
 */

/** Upstream's truncateAtTotalRunes and truncateItemRunes. */
const TRUNCATE_AT_TOTAL_RUNES = 4 * 1024;
const TRUNCATE_ITEM_RUNES = 256;

// eslint-disable-next-line no-control-regex -- exactly the control characters are refused
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;

/** Upstream's makeQuotedString: only `"` and `\` are escaped. */
function quoted(text: string): string {
  return `"${text.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

function runes(text: string): string[] {
  return Array.from(text);
}

export class WarningRecorder {
  readonly #seen = new Set<string>();
  readonly #ordered: string[] = [];
  #headers: string[] = [];
  #written = 0;
  #truncating = false;

  /** Records one warning (agent `-`); a repeated or empty text is ignored. */
  add(text: string): void {
    if (text.length === 0 || CONTROL.test(text)) return;
    if (this.#truncating && this.#written >= TRUNCATE_AT_TOTAL_RUNES) return;
    if (this.#seen.has(text)) return;
    this.#seen.add(text);
    this.#ordered.push(text);
    let chars = runes(text);
    if (this.#truncating && chars.length > TRUNCATE_ITEM_RUNES) {
      chars = chars.slice(0, TRUNCATE_ITEM_RUNES);
    }
    if (this.#written + chars.length <= TRUNCATE_AT_TOTAL_RUNES || this.#truncating) {
      this.#written += chars.length;
      this.#headers.push(`299 - ${quoted(chars.join(''))}`);
      return;
    }
    // Over the limit: from now on every warning is truncated, the earlier ones included.
    this.#truncating = true;
    this.#written = 0;
    this.#headers = [];
    for (const w of this.#ordered) {
      const cut = runes(w).slice(0, TRUNCATE_ITEM_RUNES);
      this.#written += cut.length;
      this.#headers.push(`299 - ${quoted(cut.join(''))}`);
    }
  }

  /**
   * The `Warning` header values, ready for Node: UTF-8 bytes carried as latin1 characters, so
   * non-ASCII text goes on the wire as Go writes it (Node refuses characters above U+00FF).
   */
  headerValues(): string[] {
    return this.#headers.map((h) => Buffer.from(h, 'utf8').toString('latin1'));
  }

  get isEmpty(): boolean {
    return this.#headers.length === 0;
  }
}
