/**
 * The error every configuration check throws, and the "did you mean" suggestion it carries.
 *
 * @module
 */
import { KafkaClientError } from '@tskafka/protocol';

/**
 * An unknown or ill-typed configuration key, a value out of range, or a conflict between keys.
 * `key` is the name as the user wrote it (`linger.ms` or `lingerMs`); `suggestion`, for an
 * unknown key or value, the nearest valid one. Not retriable: the configuration must change.
 */
export class ConfigError extends KafkaClientError {
  /**
   * @param key - the offending key, as given.
   * @param detail - what is wrong with it.
   * @param suggestion - the nearest valid key (or value), when one is close enough.
   * @param source - where the key came from, e.g. a properties file and line, when known.
   */
  constructor(
    readonly key: string,
    readonly detail: string,
    readonly suggestion?: string,
    readonly source?: string,
  ) {
    super(
      `${source === undefined ? '' : `${source}: `}${key}: ${detail}` +
        (suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`),
    );
  }
}

/**
 * The candidate closest to `name` by Damerau–Levenshtein distance (adjacent transpositions count
 * as one edit; case is ignored), if it is reasonably close: at most 3 edits, or a third of the
 * name's length for long names. Ties go to the earlier candidate. Failing that, the only
 * candidate that `name` (3 characters or more) is the start of: `SASL_PLAIN` suggests
 * `SASL_PLAINTEXT`.
 */
export function nearest(name: string, candidates: Iterable<string>): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  const extending: string[] = [];
  for (const candidate of candidates) {
    const c = candidate.toLowerCase();
    const d = editDistance(lower, c);
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
    if (lower.length >= 3 && c.startsWith(lower)) extending.push(candidate);
  }
  if (bestDistance <= Math.max(3, Math.floor(name.length / 3))) return best;
  return extending.length === 1 ? extending[0] : undefined;
}

/**
 * The optimal-string-alignment edit distance between `a` and `b`: insertions, deletions,
 * substitutions and transpositions of adjacent characters, each costing one.
 */
export function editDistance(a: string, b: string): number {
  const n = b.length;
  let prev2 = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  let row = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    row[0] = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2] + 1);
      row[j] = d;
    }
    [prev2, prev, row] = [prev, row, prev2];
  }
  return prev[n];
}
