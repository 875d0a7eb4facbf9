import type { Group, Message } from "../protocol/api";

/**
 * What the Worker and a user's hub tell each other about one of the user's conversations: the
 * room's latest state, kept by the hub for the list's unread counts and previews.
 */
export interface ConversationActivity {
  conversationId: string;
  lastMessage: Message | null;
  unread: number;
  /** In a group: an unread message mentions the user. */
  mentioned?: boolean;
}

/** A group as the Worker tells a hub; the hub adds what the room told it (unread, preview, mention). */
export type GroupView = Omit<Group, "unread" | "lastMessage" | "mentioned" | "muted"> & { muted: boolean };
