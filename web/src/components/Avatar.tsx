const PALETTE_SIZE = 8;

/** A stable colour class per name, so CSS (not inline styles) paints it. */
function paletteIndex(name: string): number {
  let hash = 0;
  for (const char of name) hash = (hash * 31 + char.charCodeAt(0)) | 0;
  return Math.abs(hash) % PALETTE_SIZE;
}

/** Initials in a coloured disc, with an optional presence dot (null: not known right now). */
export function Avatar({ name, online }: { name: string; online?: boolean | null }) {
  return (
    <span class={`avatar avatar--c${paletteIndex(name)}`} aria-hidden="true">
      {name.slice(0, 1).toUpperCase()}
      {online !== undefined && (
        <span class={online ? "dot dot--online" : online === null ? "dot dot--unknown" : "dot"} />
      )}
    </span>
  );
}
