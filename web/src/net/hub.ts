import type { HubMessage } from "../../../protocol/wire";
import { parseHubMessage } from "../../../protocol/wire";
import type { SocketEnding, SocketState } from "./socket";
import { endingOf, ManagedSocket } from "./socket";

export interface HubHandlers {
  onFrame(frame: HubMessage): void;
  onState(state: SocketState): void;
  /** Each time the socket (re)opens: the hub does not replay, so the caller resyncs. */
  onOpen(): void;
  /** The socket could not open; the session may be gone. */
  onRefused(): void;
  /** The account or this session ended, or a newer tab took this socket's place: it stays closed. */
  onEnded(ending: Exclude<SocketEnding, { kind: "conversation" }>): void;
}

/** The user's notification socket: presence of connections, unread counts, account events. */
export class HubConnection {
  private readonly socket: ManagedSocket;

  constructor(handlers: HubHandlers) {
    this.socket = new ManagedSocket("/api/me/ws", {
      onFrame: (text) => {
        const parsed = parseHubMessage(text);
        if (parsed.ok) handlers.onFrame(parsed.value);
      },
      onState: (state) => {
        handlers.onState(state);
        if (state === "open") handlers.onOpen();
      },
      onClose: (code, reason, wasOpen) => {
        const ending = endingOf(code, reason);
        // A conversation ending is no business of the hub's: it is one socket more to retry.
        if (ending && ending.kind !== "conversation") {
          handlers.onEnded(ending);
          return false;
        }
        if (!wasOpen) handlers.onRefused();
        return true;
      },
    });
  }

  close(): void {
    this.socket.close();
  }
}
