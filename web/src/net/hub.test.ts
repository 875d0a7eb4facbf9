import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CLOSE_ACCOUNT_ENDED, CLOSE_CONVERSATION_ENDED, CLOSE_SESSION_ENDED } from "../../../protocol/wire";
import { FakeWebSocket, installFakeBrowser } from "../../../test/web/fake-websocket";
import type { HubHandlers } from "./hub";
import { HubConnection } from "./hub";

let hub: HubConnection | undefined;

function connect() {
  const on = {
    onFrame: vi.fn<HubHandlers["onFrame"]>(),
    onState: vi.fn<HubHandlers["onState"]>(),
    onOpen: vi.fn<HubHandlers["onOpen"]>(),
    onRefused: vi.fn<HubHandlers["onRefused"]>(),
    onEnded: vi.fn<HubHandlers["onEnded"]>(),
  };
  hub = new HubConnection(on);
  const socket = FakeWebSocket.created.at(-1)!;
  socket.readyState = FakeWebSocket.OPEN;
  (socket.onopen as unknown as () => void)();
  return { on, socket };
}

beforeEach(() => {
  vi.useFakeTimers();
  installFakeBrowser();
});

afterEach(() => {
  hub?.close();
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("the hub socket closed by the server", () => {
  it("reports a session logged out in another tab and stays closed", () => {
    const { on, socket } = connect();
    socket.serverClose(CLOSE_SESSION_ENDED, "logged out");
    expect(on.onEnded).toHaveBeenCalledWith({ kind: "session" });
    vi.advanceTimersByTime(120_000);
    expect(FakeWebSocket.created).toHaveLength(1);
  });

  it("reports why the account ended and stays closed", () => {
    const { on, socket } = connect();
    socket.serverClose(CLOSE_ACCOUNT_ENDED, "deleted");
    expect(on.onEnded).toHaveBeenCalledWith({ kind: "account", reason: "deleted" });
    vi.advanceTimersByTime(120_000);
    expect(FakeWebSocket.created).toHaveLength(1);
  });

  it("reconnects after any other close, a conversation's ending included", () => {
    const { on, socket } = connect();
    socket.serverClose(CLOSE_CONVERSATION_ENDED);
    vi.advanceTimersByTime(1_000);
    expect(on.onEnded).not.toHaveBeenCalled();
    expect(FakeWebSocket.created).toHaveLength(2);
  });
});
