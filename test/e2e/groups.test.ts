import { readFileSync } from "node:fs";
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  chatStatus,
  chatTitle,
  composer,
  DESKTOP,
  LIVE_MS,
  message,
  messages,
  newContext,
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

useChromium();

async function signUp(name: string, viewport: Viewport): Promise<Person> {
  return signUpIn(await newContext(viewport), name);
}

/** A call to the API from the person's page, with their session; throws on an error answer. */
async function call(person: Person, method: string, path: string, body?: unknown): Promise<unknown> {
  return person.page.evaluate(
    async ({ method, path, body }) => {
      const response = await fetch(path, {
        method,
        headers: body === undefined ? undefined : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
      return response.status === 204 ? null : response.json();
    },
    { method, path, body },
  );
}

/** `asker` asks `asked` to connect and `asked` accepts, through the API (the UI for it is tested elsewhere). */
async function connect(asker: Person, asked: Person): Promise<void> {
  await call(asker, "POST", "/api/connections", { userId: asked.id });
  await call(asked, "POST", `/api/connections/${asker.id}/accept`);
}

function groupLink(page: Page, name: string): Locator {
  return page.locator(".pane--list").getByRole("link", { name: new RegExp(`^${name}\\b`) });
}

function systemLine(page: Page, text: string | RegExp): Locator {
  return messages(page).locator("li.msg-system", { hasText: text });
}

async function openGroup(person: Person, name: string): Promise<void> {
  await groupLink(person.page, name).click({ timeout: LIVE_MS });
  await chatTitle(person.page, name).waitFor();
}

describe("a group of three in the browser (issue 21)", () => {
  let ann: Person;
  let bob: Person;
  /** On a phone. */
  let carol: Person;
  const lunch = `Lunch ${run}`;
  const dinner = `Dinner ${run}`;

  beforeAll(async () => {
    [ann, bob, carol] = await Promise.all([
      signUp(`ann_${run}`, DESKTOP),
      signUp(`bob_${run}`, DESKTOP),
      signUp(`carol_${run}`, PHONE),
    ]);
    await Promise.all([connect(ann, bob), connect(ann, carol)]);
    // The contacts came through the API: the list shows them after a reload.
    await ann.page.reload();
    await waitForConnected(ann.page);
  });

  afterAll(async () => {
    await Promise.all([ann?.context.close(), bob?.context.close(), carol?.context.close()]);
  });

  it("makes a group from the list with contacts picked by name; all three see it at once", async () => {
    await ann.page.getByRole("button", { name: "New group" }).click();
    const dialog = ann.page.getByRole("dialog", { name: "New group" });
    await dialog.waitFor();
    // Focus is in the dialog, on its first field.
    await expect.poll(() => ann.page.evaluate(() => document.activeElement?.id)).toBe("group-name");

    // Too few people: said in words, nothing made.
    await dialog.getByLabel("Group name").fill(lunch);
    await dialog.getByRole("checkbox", { name: bob.name }).check();
    await dialog.getByRole("button", { name: "Create group" }).click();
    await dialog.getByRole("alert").filter({ hasText: "Pick at least 2 contacts." }).waitFor();

    await dialog.getByRole("checkbox", { name: carol.name }).check();
    await screenshot(ann.page, "group-new-dialog");
    await expect(seriousViolations(ann.page)).resolves.toEqual([]);
    await dialog.getByRole("button", { name: "Create group" }).click();
    await dialog.waitFor({ state: "detached" });

    await chatTitle(ann.page, lunch).waitFor();
    await chatStatus(ann.page)
      .filter({ hasText: /^3 members, \d online$/ })
      .waitFor({ timeout: LIVE_MS });
    await systemLine(ann.page, lunch).waitFor({ timeout: LIVE_MS });
    await groupLink(bob.page, lunch).waitFor({ timeout: LIVE_MS });
    await groupLink(carol.page, lunch).waitFor({ timeout: LIVE_MS });

    // The system line names people by id and username: nothing else of their accounts reaches members.
    const groupId = decodeURIComponent(new URL(ann.page.url()).pathname.replace(/^\/c\//, ""));
    const history = (await call(bob, "GET", `/api/conversations/${groupId}/messages?limit=10`)) as {
      messages: { system?: { actor: object | null; targets: object[] } }[];
    };
    const people = history.messages.flatMap((line) => (line.system ? [line.system.actor, ...line.system.targets] : []));
    expect(people.length).toBeGreaterThan(0);
    for (const person of people) expect(Object.keys(person ?? {}).sort()).toEqual(["id", "username"]);
  });

  it("chats with the sender's name over others' messages and an @mention marked", async () => {
    await openGroup(bob, lunch);
    await openGroup(carol, lunch);
    await chatStatus(ann.page).filter({ hasText: "3 members, 3 online" }).waitFor({ timeout: LIVE_MS });

    await send(ann.page, `Pizza at noon, @${bob.name}?`);
    const atBob = message(bob.page, "Pizza at noon");
    await atBob.waitFor({ timeout: LIVE_MS });
    await expect(atBob.locator(".msg__sender").textContent()).resolves.toBe(ann.name);
    await expect(atBob.locator("mark.mention--me").textContent()).resolves.toBe(`@${bob.name}`);
    // For Carol the same name is marked, as someone else's.
    const atCarol = message(carol.page, "Pizza at noon");
    await atCarol.waitFor({ timeout: LIVE_MS });
    await expect(atCarol.locator("mark.mention:not(.mention--me)").count()).resolves.toBe(1);

    await send(bob.page, "Yes please");
    await message(ann.page, "Yes please").locator(".msg__sender", { hasText: bob.name }).waitFor({ timeout: LIVE_MS });
  });

  it("downloads the group's conversation: each message with its sender's name, each change as its sentence", async () => {
    // In the group's members dialog: the bar keeps its room for the name on a phone.
    await ann.page.getByRole("button", { name: "Members" }).click();
    const dialog = ann.page.getByRole("dialog", { name: "Members" });
    const [download] = await Promise.all([
      ann.page.waitForEvent("download"),
      dialog.getByRole("button", { name: "Download conversation" }).click(),
    ]);
    await dialog.getByRole("button", { name: "Close" }).click();
    const text = readFileSync((await download.path())!, "utf8");
    expect(text).toContain(`${ann.name}: Pizza at noon, @${bob.name}?`);
    expect(text).toContain(`${bob.name}: Yes please`);
    expect(text).toContain(`] ${ann.name} created the group “${lunch}”`);
    expect(text).not.toContain("system:");
  });

  it("says who is typing: two of them by name", async () => {
    await composer(bob.page).pressSequentially("I will");
    await composer(carol.page).pressSequentially("Me too");
    const both = new RegExp(`^(${bob.name} and ${carol.name}|${carol.name} and ${bob.name}) are typing…$`);
    await chatStatus(ann.page).filter({ hasText: both }).waitFor({ timeout: LIVE_MS });
    await screenshot(ann.page, "group-typing");
    await composer(bob.page).fill("");
    await composer(carol.page).fill("");
    await chatStatus(ann.page)
      .filter({ hasText: /members/ })
      .waitFor({ timeout: LIVE_MS });
  });

  it("shows 'Seen by' under the latest message the others read, with their names for a keyboard too", async () => {
    await send(ann.page, "See you there");
    await message(bob.page, "See you there").waitFor({ timeout: LIVE_MS });
    await message(carol.page, "See you there").waitFor({ timeout: LIVE_MS });
    const seen = ann.page.locator(".seen-by__text");
    await seen.filter({ hasText: /^Seen by / }).waitFor({ timeout: LIVE_MS });
    await expect
      .poll(() => seen.getAttribute("title"), { timeout: LIVE_MS })
      .toMatch(new RegExp(`^Seen by (${bob.name} and ${carol.name}|${carol.name} and ${bob.name})$`));
    // Under the message it is about, and reachable by Tab with its names as text.
    await expect(
      ann.page
        .locator("li.msg", { hasText: "See you there" })
        .locator("xpath=following-sibling::li[1]")
        .getAttribute("class"),
    ).resolves.toBe("seen-by");
    await seen.focus();
    await expect(seen.locator(".sr-only").textContent()).resolves.toContain(carol.name);
    await screenshot(ann.page, "group-chat-desktop");
    await screenshot(carol.page, "group-chat-phone");
    await expect(seriousViolations(ann.page)).resolves.toEqual([]);
    await bob.page.emulateMedia({ colorScheme: "dark" });
    await screenshot(bob.page, "group-chat-desktop-dark");
    await expect(seriousViolations(bob.page)).resolves.toEqual([]);
    await bob.page.emulateMedia({ colorScheme: "light" });
  });

  it("renames the group for everyone, in the list and in the open chat", async () => {
    await ann.page.getByRole("button", { name: "Members" }).click();
    const dialog = ann.page.getByRole("dialog", { name: "Members" });
    await dialog.waitFor();
    // Ann made it: she is an admin, the others are not.
    await dialog.locator("li", { hasText: ann.name }).locator(".tag--admin").waitFor();
    await expect(dialog.locator("li", { hasText: bob.name }).locator(".tag--admin").count()).resolves.toBe(0);
    await screenshot(ann.page, "group-members");
    await expect(seriousViolations(ann.page)).resolves.toEqual([]);
    await dialog.getByLabel("Group name").fill(dinner);
    await dialog.getByRole("button", { name: "Rename" }).click();
    await chatTitle(ann.page, dinner).waitFor({ timeout: LIVE_MS });
    await chatTitle(bob.page, dinner).waitFor({ timeout: LIVE_MS });
    await chatTitle(carol.page, dinner).waitFor({ timeout: LIVE_MS });
    await groupLink(bob.page, dinner).waitFor({ timeout: LIVE_MS });
    await systemLine(carol.page, dinner).waitFor({ timeout: LIVE_MS });
    await dialog.getByRole("button", { name: "Close" }).click();
    await dialog.waitFor({ state: "detached" });
    // Focus goes back to the button that opened the dialog.
    await expect
      .poll(() => ann.page.evaluate(() => document.activeElement?.getAttribute("aria-label")))
      .toBe("Members");
  });

  it("mutes the group for one person only, and makes another member an admin", async () => {
    const mute = carol.page.getByRole("button", { name: "Mute notifications" });
    await mute.click();
    await expect.poll(() => mute.getAttribute("aria-pressed")).toBe("true");
    await carol.page.getByRole("button", { name: "Back to connections" }).click();
    await groupLink(carol.page, dinner).getByText("Muted").waitFor();
    await expect(groupLink(ann.page, dinner).getByText("Muted").count()).resolves.toBe(0);
    // Muted, but named: her list counts it and marks the mention.
    await send(ann.page, `Are you in, @${carol.name}?`);
    await groupLink(carol.page, dinner).locator(".badge--mention").waitFor({ timeout: LIVE_MS });
    await groupLink(carol.page, dinner).locator(".badge", { hasText: "1" }).waitFor();
    await screenshot(carol.page, "group-list-mention-phone");
    await expect(seriousViolations(carol.page)).resolves.toEqual([]);
    await openGroup(carol, dinner);

    await ann.page.getByRole("button", { name: "Members" }).click();
    const dialog = ann.page.getByRole("dialog", { name: "Members" });
    await dialog.getByRole("button", { name: `Make admin: ${bob.name}` }).click();
    await dialog.locator("li", { hasText: bob.name }).locator(".tag--admin").waitFor({ timeout: LIVE_MS });
    await dialog.getByRole("button", { name: "Close" }).click();
    // Bob's own panel now offers what admins do.
    await bob.page.getByRole("button", { name: "Members" }).click();
    const bobs = bob.page.getByRole("dialog", { name: "Members" });
    await bobs.getByRole("button", { name: "Rename" }).waitFor({ timeout: LIVE_MS });
    await bobs.getByRole("button", { name: "Close" }).click();
  });

  it("removes a member: their open chat closes and their list says why; added again, they are back", async () => {
    await ann.page.getByRole("button", { name: "Members" }).click();
    const dialog = ann.page.getByRole("dialog", { name: "Members" });
    await dialog.getByRole("button", { name: `Remove ${carol.name}` }).click();
    await dialog.getByRole("button", { name: `Remove ${carol.name}` }).waitFor({ state: "detached", timeout: LIVE_MS });

    // Carol was in the chat: back to her list, with the notice, and the group gone from it.
    const notice = carol.page.getByRole("status").filter({ hasText: `You were removed from “${dinner}”.` });
    await notice.waitFor({ timeout: LIVE_MS });
    await expect(carol.page.getByRole("log", { name: "Messages" }).count()).resolves.toBe(0);
    await expect(groupLink(carol.page, dinner).count()).resolves.toBe(0);
    await screenshot(carol.page, "group-removed-phone");
    await chatStatus(ann.page)
      .filter({ hasText: /^2 members/ })
      .waitFor({ timeout: LIVE_MS });

    await dialog.getByRole("checkbox", { name: carol.name }).check();
    await dialog.getByRole("button", { name: "Add to group" }).click();
    await dialog
      .locator("li", { hasText: carol.name })
      .getByRole("button", { name: `Remove ${carol.name}` })
      .waitFor({
        timeout: LIVE_MS,
      });
    await groupLink(carol.page, dinner).waitFor({ timeout: LIVE_MS });
    await dialog.getByRole("button", { name: "Close" }).click();
  });

  it("lets a member leave after a question; the others read that they left", async () => {
    await bob.page.getByRole("button", { name: "Leave group" }).click();
    const confirm = bob.page.getByRole("dialog", { name: `Leave “${dinner}”?` });
    await confirm.getByRole("button", { name: "Leave" }).click();
    await groupLink(bob.page, dinner).waitFor({ state: "detached", timeout: LIVE_MS });
    await expect(bob.page.getByRole("log", { name: "Messages" }).count()).resolves.toBe(0);
    // Nobody tells Bob what he did himself.
    await expect(bob.page.getByText(/You were removed/).count()).resolves.toBe(0);
    await systemLine(ann.page, new RegExp(`${bob.name} left`)).waitFor({ timeout: LIVE_MS });
  });
});
