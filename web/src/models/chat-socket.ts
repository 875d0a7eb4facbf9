import { effect, signal } from "@preact/signals";
import type { ServerMessage } from "../../../protocol/wire";
import { RoomConnection } from "../net/room";
import type { SocketEnding, SocketState } from "../net/socket";
import type { ChatContext } from "./chat";

/** One kind of frame the room sends, by its type. */
export type RoomFrame<T extends ServerMessage["type"]> = Extract<ServerMessage, { type: T }>;

/**
 * Asks for every frame of one type the room sends (an ack before its message leaves the
 * outbox); each goes to those who asked, in the order they asked.
 */
export type OnFrame = <T extends ServerMessage["type"]>(type: T, hear: (frame: RoomFrame<T>) => void) => void;

type Hearer = (frame: ServerMessage) => void;

export interface ChatSocketHandlers {
  /** The room ended the conversation for this person: `ended` is already true. */
  onEnded(ending: Extract<SocketEnding, { kind: "conversation" }>): void;
  /** The chat closes; the socket can still send. */
  beforeClose(): void;
}

/**
 * The open chat's link to its room: the socket for as long as the chat is open, its state, the
 * pause a rate limit asks for, and how it ended (another tab took its place, the session or the
 * account ended, or the conversation did).
 */
export function chatSocket(
  conversationId: string,
  { session, outbox, page }: Pick<ChatContext, "session" | "outbox" | "page">,
  handlers: ChatSocketHandlers,
) {
  const socketState = signal<SocketState>("connecting");
  /** Sends are paused (rate limited) until this time. */
  const pausedUntil = signal<number | null>(null);
  /** The server ended the conversation: nothing of it is kept, and nothing more can be sent. */
  const ended = signal(false);
  let room: RoomConnection | null = null;
  const hearers: { [type: string]: Hearer[] | undefined } = {};
  const on: OnFrame = (type, hear) => {
    hearers[type] = [...(hearers[type] ?? []), hear as Hearer];
  };

  effect(() => {
    const current = new RoomConnection(conversationId, outbox.conversation(conversationId), {
      onFrame: (frame) => {
        for (const hear of hearers[frame.type] ?? []) hear(frame);
      },
      onState: (state) => {
        socketState.value = state;
      },
      onPaused: (until) => {
        pausedUntil.value = until;
      },
      onEnded: (ending) => {
        if (ending.kind === "replaced") {
          page.replaced.value = true;
          return;
        }
        if (ending.kind !== "conversation") return session.ended(ending);
        ended.value = true;
        handlers.onEnded(ending);
      },
    });
    room = current;
    return () => {
      handlers.beforeClose();
      current.close();
      room = null;
    };
  });

  return {
    /** What the chat model shows of its link to the room. */
    model: { socketState, pausedUntil, ended },
    /** The room's socket, while the chat is open: what the other parts send through. */
    room: (): RoomConnection | null => room,
    on,
  };
}

export type ChatSocket = ReturnType<typeof chatSocket>;
