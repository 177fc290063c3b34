/**
 * The image-name rule behind upstream's imagePullPolicy default (pkg/util/parsers.ParseImageName
 * over the distribution reference grammar): a reference without tag or digest means `:latest`;
 * one that does not parse has no tag at all. Bracketed IPv6 registry hosts are not recognised
 * (they parse as invalid, hence `IfNotPresent`).
 */

const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*(?::[0-9]+)?`;
const NAME = `(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE_RE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const HEX64_RE = /^[a-f0-9]{64}$/;
const NAME_TOTAL_LENGTH_MAX = 255;

/** The tag ParseImageName reports: the given tag, `latest` when neither tag nor digest, else ''. */
export function imageTag(image: string): string {
  if (HEX64_RE.test(image)) return '';
  const m = REFERENCE_RE.exec(image);
  if (m === null) return '';
  const [, name = '', tag = '', digest = ''] = m;
  if (name.length > NAME_TOTAL_LENGTH_MAX) return '';
  return tag === '' && digest === '' ? 'latest' : tag;
}

/** SetDefaults_Container's rule: `Always` for `:latest` (explicit or implied), else `IfNotPresent`. */
export function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  return imageTag(image) === 'latest' ? 'Always' : 'IfNotPresent';
}
