/**
 * A label selector, with upstream's semantics (k8s.io/apimachinery/pkg/labels, v1.33): an AND
 * of requirements sorted by key. Two special selectors, as upstream: `everything()` (no
 * requirements, `isEmpty()`, matches all) and `nothing()` (matches none) — a null
 * metav1.LabelSelector becomes nothing(), an empty one everything(). Immutable.
 */
import { aggregateMessage } from '../validation/field-error.ts';
import { compareGoStrings, goQuote } from '../validation/go-format.ts';
import type { LabelSelectorObject } from '../validation/labels.ts';
import type { SelectorLimits } from './errors.ts';
import { checkSelectorLength, InvalidRequirementError } from './errors.ts';
import { parseLabelRequirements } from './label-parser.ts';
import type { LabelOperator, LabelRequirement, Labels } from './label-requirement.ts';
import { newRequirement, requirementMatches, requirementString } from './label-requirement.ts';

export type { LabelSelectorObject } from '../validation/labels.ts';

const OBJECT_OPERATORS: Readonly<Record<string, LabelOperator>> = {
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
};

export class LabelSelector {
  /** Sorted by key (stable). Empty for everything() and nothing(). */
  readonly requirements: readonly LabelRequirement[];
  /** True only for nothing(). */
  readonly selectsNothing: boolean;

  private constructor(requirements: readonly LabelRequirement[], selectsNothing: boolean) {
    this.requirements = requirements;
    this.selectsNothing = selectsNothing;
  }

  private static readonly EVERYTHING = new LabelSelector([], false);
  private static readonly NOTHING = new LabelSelector([], true);

  /** Upstream's labels.Everything(): matches every set of labels. */
  static everything(): LabelSelector {
    return LabelSelector.EVERYTHING;
  }

  /** Upstream's labels.Nothing(): matches no set of labels. */
  static nothing(): LabelSelector {
    return LabelSelector.NOTHING;
  }

  /**
   * Upstream's labels.Parse: `''` is everything(). Throws SelectorParseError with upstream's
   * message, or SelectorTooLongError past `limits` (a k8ts bound).
   */
  static parse(selector: string, limits: SelectorLimits = {}): LabelSelector {
    checkSelectorLength('label', selector, limits);
    const requirements = parseLabelRequirements(selector, limits);
    return requirements.length === 0
      ? LabelSelector.EVERYTHING
      : new LabelSelector(requirements, false);
  }

  /**
   * Upstream's metav1.LabelSelectorAsSelector: null/undefined is nothing(), no labels and no
   * expressions is everything(). Throws InvalidRequirementError with upstream's message: the
   * aggregate of NewRequirement's field errors, or `"Foo" is not a valid label selector operator`.
   */
  static fromObject(selector: LabelSelectorObject | null | undefined): LabelSelector {
    if (selector === null || selector === undefined) return LabelSelector.NOTHING;
    const matchLabels = Object.entries(selector.matchLabels ?? {});
    const expressions = selector.matchExpressions ?? [];
    if (matchLabels.length + expressions.length === 0) return LabelSelector.EVERYTHING;
    const requirements: LabelRequirement[] = [];
    const add = (key: string, op: LabelOperator, values: readonly string[] | null): void => {
      const { requirement, errors } = newRequirement(key, op, values);
      const agg = aggregateMessage(errors);
      if (agg !== undefined || requirement === undefined) {
        throw new InvalidRequirementError(agg ?? '', errors);
      }
      requirements.push(requirement);
    };
    for (const [k, v] of matchLabels) add(k, '=', [v]);
    for (const expr of expressions) {
      const op = Object.hasOwn(OBJECT_OPERATORS, expr.operator)
        ? OBJECT_OPERATORS[expr.operator]
        : undefined;
      if (op === undefined) {
        const message = `${goQuote(expr.operator)} is not a valid label selector operator`;
        throw new InvalidRequirementError(message, []);
      }
      // Upstream copies with append([]string(nil), ...): an empty list becomes a nil slice.
      const values = expr.values ?? [];
      add(expr.key, op, values.length === 0 ? null : values);
    }
    requirements.sort((a, b) => compareGoStrings(a.key, b.key));
    return new LabelSelector(requirements, false);
  }

  /** Upstream's Matches: every requirement holds (always true for everything()). */
  matches(labels: Labels | null | undefined): boolean {
    if (this.selectsNothing) return false;
    const set = labels ?? {};
    return this.requirements.every((r) => requirementMatches(r, set));
  }

  /** Upstream's Empty(): true when nothing is restricted (everything()), false for nothing(). */
  isEmpty(): boolean {
    return !this.selectsNothing && this.requirements.length === 0;
  }

  /** Upstream's RequiresExactMatch: the value the first requirement on `key` pins, if any. */
  requiresExactMatch(key: string): string | undefined {
    const r = this.requirements.find((x) => x.key === key);
    if (r === undefined) return undefined;
    const exact = r.operator === '=' || r.operator === '==' || r.operator === 'in';
    return exact && r.values.length === 1 ? r.values[0] : undefined;
  }

  /** Upstream's String(): requirements joined by `,`; `''` for everything() and nothing(). */
  toString(): string {
    return this.requirements.map(requirementString).join(',');
  }
}
