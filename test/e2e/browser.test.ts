import { readFileSync } from "node:fs";
import type { BrowserContext, Locator, Page, WebSocketRoute } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  baseUrl,
  chatStatus,
  chatTitle,
  DESKTOP,
  LIVE_MS,
  message,
  messages,
  newContext as newPlainContext,
  PASSWORD,
  type Person,
  PHONE,
  run,
  screenshot,
  send,
  seriousViolations,
  signUpIn,
  useChromium,
  type Viewport,
  waitForConnected,
} from "./people";

/** Console reports of the strict CSP blocking something: there must be none. */
const cspViolations: string[] = [];

useChromium();

async function newContext(viewport: Viewport): Promise<BrowserContext> {
  const context = await newPlainContext(viewport);
  context.on("console", (entry) => {
    if (entry.text().includes("Content Security Policy")) cspViolations.push(entry.text());
  });
  return context;
}

/** Signs up in a fresh browser; `prepare` runs on the context before the first page opens. */
async function signUp(
  name: string,
  viewport: Viewport,
  prepare?: (context: BrowserContext) => Promise<void>,
): Promise<Person> {
  const context = await newContext(viewport);
  await prepare?.(context);
  return signUpIn(context, name);
}

/** Searches with the given (maybe misspelled) text and adds the person it should find. */
async function addConnection(page: Page, query: string, username: string): Promise<void> {
  await page.getByRole("button", { name: "Search people" }).click();
  await page.getByRole("searchbox", { name: "Search people" }).fill(query);
  const add = page.getByRole("button", { name: `Add ${username}` });
  await add.waitFor();
  await add.click();
  await chatTitle(page, username).waitFor();
}

/** The person asked opens the request from their list and accepts it; its chat stays open. */
async function acceptRequest(page: Page, username: string): Promise<void> {
  await requestLink(page, username).waitFor({ timeout: LIVE_MS });
  await requestLink(page, username).click();
  const accept = page.getByRole("button", { name: "Accept", exact: true });
  await accept.click();
  await accept.waitFor({ state: "detached", timeout: LIVE_MS });
}

/** One of the requests waiting for the person's answer, listed apart from contacts. */
function requestLink(page: Page, username: string): Locator {
  return page.locator(".requests").getByRole("link", { name: new RegExp(`^${username}\\b`) });
}

function requestsHeading(page: Page): Locator {
  return page.getByRole("heading", { name: /^Requests \(\d+\)$/ });
}

function connectionLink(page: Page, username: string): Locator {
  return page.getByRole("link", { name: new RegExp(`^${username}\\b`) });
}

async function goOffline(person: Person): Promise<void> {
  await person.context.setOffline(true);
  await person.page.locator('.header [data-state="offline"]').waitFor({ timeout: LIVE_MS });
}

type ShownNotification = { title: string; body?: string; tag?: string };

/** Stands in for the browser's notifications: permission granted, each one recorded in the page. */
async function recordNotifications(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const shown: ShownNotification[] = [];
    class RecordedNotification {
      static permission = "granted";
      static requestPermission = async () => "granted";
      onclick: (() => void) | null = null;
      constructor(title: string, options?: NotificationOptions) {
        shown.push({ title, body: options?.body, tag: options?.tag });
      }
      close() {}
    }
    Object.assign(window, { Notification: RecordedNotification, shownNotifications: shown });
  });
}

function shownNotifications(page: Page): Promise<ShownNotification[]> {
  return page.evaluate(() => (window as unknown as { shownNotifications: ShownNotification[] }).shownNotifications);
}

/** As when the person switches to another tab or window, and back. */
async function setTabVisible(page: Page, visible: boolean): Promise<void> {
  await page.evaluate((visible) => {
    Object.defineProperty(document, "visibilityState", {
      configurable: true,
      get: () => (visible ? "visible" : "hidden"),
    });
    Object.defineProperty(document, "hidden", { configurable: true, get: () => !visible });
    document.dispatchEvent(new Event("visibilitychange"));
  }, visible);
}

/**
 * Sends messages over extra sockets of the signed-in page, as another client of the API would:
 * each socket has its own send budget, so many messages land in a few seconds.
 */
async function sendOverSockets(page: Page, conversationId: string, bodies: string[]): Promise<void> {
  await page.evaluate(
    async ({ conversationId, bodies }) => {
      const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/api/conversations/${conversationId}/ws`;
      const perSocket = 10;
      const chunks: string[][] = [];
      for (let i = 0; i < bodies.length; i += perSocket) chunks.push(bodies.slice(i, i + perSocket));
      // One chunk at a time keeps the messages in order; a fresh socket has a full burst.
      for (const chunk of chunks) {
        await new Promise<void>((done, fail) => {
          const socket = new WebSocket(url);
          const waiting = new Map(
            chunk.map((body, index) => [`bulk${Date.now()}${index}${Math.random().toString(36).slice(2)}`, body]),
          );
          socket.onmessage = (event) => {
            const frame = JSON.parse(event.data as string) as { type: string; id?: string; code?: string };
            if (frame.type === "hello")
              for (const [id, body] of waiting) socket.send(JSON.stringify({ type: "send", id, body }));
            if (frame.type === "ack" && frame.id) waiting.delete(frame.id);
            if (frame.type === "error") fail(new Error(`send refused: ${frame.code}`));
            if (waiting.size === 0) {
              socket.close();
              done();
            }
          };
          socket.onerror = () => fail(new Error("socket failed"));
        });
      }
    },
    { conversationId, bodies },
  );
}

describe("two people chatting in the browser", () => {
  let alice: Person;
  let bob: Person;
  let conversationId: string;

  beforeAll(async () => {
    [alice, bob] = await Promise.all([signUp(`alice_${run}`, DESKTOP), signUp(`bob_${run}`, DESKTOP)]);
  });

  afterAll(async () => {
    await Promise.all([alice?.context.close(), bob?.context.close()]);
  });

  it("finds a person by a misspelled name and adds them", async () => {
    await alice.page.getByRole("button", { name: "Search people" }).click();
    // "bbo" for "bob": a transposition the server's fuzzy search tolerates.
    await alice.page.getByRole("searchbox", { name: "Search people" }).fill(`bbo_${run}`);
    await alice.page.getByRole("button", { name: `Add ${bob.name}` }).waitFor();
    await screenshot(alice.page, "search-results");
    await alice.page.getByRole("button", { name: `Add ${bob.name}` }).click();

    await chatTitle(alice.page, bob.name).waitFor();
    conversationId = decodeURIComponent(new URL(alice.page.url()).pathname.replace(/^\/c\//, ""));
    expect(conversationId).not.toBe("");
    // Bob's hub tells him about the request without a reload; he accepts it, then goes back to his list.
    await connectionLink(bob.page, alice.name).waitFor({ timeout: LIVE_MS });
    await acceptRequest(bob.page, alice.name);
    await bob.page.goto("/");
    await waitForConnected(bob.page);
  });

  it("counts unread messages for a chat that is not open, then shows them read", async () => {
    await send(alice.page, "Hi Bob, are you there?");
    await expect.poll(() => message(alice.page, "are you there").getAttribute("class")).not.toContain("msg--pending");
    await expect(message(alice.page, "are you there").locator("[data-tick]").getAttribute("data-tick")).resolves.toBe(
      "sent",
    );

    await connectionLink(bob.page, alice.name).locator(".badge", { hasText: "1" }).waitFor({ timeout: LIVE_MS });
    await expect.poll(() => bob.page.title()).toBe("(1) Chat");
    await screenshot(bob.page, "list-with-unread");

    await connectionLink(bob.page, alice.name).click();
    await message(bob.page, "are you there").waitFor();
    await message(alice.page, "are you there").locator('[data-tick="read"]').waitFor({ timeout: LIVE_MS });
    await expect.poll(() => bob.page.title()).toBe("Chat");
  });

  it("shows typing and delivers messages both ways, as text", async () => {
    const composer = bob.page.getByRole("textbox", { name: /^Message to/ });
    await composer.pressSequentially("Hello Al");
    await chatStatus(alice.page).filter({ hasText: "typing…" }).waitFor({ timeout: LIVE_MS });
    await composer.pressSequentially("ice <b>not bold</b>");
    await composer.press("Enter");

    const received = message(alice.page, "Hello Alice");
    await received.waitFor({ timeout: LIVE_MS });
    await expect(received.locator(".msg__body").textContent()).resolves.toBe("Hello Alice <b>not bold</b>");
    await expect(received.locator("b").count()).resolves.toBe(0);
    await chatStatus(alice.page).filter({ hasText: "online" }).waitFor({ timeout: LIVE_MS });

    // Shift+Enter is a new line; Enter sends.
    const aliceComposer = alice.page.getByRole("textbox", { name: /^Message to/ });
    await aliceComposer.pressSequentially("line one");
    await aliceComposer.press("Shift+Enter");
    await aliceComposer.pressSequentially("line two");
    await aliceComposer.press("Enter");
    const multiline = message(bob.page, "line one");
    await multiline.waitFor({ timeout: LIVE_MS });
    await expect(multiline.locator(".msg__body").textContent()).resolves.toBe("line one\nline two");
    await message(alice.page, "line one").locator('[data-tick="read"]').waitFor({ timeout: LIVE_MS });

    await screenshot(alice.page, "chat-desktop-light");
    await bob.page.emulateMedia({ colorScheme: "dark" });
    await screenshot(bob.page, "chat-desktop-dark");
  });

  it("shows when the other person was last seen once their tab closes, and online when they return", async () => {
    await bob.page.close();
    await chatStatus(alice.page)
      .filter({ hasText: /^last seen just now$/ })
      .waitFor({ timeout: LIVE_MS });
    await connectionLink(alice.page, bob.name).filter({ hasText: "offline" }).waitFor();
    await screenshot(alice.page, "chat-peer-offline");

    bob.page = await bob.context.newPage();
    await bob.page.goto("/");
    await waitForConnected(bob.page);
    await chatStatus(alice.page)
      .filter({ hasText: /^online$/ })
      .waitFor({ timeout: LIVE_MS });
  });

  it("keeps messages written offline in an outbox and catches up on reconnect", async () => {
    await goOffline(alice);
    await send(alice.page, "written while offline");
    await message(alice.page, "written while offline").locator('[data-tick="pending"]').waitFor();

    await connectionLink(bob.page, alice.name).click();
    await send(bob.page, "sent while Alice was away");
    await message(bob.page, "sent while Alice was away").locator('[data-tick="sent"]').waitFor({ timeout: LIVE_MS });
    await screenshot(alice.page, "chat-offline-outbox");

    await alice.context.setOffline(false);
    await waitForConnected(alice.page);
    // The room replays what was missed (resume) and takes the queued message (same id, once).
    await message(alice.page, "sent while Alice was away").waitFor({ timeout: LIVE_MS });
    await message(alice.page, "written while offline").locator('[data-tick="read"]').waitFor({ timeout: LIVE_MS });
    await expect(message(bob.page, "written while offline").count()).resolves.toBe(1);
  });

  it("keeps the history across a reload and loads older messages when scrolling up", async () => {
    const bulk = Array.from({ length: 60 }, (_, index) => `bulk message ${index + 1}`);
    await sendOverSockets(bob.page, conversationId, bulk);
    await message(alice.page, "bulk message 60").waitFor({ timeout: LIVE_MS });

    await alice.page.reload();
    await chatTitle(alice.page, bob.name).waitFor();
    await message(alice.page, "bulk message 60").waitFor();
    // The first page holds the latest 50 of 65 messages: the oldest are not loaded yet.
    await expect(message(alice.page, "are you there").count()).resolves.toBe(0);

    const log = messages(alice.page);
    await expect
      .poll(
        async () => {
          await log.evaluate((element) => element.scrollTo({ top: 0 }));
          return message(alice.page, "are you there").count();
        },
        { timeout: LIVE_MS },
      )
      .toBe(1);
    await alice.page.getByText(`This is the beginning of your conversation with ${bob.name}.`).waitFor();
    await expect(log.locator("li.msg").count()).resolves.toBe(65);
    const order = await log.locator(".msg__body").allTextContents();
    expect(order.indexOf("bulk message 1")).toBeLessThan(order.indexOf("bulk message 2"));
    expect(order.indexOf("Hi Bob, are you there?")).toBe(0);
    await screenshot(alice.page, "chat-history-top");
  });

  it("paints a direct link's chat from that conversation alone, and asks for the list only after", async () => {
    const page = await alice.context.newPage();
    // When the chat's title first shows, on the page's own clock (the same as its resource timings).
    await page.addInitScript((name) => {
      const watch = new MutationObserver(() => {
        const title = document.querySelector(".chat__title");
        if (title?.textContent !== name) return;
        Object.assign(window, { chatPaintedAt: performance.now() });
        watch.disconnect();
      });
      watch.observe(document, { childList: true, subtree: true, characterData: true });
    }, bob.name);
    await page.goto(`/c/${encodeURIComponent(conversationId)}`);
    await chatTitle(page, bob.name).waitFor();
    await message(page, "bulk message 60").waitFor();
    // The list fills in its place a moment later, and is live.
    await page.locator(".pane--list").getByText(bob.name).waitFor();
    const timing = await page.evaluate(() => {
      const started = (path: string) =>
        performance
          .getEntriesByType("resource")
          .filter((entry) => new URL(entry.name).pathname === path)
          .map((entry) => entry.startTime);
      return {
        paintedAt: (window as unknown as { chatPaintedAt: number }).chatPaintedAt,
        conversation: started(`/api/conversations/${location.pathname.slice(3)}`),
        connections: started("/api/connections"),
        groups: started("/api/groups"),
      };
    });
    expect(timing.conversation).toHaveLength(1);
    expect(timing.conversation[0]).toBeLessThan(timing.paintedAt);
    expect(timing.connections.length).toBeGreaterThan(0);
    expect(Math.min(...timing.connections, ...timing.groups)).toBeGreaterThan(timing.paintedAt);
    await page.close();
  });

  it("has no serious accessibility violations on the chat and login screens", async () => {
    await expect(seriousViolations(alice.page)).resolves.toEqual([]);

    const visitor = await newContext(DESKTOP);
    const page = await visitor.newPage();
    await page.goto("/login");
    await page.getByRole("heading", { name: "Log in" }).waitFor();
    await expect(seriousViolations(page)).resolves.toEqual([]);
    await screenshot(page, "login");
    await page.goto("/signup");
    await page.getByRole("heading", { name: "Create an account" }).waitFor();
    await expect(seriousViolations(page)).resolves.toEqual([]);
    await screenshot(page, "signup");
    await visitor.close();
  });
});

describe("on a 360 px wide phone", () => {
  let dana: Person;
  let erin: Person;

  beforeAll(async () => {
    [dana, erin] = await Promise.all([signUp(`dana_${run}`, PHONE), signUp(`erin_${run}`, PHONE)]);
  });

  afterAll(async () => {
    await Promise.all([dana?.context.close(), erin?.context.close()]);
  });

  it("moves between the list and the chat, with a back button", async () => {
    await screenshot(dana.page, "phone-empty-list");
    await addConnection(dana.page, `erin_${run}`, erin.name);
    // One pane at a time: the chat covers the list.
    await expect(dana.page.locator(".pane--list").isVisible()).resolves.toBe(false);
    await send(dana.page, "Hello from a small screen");

    await connectionLink(erin.page, dana.name).click();
    await message(erin.page, "small screen").waitFor({ timeout: LIVE_MS });
    await send(erin.page, "Hi Dana, the reply arrives too");
    await message(dana.page, "reply arrives").waitFor({ timeout: LIVE_MS });
    await screenshot(dana.page, "phone-chat");

    await dana.page.getByRole("button", { name: "Back to connections" }).click();
    await connectionLink(dana.page, erin.name).waitFor();
    await expect(dana.page.locator(".pane--chat").isVisible()).resolves.toBe(false);
    await screenshot(dana.page, "phone-list");

    await connectionLink(dana.page, erin.name).click();
    await chatTitle(dana.page, erin.name).waitFor();
    await expect(seriousViolations(dana.page)).resolves.toEqual([]);
  });

  it("deletes an account after confirmation and returns to the login screen", async () => {
    await erin.page.getByRole("button", { name: "Back to connections" }).click();
    await erin.page.getByRole("button", { name: "Delete account" }).click();
    const dialog = erin.page.getByRole("dialog", { name: "Delete your account?" });
    await dialog.waitFor();
    await screenshot(erin.page, "phone-delete-account");
    await dialog.getByRole("button", { name: "Delete account" }).click();

    await erin.page.getByRole("heading", { name: "Log in" }).waitFor({ timeout: LIVE_MS });
    await erin.page.getByText("Your account was deleted.").waitFor();
    // Dana's list loses Erin, and her open chat with Erin closes.
    await connectionLink(dana.page, erin.name).waitFor({ state: "detached", timeout: LIVE_MS });
  });

  it("tells the other side that the account ended, in the open chat and in the list, keeping no messages", async () => {
    const notice = `${erin.name}'s account ended; your conversation with them was deleted.`;
    // Dana had Erin's chat open: it says what happened in place, and the messages are gone.
    const chatPane = dana.page.locator(".pane--chat");
    await chatPane.getByRole("alert").filter({ hasText: notice }).waitFor({ timeout: LIVE_MS });
    await expect(chatPane.getByText("Conversation not found").count()).resolves.toBe(0);
    await expect(dana.page.locator(".msg").count()).resolves.toBe(0);
    await expect(dana.page.getByRole("textbox", { name: /^Message to/ }).count()).resolves.toBe(0);
    await screenshot(dana.page, "phone-contact-account-ended");

    // Back in the list, the same notice, until dismissed.
    await dana.page.getByRole("button", { name: "Back to connections" }).click();
    const listNotice = dana.page.locator(".pane--list").getByRole("status").filter({ hasText: notice });
    await listNotice.waitFor();
    await screenshot(dana.page, "phone-list-account-ended");
    await expect(seriousViolations(dana.page)).resolves.toEqual([]);
    await listNotice.getByRole("button", { name: /^Dismiss/ }).click();
    await listNotice.waitFor({ state: "detached" });
    await dana.page.getByText("No connections yet.").waitFor();
  });
});

describe("two tabs of one browser", () => {
  let rita: Person;
  let sam: Person;
  let conversationId: string;

  beforeAll(async () => {
    [rita, sam] = await Promise.all([signUp(`rita_${run}`, DESKTOP), signUp(`sam_${run}`, DESKTOP)]);
    await addConnection(rita.page, sam.name, sam.name);
    conversationId = decodeURIComponent(new URL(rita.page.url()).pathname.replace(/^\/c\//, ""));
    await acceptRequest(sam.page, rita.name);
    await chatTitle(sam.page, rita.name).waitFor();
  });

  afterAll(async () => {
    await Promise.all([rita?.context.close(), sam?.context.close()]);
  });

  it("sends the other tab to the login screen within 2 s when one tab logs out, and its room socket is closed", async () => {
    const second = await rita.context.newPage();
    await second.goto(`/c/${encodeURIComponent(conversationId)}`);
    await chatTitle(second, sam.name).waitFor();
    // The chat's own socket is up (its status shows only while it is not).
    await second.locator('.chat__conn[data-state="open"]').waitFor({ state: "attached", timeout: LIVE_MS });
    // A room socket of the second tab that nothing in the app closes: only the server can.
    await second.evaluate(
      (conversationId) =>
        new Promise<void>((opened, failed) => {
          const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/api/conversations/${conversationId}/ws`;
          const socket = new WebSocket(url);
          const state = { closedWith: 0 };
          Object.assign(window, { spareSocket: socket, spareState: state });
          socket.onmessage = (event) => {
            if (JSON.parse(event.data as string).type === "hello") opened();
          };
          socket.onclose = (event) => {
            state.closedWith = event.code;
          };
          socket.onerror = () => failed(new Error("socket failed"));
        }),
      conversationId,
    );
    const opened: string[] = [];
    second.on("websocket", (socket) => opened.push(socket.url()));

    await rita.page.getByRole("button", { name: "Log out" }).click();
    await rita.page.getByRole("heading", { name: "Log in" }).waitFor();
    await second.getByRole("heading", { name: "Log in" }).waitFor({ timeout: 2_000 });
    await second.getByText("You logged out in another tab.").waitFor();
    await screenshot(second, "logged-out-in-another-tab");
    // The tab that logged out says nothing about other tabs.
    await expect(rita.page.getByText("You logged out in another tab.").count()).resolves.toBe(0);

    // The server closed the second tab's room socket: what it sends now reaches nobody.
    await expect
      .poll(
        () =>
          second.evaluate(() => (window as unknown as { spareState: { closedWith: number } }).spareState.closedWith),
        { timeout: 2_000 },
      )
      .toBe(4002);
    await second.evaluate(() => {
      const socket = (window as unknown as { spareSocket: WebSocket }).spareSocket;
      if (socket.readyState === WebSocket.OPEN)
        socket.send(JSON.stringify({ type: "send", id: "afterlogout1", body: "sent after logging out" }));
    });
    await send(sam.page, "still here");
    await message(sam.page, "still here").locator('[data-tick="sent"]').waitFor({ timeout: LIVE_MS });
    await expect(message(sam.page, "sent after logging out").count()).resolves.toBe(0);
    // And the app did not try to reconnect.
    expect(opened).toEqual([]);
    await second.close();
  });
});

describe("three people: unsent messages and notifications", () => {
  let olga: Person;
  let pete: Person;
  let quin: Person;

  beforeAll(async () => {
    [olga, pete, quin] = await Promise.all([
      signUp(`olga_${run}`, DESKTOP, recordNotifications),
      signUp(`pete_${run}`, DESKTOP),
      signUp(`quin_${run}`, DESKTOP),
    ]);
    await addConnection(olga.page, quin.name, quin.name);
    await addConnection(olga.page, pete.name, pete.name);
    for (const other of [pete, quin]) {
      await acceptRequest(other.page, olga.name);
      await chatTitle(other.page, olga.name).waitFor();
    }
  });

  afterAll(async () => {
    await Promise.all([olga?.context.close(), pete?.context.close(), quin?.context.close()]);
  });

  it("delivers a message written offline after the person switched to another chat", async () => {
    await goOffline(olga);
    await send(olga.page, "written offline to Pete");
    await message(olga.page, "written offline to Pete").locator('[data-tick="pending"]').waitFor();

    await connectionLink(olga.page, quin.name).click();
    await chatTitle(olga.page, quin.name).waitFor();
    await olga.context.setOffline(false);

    // Olga stays in Quin's chat: the message to Pete goes out in the background.
    await message(pete.page, "written offline to Pete").waitFor({ timeout: LIVE_MS });
    await connectionLink(olga.page, pete.name)
      .filter({ hasText: "You: written offline to Pete" })
      .waitFor({ timeout: LIVE_MS });
    await expect(chatTitle(olga.page, quin.name).count()).resolves.toBe(1);

    await connectionLink(olga.page, pete.name).click();
    await message(olga.page, "written offline to Pete").locator('[data-tick="read"]').waitFor({ timeout: LIVE_MS });
    await expect(message(olga.page, "written offline to Pete").count()).resolves.toBe(1);
    await expect(message(pete.page, "written offline to Pete").count()).resolves.toBe(1);
  });

  it("notifies of messages while the tab is hidden, as text, and counts them in the title until read", async () => {
    const text = '<img src="x" onerror="document.title=\'pwned\'"> Olga, <b>look</b>';
    // Olga has Pete's chat open, then looks at another tab.
    await setTabVisible(olga.page, false);
    await send(pete.page, "while you were away");
    await expect
      .poll(() => shownNotifications(olga.page), { timeout: LIVE_MS })
      .toEqual([expect.objectContaining({ title: pete.name, body: "while you were away" })]);
    await expect.poll(() => olga.page.title()).toBe("(1) Chat");

    await send(quin.page, text);
    await expect.poll(() => shownNotifications(olga.page), { timeout: LIVE_MS }).toHaveLength(2);
    expect((await shownNotifications(olga.page))[1]).toMatchObject({ title: quin.name, body: text });
    await expect.poll(() => olga.page.title()).toBe("(2) Chat");
    const preview = connectionLink(olga.page, quin.name).locator(".connection__preview");
    await expect(preview.textContent()).resolves.toBe(text);
    await expect(olga.page.locator(".connections img, .connections b").count()).resolves.toBe(0);

    // Back in the tab, Pete's message in the open chat is read; Quin's chat is not open.
    await setTabVisible(olga.page, true);
    await expect.poll(() => olga.page.title(), { timeout: LIVE_MS }).toBe("(1) Chat");
    await connectionLink(olga.page, quin.name).click();
    await expect(message(olga.page, "Olga,").locator(".msg__body").textContent()).resolves.toBe(text);
    await expect.poll(() => olga.page.title(), { timeout: LIVE_MS }).toBe("Chat");
    await expect(messages(olga.page).locator("img, b").count()).resolves.toBe(0);
  });

  it("keeps a message that is still pending through a reload and delivers it once the server is back", async () => {
    await connectionLink(olga.page, pete.name).click();
    await chatTitle(olga.page, pete.name).waitFor();
    // Sockets opened from now on reach nothing until `reachable`; pages still load over HTTP.
    let reachable = false;
    const held: WebSocketRoute[] = [];
    await olga.context.routeWebSocket(/\/ws$/, (socket) => {
      if (reachable) socket.connectToServer();
      else held.push(socket);
    });
    await goOffline(olga);
    await send(olga.page, "pending across a reload");
    await olga.context.setOffline(false);

    await olga.page.reload();
    await chatTitle(olga.page, pete.name).waitFor();
    await message(olga.page, "pending across a reload").locator('[data-tick="pending"]').waitFor();
    await screenshot(olga.page, "chat-pending-after-reload");

    // Started again with no chat open, the app sends it by itself once the server is back.
    await olga.page.goto("/");
    await connectionLink(olga.page, pete.name).waitFor();
    reachable = true;
    await Promise.all(held.splice(0).map((socket) => socket.close()));
    await message(pete.page, "pending across a reload").waitFor({ timeout: LIVE_MS });
    await connectionLink(olga.page, pete.name).click();
    await message(olga.page, "pending across a reload").locator('[data-tick="read"]').waitFor({ timeout: LIVE_MS });
    await expect(message(pete.page, "pending across a reload").count()).resolves.toBe(1);
    await expect(message(olga.page, "pending across a reload").count()).resolves.toBe(1);
  });

  it("forgets unsent messages when the person logs out", async () => {
    // The login screen's chunk is fetched once the list shows; this page was just reloaded.
    await olga.page.waitForFunction(() =>
      performance.getEntriesByType("resource").some((entry) => entry.name.includes("/SignedOut-")),
    );
    await goOffline(olga);
    await send(olga.page, "left behind at logout");
    await message(olga.page, "left behind at logout").locator('[data-tick="pending"]').waitFor();
    await olga.page.getByRole("button", { name: "Log out" }).click();
    await olga.page.getByRole("heading", { name: "Log in" }).waitFor();
    await expect(
      olga.page.evaluate(() => Object.keys(localStorage).filter((key) => key.includes("outbox"))),
    ).resolves.toEqual([]);

    await olga.context.setOffline(false);
    await olga.page.getByLabel("Username").fill(olga.name);
    await olga.page.getByLabel("Password").fill(PASSWORD);
    await olga.page.getByRole("button", { name: "Log in" }).click();
    await connectionLink(olga.page, pete.name).click();
    await send(olga.page, "back after logging in");
    // What was forgotten would have gone first: once the later message is there, it did not.
    await message(pete.page, "back after logging in").waitFor({ timeout: LIVE_MS });
    await expect(message(pete.page, "left behind at logout").count()).resolves.toBe(0);
    await expect(message(olga.page, "left behind at logout").count()).resolves.toBe(0);
  });
});

/** What has focus, as "tag name|aria-label|id". */
function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const element = document.activeElement as HTMLElement | null;
    return `${element?.tagName.toLowerCase()}|${element?.getAttribute("name") ?? element?.getAttribute("aria-label") ?? ""}`;
  });
}

/** Whether the element is within the scrolling message list's visible part. */
function inView(_page: Page, locator: Locator): Promise<boolean> {
  return locator.evaluate((element) => {
    const list = element.closest(".messages")!.getBoundingClientRect();
    const box = element.getBoundingClientRect();
    return box.bottom > list.top && box.top < list.bottom;
  });
}

describe("the conversation people expect (issue 18)", () => {
  let uma: Person;
  let vic: Person;
  let conversationId: string;

  beforeAll(async () => {
    [uma, vic] = await Promise.all([signUp(`uma_${run}`, DESKTOP), signUp(`vic_${run}`, DESKTOP)]);
    await addConnection(uma.page, vic.name, vic.name);
    conversationId = decodeURIComponent(new URL(uma.page.url()).pathname.replace(/^\/c\//, ""));
    await acceptRequest(vic.page, uma.name);
    await vic.page.goto("/");
    await connectionLink(vic.page, uma.name).waitFor({ timeout: LIVE_MS });
  });

  afterAll(async () => {
    await Promise.all([uma?.context.close(), vic?.context.close()]);
  });

  it("opens a chat with 75 unread at a 'New messages' divider and marks read only what was on screen", async () => {
    await sendOverSockets(
      uma.page,
      conversationId,
      Array.from({ length: 75 }, (_, index) => `unread number ${index + 1}`),
    );
    const link = connectionLink(vic.page, uma.name);
    await link.locator(".badge", { hasText: "75" }).waitFor({ timeout: LIVE_MS });
    // Uma's open chat took them in live: she holds all 75, ticks included.
    await message(uma.page, "unread number 75").waitFor();

    await link.click();
    const divider = messages(vic.page).locator(".unread-divider", { hasText: "New messages" });
    await divider.waitFor();
    await message(vic.page, /^unread number 1$/).waitFor();
    await expect.poll(() => inView(vic.page, divider)).toBe(true);
    await expect.poll(() => inView(vic.page, message(vic.page, /^unread number 1$/))).toBe(true);
    await expect(inView(vic.page, message(vic.page, "unread number 75"))).resolves.toBe(false);
    // The divider comes right before the first unread message.
    await expect(
      divider.evaluate((element) => element.nextElementSibling?.querySelector(".msg__body")?.textContent),
    ).resolves.toBe("unread number 1");
    // No badge on the chat that is open; the count is on the way down instead.
    await expect(link.locator(".badge").count()).resolves.toBe(0);
    const latest = vic.page.getByRole("button", { name: /^Latest messages/ });
    await latest.waitFor();
    await expect(latest.textContent()).resolves.toMatch(/Latest messages ↓\d+ unread/);
    await screenshot(vic.page, "chat-unread-divider");
    await expect(seriousViolations(vic.page)).resolves.toEqual([]);

    // The sender sees the first ones read, not the last.
    await message(uma.page, /^unread number 1$/)
      .locator('[data-tick="read"]')
      .waitFor({ timeout: LIVE_MS });
    await uma.page.waitForTimeout(1_500);
    await expect(message(uma.page, "unread number 75").locator("[data-tick]").getAttribute("data-tick")).resolves.toBe(
      "sent",
    );

    await latest.click();
    await message(uma.page, "unread number 75").locator('[data-tick="read"]').waitFor({ timeout: LIVE_MS });
  });

  it("turns a web address into a link that opens a new page", async () => {
    const url = `${baseUrl}/api/health?from=link`;
    await send(uma.page, `Look at ${url}, and <b>this</b> stays text`);
    const body = message(vic.page, "Look at").locator(".msg__body");
    await body.waitFor({ timeout: LIVE_MS });
    const anchor = body.getByRole("link", { name: url });
    await expect(anchor.getAttribute("rel")).resolves.toBe("noopener noreferrer");
    await expect(anchor.getAttribute("target")).resolves.toBe("_blank");
    await expect(body.locator("b").count()).resolves.toBe(0);
    await expect(body.textContent()).resolves.toBe(`Look at ${url}, and <b>this</b> stays text`);

    const [opened] = await Promise.all([vic.context.waitForEvent("page"), anchor.click()]);
    await opened.waitForLoadState();
    expect(opened.url()).toBe(url);
    await opened.close();
  });

  it("keeps showing typing while the other person types for 12 s, in the chat and in the list", async () => {
    const composer = vic.page.getByRole("textbox", { name: /^Message to/ });
    const typing = composer.pressSequentially("x".repeat(120), { delay: 100 });
    await chatStatus(uma.page).filter({ hasText: "typing…" }).waitFor({ timeout: LIVE_MS });
    const gaps: number[] = [];
    const started = Date.now();
    while (Date.now() - started < 11_000) {
      if ((await chatStatus(uma.page).textContent()) !== "typing…") gaps.push(Date.now() - started);
      await uma.page.waitForTimeout(500);
    }
    await typing;
    expect(gaps).toEqual([]);
    await composer.fill("");
    await chatStatus(uma.page).filter({ hasText: "online" }).waitFor({ timeout: 8_000 });
  });

  it("says in the composer when sending is paused by the rate limit, and sends everything after", async () => {
    // Typed and sent as fast as a script can: far beyond the room's budget of 10, then 5 a second.
    await uma.page.getByRole("textbox", { name: /^Message to/ }).evaluate((field: HTMLTextAreaElement) => {
      for (let index = 1; index <= 30; index += 1) {
        field.value = `burst ${index}`;
        field.dispatchEvent(new Event("input", { bubbles: true }));
        field.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
      }
    });
    const notice = uma.page
      .getByRole("status")
      .filter({ hasText: /^Sending paused — too many messages\. Resuming in \d+ s$/ });
    await notice.waitFor({ timeout: LIVE_MS });
    await screenshot(uma.page, "composer-rate-limited");
    await expect(seriousViolations(uma.page)).resolves.toEqual([]);
    await message(vic.page, /^burst 30$/).waitFor({ timeout: 45_000 });
    await notice.waitFor({ state: "detached", timeout: LIVE_MS });
    await expect(message(vic.page, /^burst \d+$/).count()).resolves.toBe(30);
  });

  it("copies a message, and deletes one's own for everyone", async () => {
    await uma.context.grantPermissions(["clipboard-read", "clipboard-write"]);
    await send(uma.page, "a message to take back");
    const mine = message(uma.page, "a message to take back");
    await mine.locator('[data-tick="read"]').waitFor({ timeout: LIVE_MS });
    await mine.locator("summary", { hasText: "⋯" }).click();
    await mine.getByRole("button", { name: "Copy" }).click();
    await mine.getByRole("button", { name: "Copied" }).waitFor();
    await expect(uma.page.evaluate(() => navigator.clipboard.readText())).resolves.toBe("a message to take back");

    await mine.getByRole("button", { name: "Delete for everyone" }).click();
    await screenshot(uma.page, "message-actions");
    await expect(seriousViolations(uma.page)).resolves.toEqual([]);
    await mine.getByRole("button", { name: "Yes, delete for everyone" }).click();

    await message(vic.page, "a message to take back").waitFor({ state: "detached", timeout: LIVE_MS });
    await messages(vic.page).locator(".msg__body--deleted", { hasText: "message deleted" }).last().waitFor();
    await messages(uma.page).locator(".msg__body--deleted", { hasText: "message deleted" }).last().waitFor();
    // The preview in the list says so too, on both sides, and after a reload (history).
    await connectionLink(vic.page, uma.name).filter({ hasText: "message deleted" }).waitFor({ timeout: LIVE_MS });
    await vic.page.reload();
    await messages(vic.page).locator(".msg__body--deleted", { hasText: "message deleted" }).last().waitFor();
    await expect(message(vic.page, "a message to take back").count()).resolves.toBe(0);
    await screenshot(vic.page, "chat-message-deleted");
  });

  it("downloads the whole conversation as a text file made in the browser", async () => {
    const [download] = await Promise.all([
      vic.page.waitForEvent("download"),
      vic.page.getByRole("button", { name: "Download conversation" }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(new RegExp(`^chat-with-${uma.name}-\\d{4}-\\d{2}-\\d{2}\\.txt$`));
    const text = readFileSync((await download.path())!, "utf8");
    const lines = text.trim().split("\n");
    // Older than the first page of history: every message, oldest first.
    expect(lines[0]).toContain(`${uma.name}: unread number 1`);
    expect(lines.filter((line) => line.includes("unread number")).length).toBe(75);
    expect(text).toContain("(message deleted)");
    expect(text).not.toContain("a message to take back");
  });

  it("shows the other person's presence as unknown while one's own connection is down", async () => {
    await goOffline(vic);
    await chatStatus(vic.page).filter({ hasText: "status unknown" }).waitFor({ timeout: LIVE_MS });
    await expect(connectionLink(vic.page, uma.name).locator(".dot--unknown").count()).resolves.toBe(1);
    await vic.page.locator(".chat__conn", { hasText: "You are offline" }).waitFor();
    await screenshot(vic.page, "chat-presence-unknown");
    await vic.context.setOffline(false);
    await waitForConnected(vic.page);
    await chatStatus(vic.page).filter({ hasText: "online" }).waitFor({ timeout: LIVE_MS });
  });

  it("says calmly that the chat is open in too many tabs when a newer socket replaced this one", async () => {
    await vic.page.evaluate(() => {
      const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/api/me/ws`;
      for (let index = 0; index < 10; index += 1) new WebSocket(url);
    });
    const notice = vic.page
      .getByRole("status")
      .filter({ hasText: "This chat is open in too many tabs. Reload to use it here." });
    await notice.waitFor({ timeout: LIVE_MS });
    await screenshot(vic.page, "too-many-tabs");
    await expect(seriousViolations(vic.page)).resolves.toEqual([]);
  });
});

describe("consent between strangers (issue 17)", () => {
  let kim: Person;
  let lee: Person;
  let max: Person;

  beforeAll(async () => {
    [kim, lee, max] = await Promise.all([
      signUp(`kim_${run}`, DESKTOP),
      signUp(`lee_${run}`, DESKTOP),
      signUp(`max_${run}`, DESKTOP),
    ]);
  });

  afterAll(async () => {
    await Promise.all([kim?.context.close(), lee?.context.close(), max?.context.close()]);
  });

  it("holds a request to 3 messages with no presence or receipts, until it is accepted from the other side's list", async () => {
    await addConnection(kim.page, lee.name, lee.name);
    const sentNote = kim.page.getByRole("status").filter({ hasText: "Request sent — they can see up to 3 messages" });
    await sentNote.waitFor();
    for (const text of ["request one", "request two", "request three"]) await send(kim.page, text);
    const full = kim.page.getByRole("status").filter({ hasText: "You sent 3 messages: you can write more once" });
    await full.waitFor();
    await kim.page.getByRole("textbox", { name: /^Message to/ }).fill("a fourth, too soon");
    await expect(kim.page.getByRole("button", { name: "Send" }).isDisabled()).resolves.toBe(true);
    await screenshot(kim.page, "request-sent-full");

    // Lee's list holds it apart, with the count, before any contact.
    await requestsHeading(lee.page).filter({ hasText: "Requests (1)" }).waitFor({ timeout: LIVE_MS });
    await requestLink(lee.page, kim.name).click();
    await message(lee.page, "request three").waitFor();
    await expect(message(lee.page, /^request (one|two|three)$/).count()).resolves.toBe(3);
    await expect(chatStatus(lee.page).textContent()).resolves.toBe("Message request");
    await expect(lee.page.locator(".pane--chat .chat__bar .dot, .requests .dot").count()).resolves.toBe(0);
    await screenshot(lee.page, "request-incoming");
    await expect(seriousViolations(lee.page)).resolves.toEqual([]);

    // Replying is not accepting: the reply arrives, nothing else does.
    await send(lee.page, "a reply is not a yes");
    await message(kim.page, "a reply is not a yes").waitFor({ timeout: LIVE_MS });
    await lee.page.waitForTimeout(1_500);
    await expect(message(kim.page, "request one").locator("[data-tick]").getAttribute("data-tick")).resolves.toBe(
      "sent",
    );
    await expect(chatStatus(kim.page).textContent()).resolves.toBe("Request sent");
    await expect(sentNote.count()).resolves.toBe(1);

    await lee.page.getByRole("button", { name: "Accept", exact: true }).click();
    await requestsHeading(lee.page).waitFor({ state: "detached", timeout: LIVE_MS });
    await expect(connectionLink(lee.page, kim.name).count()).resolves.toBe(1);
    // Kim's side learns it live: the note and the limit go, presence and receipts come.
    await sentNote.waitFor({ state: "detached", timeout: LIVE_MS });
    await full.waitFor({ state: "detached" });
    await kim.page.getByRole("textbox", { name: /^Message to/ }).press("Enter");
    await message(lee.page, "a fourth, too soon").waitFor({ timeout: LIVE_MS });
    await message(kim.page, "a fourth, too soon").locator('[data-tick="read"]').waitFor({ timeout: LIVE_MS });
    await chatStatus(kim.page)
      .filter({ hasText: /^online$/ })
      .waitFor({ timeout: LIVE_MS });
    await screenshot(kim.page, "request-accepted");
  });

  it("deletes a request: nothing of it stays open on either side", async () => {
    await addConnection(max.page, kim.name, kim.name);
    await send(max.page, "hello from max");
    await requestLink(kim.page, max.name).click({ timeout: LIVE_MS });
    await message(kim.page, "hello from max").waitFor({ timeout: LIVE_MS });
    const requestPath = new URL(kim.page.url()).pathname;

    await kim.page.getByRole("button", { name: "Delete", exact: true }).click();
    const dialog = kim.page.getByRole("dialog", { name: "Delete this request?" });
    await dialog.waitFor();
    await screenshot(kim.page, "request-delete-confirm");
    await dialog.getByRole("button", { name: "Delete request" }).click();

    await expect.poll(() => new URL(kim.page.url()).pathname).toBe("/");
    await expect(connectionLink(kim.page, max.name).count()).resolves.toBe(0);
    await expect(requestsHeading(kim.page).count()).resolves.toBe(0);
    await expect(message(kim.page, "hello from max").count()).resolves.toBe(0);
    // Max's list loses it; his open chat keeps no message and no way to write.
    await connectionLink(max.page, kim.name).waitFor({ state: "detached", timeout: LIVE_MS });
    await expect(message(max.page, "hello from max").count()).resolves.toBe(0);
    await expect(max.page.getByRole("textbox", { name: /^Message to/ }).count()).resolves.toBe(0);
    // The address of the deleted conversation opens nothing.
    await kim.page.goto(requestPath);
    await kim.page.getByText("Conversation not found").waitFor();
    await expect(message(kim.page, "hello from max").count()).resolves.toBe(0);
    await kim.page.goto("/");
  });

  it("blocks from a request: the blocked person's search no longer finds you, until unblocked", async () => {
    await max.page.goto("/");
    await addConnection(max.page, kim.name, kim.name);
    await send(max.page, "asking again");
    // Search shows strangers with no presence.
    await max.page.getByRole("button", { name: "Search people" }).click();
    await max.page.getByRole("searchbox", { name: "Search people" }).fill(lee.name);
    await max.page.getByRole("button", { name: `Add ${lee.name}` }).waitFor({ timeout: LIVE_MS });
    await expect(max.page.locator(".people .dot").count()).resolves.toBe(0);
    await max.page.getByRole("searchbox", { name: "Search people" }).press("Escape");

    await requestLink(kim.page, max.name).click({ timeout: LIVE_MS });
    await kim.page.getByRole("button", { name: "Block", exact: true }).click();
    const dialog = kim.page.getByRole("dialog", { name: `Block ${max.name}?` });
    await dialog.waitFor();
    await screenshot(kim.page, "block-confirm");
    await expect(seriousViolations(kim.page)).resolves.toEqual([]);
    await dialog.getByRole("button", { name: "Block", exact: true }).click();
    await expect.poll(() => new URL(kim.page.url()).pathname).toBe("/");
    await expect(connectionLink(kim.page, max.name).count()).resolves.toBe(0);
    await connectionLink(max.page, kim.name).waitFor({ state: "detached", timeout: LIVE_MS });

    await max.page.getByRole("button", { name: "Search people" }).click();
    await max.page.getByRole("searchbox", { name: "Search people" }).fill(kim.name);
    // Others may match the name loosely; Kim is not among them.
    await max.page
      .getByRole("status")
      .filter({ hasText: /^People$/ })
      .waitFor({ timeout: LIVE_MS });
    await expect(max.page.getByRole("button", { name: new RegExp(`${kim.name}$`) }).count()).resolves.toBe(0);
    await screenshot(max.page, "search-after-blocked");
    await max.page.getByRole("searchbox", { name: "Search people" }).press("Escape");

    await kim.page.getByRole("button", { name: "Blocked people" }).click();
    const blocked = kim.page.getByRole("dialog", { name: "Blocked people" });
    const unblock = blocked.getByRole("button", { name: `Unblock ${max.name}` });
    await unblock.waitFor({ timeout: LIVE_MS });
    await screenshot(kim.page, "blocked-people");
    await expect(seriousViolations(kim.page)).resolves.toEqual([]);
    await unblock.click();
    await blocked.getByText("You have not blocked anyone.").waitFor({ timeout: LIVE_MS });
    await blocked.getByRole("button", { name: "Close" }).click();

    await max.page.getByRole("button", { name: "Search people" }).click();
    await max.page.getByRole("searchbox", { name: "Search people" }).fill(kim.name);
    await max.page.getByRole("button", { name: `Add ${kim.name}` }).waitFor({ timeout: LIVE_MS });
    await max.page.getByRole("searchbox", { name: "Search people" }).press("Escape");
  });

  it("invites by link: a fresh browser signs up from it and lands in the chat with the inviter", async () => {
    await kim.context.grantPermissions(["clipboard-read", "clipboard-write"]);
    await kim.page.getByRole("button", { name: "Invite someone" }).click();
    const dialog = kim.page.getByRole("dialog", { name: "Invite someone" });
    const field = dialog.getByRole("textbox", { name: "Invite link" });
    await field.waitFor({ timeout: LIVE_MS });
    const link = await field.inputValue();
    expect(link).toMatch(new RegExp(`^${baseUrl}/invite/[^/]+$`));
    expect(link).not.toContain(kim.name);
    await dialog.getByRole("button", { name: "Copy" }).click();
    await dialog.getByRole("button", { name: "Copied" }).waitFor();
    await expect(kim.page.evaluate(() => navigator.clipboard.readText())).resolves.toBe(link);
    await screenshot(kim.page, "invite-dialog");
    await expect(seriousViolations(kim.page)).resolves.toEqual([]);
    await dialog.getByRole("button", { name: "Close" }).click();

    const guest = await newContext(PHONE);
    const page = await guest.newPage();
    await page.goto(link);
    await page.getByRole("heading", { level: 1, name: `${kim.name} invited you` }).waitFor();
    await screenshot(page, "invite-landing");
    await expect(seriousViolations(page)).resolves.toEqual([]);
    const nia = `nia_${run}`;
    await page.getByLabel("Username").fill(nia);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign up" }).click();
    await chatTitle(page, kim.name).waitFor({ timeout: LIVE_MS });
    expect(new URL(page.url()).pathname).toMatch(/^\/c\//);
    // Accepted on both sides: no request to answer, and the first message is read at once.
    await expect(page.getByRole("button", { name: "Accept", exact: true }).count()).resolves.toBe(0);
    await connectionLink(kim.page, nia).waitFor({ timeout: LIVE_MS });
    await expect(requestLink(kim.page, nia).count()).resolves.toBe(0);
    await send(page, "thanks for the invite");
    await connectionLink(kim.page, nia).click();
    await message(kim.page, "thanks for the invite").waitFor({ timeout: LIVE_MS });
    await message(page, "thanks for the invite").locator('[data-tick="read"]').waitFor({ timeout: LIVE_MS });
    await screenshot(page, "invite-landed-phone");

    // The link worked once: opened again, it says so calmly.
    const late = await newContext(DESKTOP);
    const latePage = await late.newPage();
    await latePage.goto(link);
    await latePage.getByRole("heading", { level: 1, name: "This invite link no longer works" }).waitFor();
    await screenshot(latePage, "invite-used");
    await expect(seriousViolations(latePage)).resolves.toEqual([]);
    await Promise.all([guest.close(), late.close()]);
  });
});

describe("keyboard focus and quiet logs (issue 18)", () => {
  it("logs no console error on a signed-out load", async () => {
    const context = await newContext(DESKTOP);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("console", (entry) => {
      if (entry.type() === "error") errors.push(entry.text());
    });
    await page.goto("/");
    await page.getByRole("heading", { name: "Log in" }).waitFor();
    await page.waitForTimeout(500);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("moves focus to Username, to the first invalid field, to the list after login, and back to the search toggle", async () => {
    const name = `wes_${run}`;
    const context = await newContext(DESKTOP);
    const page = await context.newPage();
    await page.goto("/login");
    await page.getByRole("link", { name: "Create an account" }).click();
    await page.getByRole("heading", { name: "Create an account" }).waitFor();
    await expect.poll(() => focused(page)).toBe("input|username");
    await page.getByLabel("Username").fill(name);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign up" }).click();
    await page.getByRole("navigation", { name: "App" }).waitFor();
    await page.getByRole("button", { name: "Log out" }).click();

    // A refused login: focus on the first field it is about, not on the page.
    await page.getByLabel("Username").fill(name);
    await page.getByLabel("Password").fill("wrong-password");
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByRole("alert").waitFor();
    await expect.poll(() => focused(page)).toBe("input|username");
    await expect(page.getByLabel("Username").getAttribute("aria-invalid")).resolves.toBe("true");
    await screenshot(page, "login-refused");
    await expect(seriousViolations(page)).resolves.toEqual([]);

    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByRole("navigation", { name: "App" }).waitFor();
    await expect.poll(() => focused(page)).toBe("section|Connections");

    await page.getByRole("button", { name: "Search people" }).click();
    const field = page.getByRole("searchbox", { name: "Search people" });
    await field.fill("Zelda Smith");
    const none = page.getByText("No one found for “Zelda Smith”");
    await none.waitFor({ timeout: LIVE_MS });
    await expect(none.evaluate((element) => getComputedStyle(element).textTransform)).resolves.toBe("none");
    await screenshot(page, "search-no-result");
    await expect(seriousViolations(page)).resolves.toEqual([]);
    await field.press("Escape");
    await expect.poll(() => focused(page)).toBe("button|Search people");

    // Delete account is the last stop of the screen.
    const last = await page.evaluate(() => {
      const stops = [
        ...document.querySelectorAll<HTMLElement>("a[href], button, input, textarea, select, summary, [tabindex]"),
      ].filter(
        (element) => element.tabIndex >= 0 && !(element as HTMLButtonElement).disabled && element.offsetParent !== null,
      );
      return stops.at(-1)?.getAttribute("aria-label");
    });
    expect(last).toBe("Delete account");
    await context.close();
  });
});

describe("the strict Content-Security-Policy", () => {
  it("is sent with the app", async () => {
    const response = await fetch(baseUrl);
    expect(response.headers.get("content-security-policy")).toContain("style-src 'self'");
  });

  it("blocked nothing in any page of the scenarios above", () => {
    expect(cspViolations).toEqual([]);
  });
});
