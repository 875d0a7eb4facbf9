/** A run of message text: plain, or a web address to show as a link. */
export type TextPart = { text: string; href?: string };

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"]+/gi;
/** Punctuation that usually ends the sentence around an address rather than the address. */
const TRAILING = /[.,;:!?'")\]]+$/;

/**
 * Splits text into plain runs and http(s) addresses, for rendering as text nodes and anchors
 * (never as HTML). An address that the URL parser refuses stays text.
 */
export function splitLinks(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let from = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    let candidate = match[0];
    // A closing bracket belongs to the address when it opened one: (see https://x.org/a_(b)).
    const trailing = TRAILING.exec(candidate)?.[0] ?? "";
    let cut = trailing.length;
    if (trailing.startsWith(")") && candidate.slice(0, -cut).includes("(")) cut -= 1;
    candidate = candidate.slice(0, candidate.length - cut);
    const href = safeHref(candidate);
    if (!href) continue;
    if (match.index > from) parts.push({ text: text.slice(from, match.index) });
    parts.push({ text: candidate, href });
    from = match.index + candidate.length;
  }
  if (from < text.length) parts.push({ text: text.slice(from) });
  return parts;
}

function safeHref(candidate: string): string | null {
  try {
    const url = new URL(candidate);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}
