/** What an open group shows, worked out from what its room says: no signals, no DOM. */
type Person = { id: string; username: string };

/** `@` not inside a word or an address, then what could be a username (as protocol/groups.ts reads it). */
const MENTION = /(^|[^A-Za-z0-9_.-])@([A-Za-z0-9_.-]{3,32})/g;

/**
 * The name a `@` candidate stands for among `usernames`: "@bob." ends a sentence, so the longest
 * member name the candidate starts with is the one; null when it names nobody.
 */
function mentionedName(candidate: string, usernames: ReadonlySet<string>): string | null {
  let name = candidate.toLowerCase();
  while (name.length > 0 && !usernames.has(name) && /[._-]$/.test(name)) name = name.slice(0, -1);
  return usernames.has(name) ? name : null;
}

/** "ann is typing…", "ann and bob are typing…", "3 people are typing…"; null when nobody is. */
export function typingSentence(names: readonly string[]): string | null {
  if (names.length === 0) return null;
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return `${names.length} people are typing…`;
}

/** "3 members, 2 online". */
export function membersLine(total: number, online: number): string {
  return `${total} ${total === 1 ? "member" : "members"}, ${online} online`;
}

/** The other members whose read cursor reached `seq`, in the members' order. */
export function readersOf(seq: number, readUpTo: Record<string, number>, members: readonly Person[], me: string) {
  return members.filter((member) => member.id !== me && (readUpTo[member.id] ?? 0) >= seq);
}

/** Where "Seen by" goes: under the person's latest message that someone else has read, and by whom. */
export function seenByLine(
  messages: readonly { id: string; seq: number | null; senderId: string; deleted?: boolean }[],
  readUpTo: Record<string, number>,
  members: readonly Person[],
  me: string,
): { messageId: string; readers: Person[] } | null {
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const message = messages[index]!;
    if (message.senderId !== me || message.seq === null || message.deleted) continue;
    const readers = readersOf(message.seq, readUpTo, members, me);
    if (readers.length > 0) return { messageId: message.id, readers };
  }
  return null;
}

/** "Seen by ann", "Seen by ann and bob", "Seen by 3". */
export function seenByText(names: readonly string[]): string {
  if (names.length <= 2) return `Seen by ${names.join(" and ")}`;
  return `Seen by ${names.length}`;
}

/** A message's text cut where it names members with `@name`. */
export function splitMentions(text: string, usernames: ReadonlySet<string>): { text: string; mention?: string }[] {
  const parts: { text: string; mention?: string }[] = [];
  let from = 0;
  for (const match of text.matchAll(MENTION)) {
    const name = mentionedName(match[2]!, usernames);
    if (name === null) continue;
    const start = match.index + match[1]!.length;
    if (start > from) parts.push({ text: text.slice(from, start) });
    parts.push({ text: text.slice(start, start + name.length + 1), mention: name });
    from = start + name.length + 1;
  }
  if (from < text.length) parts.push({ text: text.slice(from) });
  return parts;
}
