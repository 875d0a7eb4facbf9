import type { ConnectionRemovalReason } from "../../../protocol/wire";

/** A conversation that ended while this screen was open, kept (with no content) to say so. */
export interface Departure {
  conversationId: string;
  /** The other person's name, as the list knew it. */
  username: string;
  reason: ConnectionRemovalReason;
}

export const CONVERSATION_DELETED = "This conversation was deleted.";

/** What the person reads about a departure. */
export function departureNotice(departure: Departure): string {
  return departure.reason === "account-ended"
    ? `${departure.username}'s account ended; your conversation with them was deleted.`
    : CONVERSATION_DELETED;
}
