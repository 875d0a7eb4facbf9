/**
 * What both sides of a group read alike: the sentence of a system line, and who a message
 * mentions. No Workers or DOM imports.
 */
import type { SystemEvent } from "./wire";

/** "bob", "bob and carol", "bob, carol and dan". */
function names(targets: SystemEvent["targets"]): string {
  const all = targets.map((target) => target.username);
  if (all.length <= 1) return all[0] ?? "nobody";
  return `${all.slice(0, -1).join(", ")} and ${all.at(-1)}`;
}

/** The sentence people read for a change to a group: "ann added bob and carol". */
export function describeSystemEvent(event: SystemEvent): string {
  const actor = event.actor?.username ?? "someone";
  const targets = names(event.targets);
  switch (event.event) {
    case "created":
      return `${actor} created the group “${event.name ?? ""}”`;
    case "added":
      return `${actor} added ${targets}`;
    case "removed":
      return `${actor} removed ${targets}`;
    case "left":
      // Whoever left is the actor; a line written with only a target reads the same.
      return `${event.actor ? actor : targets} left`;
    case "renamed":
      return `${actor} renamed the group to “${event.name ?? ""}”`;
    case "admin":
      return `${actor} made ${targets} ${event.targets.length > 1 ? "admins" : "an admin"}`;
    case "account-ended":
      return event.targets.length > 1 ? `${targets}'s accounts ended` : `${targets}'s account ended`;
  }
}

/** Characters of a username (API.md): a mention is `@` and a run of these. */
const MENTION = /(?<![A-Za-z0-9_.-])@([A-Za-z0-9_.-]+)/g;

/**
 * The usernames, lower-cased, that `body` mentions as `@name`, whole names only and ignoring
 * case: "@bob." mentions bob (a sentence's full stop), "@bobby" and "x@bob" do not.
 */
export function mentionedNames(body: string): Set<string> {
  const found = new Set<string>();
  for (const match of body.matchAll(MENTION)) {
    const token = (match[1] ?? "").toLowerCase();
    found.add(token);
    // Punctuation that ends a sentence may follow the name; names may hold . and - inside.
    const trimmed = token.replace(/[.-]+$/, "");
    if (trimmed) found.add(trimmed);
  }
  return found;
}
