/**
 * Accept-header negotiation as kube-openapi's handlers do it (github.com/munnerz/goautoneg):
 * clauses sorted by q, then concrete type before `*`, then concrete subtype before `*`; the first
 * clause that matches an offer, in the offers' order, wins. Parameters other than q are ignored,
 * and q=0 is not treated as a refusal (goautoneg's callers do not either).
 */

export interface AcceptClause {
  readonly type: string;
  readonly subType: string;
  readonly q: number;
}

/** goautoneg.ParseAccept. An empty header means `*\/*` to the callers. */
export function parseAccept(header: string): AcceptClause[] {
  const clauses: AcceptClause[] = [];
  for (const raw of header.split(',')) {
    const parts = raw.trim().split(';');
    const range = (parts[0] ?? '').split('/');
    const type = (range[0] ?? '').trim();
    let subType: string;
    if (range.length === 1 && type === '*') subType = '*';
    else if (range.length === 2) subType = (range[1] ?? '').trim();
    else continue;
    let q = 1;
    for (const param of parts.slice(1)) {
      const eq = param.indexOf('=');
      if (eq < 0) continue;
      if (param.slice(0, eq).trim() === 'q') {
        const parsed = Number.parseFloat(param.slice(eq + 1));
        q = Number.isNaN(parsed) ? 0 : parsed;
      }
    }
    clauses.push({ type, subType, q });
  }
  // goautoneg's Less, applied by insertion sort as Go's sort.Sort does on short lists: Less
  // is not a strict order (a lower q can still sort first), so the algorithm matters.
  const less = (a: AcceptClause, b: AcceptClause): boolean =>
    a.q > b.q || (a.type !== '*' && b.type === '*') || (a.subType !== '*' && b.subType === '*');
  for (let i = 1; i < clauses.length; i++) {
    for (let j = i; j > 0; j--) {
      const cur = clauses[j];
      const prev = clauses[j - 1];
      if (cur === undefined || prev === undefined || !less(cur, prev)) break;
      clauses[j] = prev;
      clauses[j - 1] = cur;
    }
  }
  return clauses;
}

/**
 * The first offer (`type/subtype`) a clause of `accept` matches, walking clauses in preference
 * order and offers in the server's order; undefined when none does (a 406).
 */
export function negotiate<T extends { readonly mediaType: string }>(
  accept: string | undefined,
  offers: readonly T[],
): T | undefined {
  const header = accept === undefined || accept === '' ? '*/*' : accept;
  for (const clause of parseAccept(header)) {
    for (const offer of offers) {
      const [type, subType] = offer.mediaType.split('/');
      if (clause.type !== type && clause.type !== '*') continue;
      if (clause.subType !== subType && clause.subType !== '*') continue;
      return offer;
    }
  }
  return undefined;
}
