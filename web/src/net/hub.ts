import type { HubMessage } from "../../../protocol/wire";
import { CLOSE_ACCOUNT_ENDED, parseHubMessage } from "../../../protocol/wire";
import type { SocketState } from "./socket";
import { ManagedSocket } from "./socket";

export interface HubHandlers {
  onFrame(frame: HubMessage): void;
  onState(state: SocketState): void;
  /** Each time the socket (re)opens: the hub does not replay, so the caller resyncs. */
  onOpen(): void;
  /** The socket could not open; the session may be gone. */
  onRefused(): void;
  onEnded(): void;
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
      onClose: (code, wasOpen) => {
        if (code === CLOSE_ACCOUNT_ENDED) {
          handlers.onEnded();
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
