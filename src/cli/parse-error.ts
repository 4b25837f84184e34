// Node's parseArgs errors (ERR_PARSE_ARGS_*) rewritten as one plain line, with a
// "did you mean" suggestion for a mistyped flag.

/** FlagSpec is the part of a parseArgs option the messages need. */
export interface FlagSpec {
  type: "string" | "boolean";
  short?: string;
}

/**
 * describeParseError turns an error thrown by parseArgs into a one-line message such as
 * `unknown option --prot (did you mean --port?)`; `flags` are the parseArgs options.
 */
export function describeParseError(err: unknown, flags: Record<string, FlagSpec>): string {
  const message = err instanceof Error ? err.message : String(err);
  const unknown = /^Unknown option '([^']+)'/.exec(message);
  if (unknown !== null) {
    const guess = nearestFlag(unknown[1], Object.keys(flags));
    return `unknown option ${unknown[1]}${guess === null ? "" : ` (did you mean ${guess}?)`}`;
  }
  const option = /^Option '(?:-\w, )?(--[\w-]+)[^']*'/.exec(message);
  if (option !== null) {
    const flag = option[1];
    if (message.includes("does not take an argument")) return `${flag} takes no value`;
    if (message.includes("ambiguous")) return `${flag} needs a value; for one that starts with "-", write ${flag}=VALUE`;
    return `${flag} needs a value`;
  }
  const positional = /^Unexpected argument '([^']+)'/.exec(message);
  if (positional !== null) return `unexpected argument ${positional[1]}`;
  return message.split(/\.\s|\n/)[0];
}

/** nearestFlag suggests the known long flag closest to `given` (edit distance at most 2, or a prefix). */
export function nearestFlag(given: string, names: string[]): string | null {
  const bare = given.replace(/^-+/, "").split("=")[0];
  if (bare.length < 2) return null;
  let best: string | null = null;
  let bestDistance = 3;
  for (const name of names) {
    const d = name.startsWith(bare) ? 1 : editDistance(bare, name);
    if (d < bestDistance) [best, bestDistance] = [name, d];
  }
  return best === null ? null : `--${best}`;
}

/** editDistance is the Damerau–Levenshtein distance (adjacent swaps count once), so "prot" is 1 from "port". */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) rows.push([i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2][j - 2] + 1);
      rows[i][j] = d;
    }
  }
  return rows[a.length][b.length];
}
