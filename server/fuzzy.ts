/**
 * Typo-tolerant ranking of usernames: exact match, then prefix, then substring, then
 * near matches by edit distance (transpositions count as one edit).
 */

export interface Ranked<T> {
  item: T;
  score: number;
}

/** The trigrams a username is indexed under; boundaries are marked so prefixes weigh more. */
export function trigrams(key: string): string[] {
  const padded = `^${key}$`;
  const grams = new Set<string>();
  for (let i = 0; i + 3 <= padded.length; i++) grams.add(padded.slice(i, i + 3));
  return [...grams];
}

/** Edits tolerated for a query of this length: none for 1–2 letters, up to 3 for long ones. */
export function typoBudget(length: number): number {
  if (length <= 2) return 0;
  if (length <= 4) return 1;
  if (length <= 8) return 2;
  return 3;
}

/** Lower is better; null when the name does not match at all. */
export function matchScore(query: string, name: string): number | null {
  if (name === query) return 0;
  if (name.startsWith(query)) return 1 + (name.length - query.length) / 100;
  // 1–2 letters inside a name would match almost anyone: short queries match by prefix only.
  if (query.length <= 2) return null;
  if (name.includes(query)) return 2 + name.indexOf(query) / 100;
  const budget = typoBudget(query.length);
  if (budget === 0) return null;
  const whole = editDistance(query, name);
  const prefix = editDistance(query, name.slice(0, query.length));
  const distance = Math.min(whole, prefix + 0.5);
  return distance <= budget ? 3 + distance : null;
}

export function rankByName<T>(query: string, items: T[], nameOf: (item: T) => string): T[] {
  const ranked: Ranked<T>[] = [];
  for (const item of items) {
    const score = matchScore(query, nameOf(item));
    if (score !== null) ranked.push({ item, score });
  }
  ranked.sort((a, b) => a.score - b.score || nameOf(a.item).localeCompare(nameOf(b.item)));
  return ranked.map((entry) => entry.item);
}

/** Optimal string alignment distance (Damerau–Levenshtein without repeated edits of a substring). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const row = d[i]!;
      const above = d[i - 1]!;
      row[j] = Math.min(above[j]! + 1, row[j - 1]! + 1, above[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        row[j] = Math.min(row[j]!, d[i - 2]![j - 2]! + 1);
      }
    }
  }
  return d[a.length]![b.length]!;
}

/** The best `limit` of a store's search candidates for `query`: ranking happens here, once, above the port. */
export function rankUsers<T extends { username: string }>(query: string, candidates: T[], limit: number): T[] {
  const key = query.toLowerCase();
  return rankByName(key, candidates, (user) => user.username.toLowerCase()).slice(0, limit);
}
