import { describe, expect, it } from "vitest";
import type { Connection, Group, Message } from "../../../protocol/api";
import { SYSTEM_SENDER_ID } from "../../../protocol/wire";
import { connection, openList, useFakeBrowser } from "../../../test/web/fixtures";
import { seenByLine, seenByText, splitMentions, typingSentence } from "./group-chat";
import { mentions, mergeByActivity, notifiesInGroup, upsertGroup } from "./groups";

const ann = { id: "u-ann", username: "ann" };
const bob = { id: "u-bob", username: "bob" };
const carol = { id: "u-carol", username: "carol" };

function message(
  seq: number,
  senderId: string,
  body: string,
  at = `2026-01-01T10:${String(seq).padStart(2, "0")}:00Z`,
) {
  return { id: `m${seq}`, seq, conversationId: "g1", senderId, body, sentAt: at } satisfies Message;
}

function group(id: string, changes: Partial<Group> = {}): Group {
  return {
    id,
    name: `group ${id}`,
    members: [
      { ...ann, admin: true },
      { ...bob, admin: false },
      { ...carol, admin: false },
    ],
    createdBy: ann.id,
    createdAt: "2026-01-01T09:00:00Z",
    muted: false,
    lastMessage: null,
    unread: 0,
    mentioned: false,
    ...changes,
  };
}

function contact(username: string, lastAt: string | null): Connection {
  return connection(
    username,
    lastAt ? { ...message(1, `u-${username}`, "hi", lastAt), conversationId: `c-${username}` } : null,
  );
}

describe("typing in words", () => {
  it("names one or two people and counts three or more", () => {
    expect(typingSentence([])).toBeNull();
    expect(typingSentence(["ann"])).toBe("ann is typing…");
    expect(typingSentence(["ann", "bob"])).toBe("ann and bob are typing…");
    expect(typingSentence(["ann", "bob", "carol"])).toBe("3 people are typing…");
  });
});

describe("seen by", () => {
  const members = [ann, bob, carol];

  it("goes under the person's latest message someone else read, with who read it", () => {
    const messages = [message(1, ann.id, "one"), message(2, bob.id, "two"), message(3, ann.id, "three")];
    expect(seenByLine(messages, { [bob.id]: 3, [carol.id]: 1, [ann.id]: 3 }, members, ann.id)).toEqual({
      messageId: "m3",
      readers: [bob],
    });
    // Nobody reached the latest one yet: the line stays under the earlier one they did read.
    expect(seenByLine(messages, { [bob.id]: 2, [carol.id]: 1 }, members, ann.id)).toEqual({
      messageId: "m1",
      readers: [bob, carol],
    });
  });

  it("is absent when nobody else read anything of the person's, and ignores a cursor of someone no longer in", () => {
    const messages = [message(1, ann.id, "one"), { ...message(2, ann.id, "two"), seq: null }];
    expect(seenByLine(messages, { [ann.id]: 2 }, members, ann.id)).toBeNull();
    expect(seenByLine(messages, { "u-gone": 5 }, members, ann.id)).toBeNull();
  });

  it("names up to two readers and counts more", () => {
    expect(seenByText(["bob"])).toBe("Seen by bob");
    expect(seenByText(["bob", "carol"])).toBe("Seen by bob and carol");
    expect(seenByText(["bob", "carol", "dave"])).toBe("Seen by 3");
  });
});

describe("mentions", () => {
  const names = new Set(["bob", "carol.b"]);

  it("finds @name of a member, not an address or a stranger", () => {
    expect(splitMentions("hi @bob, and @carol.b.", names)).toEqual([
      { text: "hi " },
      { text: "@bob", mention: "bob" },
      { text: ", and " },
      { text: "@carol.b", mention: "carol.b" },
      { text: "." },
    ]);
    expect(splitMentions("mail bob@bob.com or @dave", names)).toEqual([{ text: "mail bob@bob.com or @dave" }]);
    expect(mentions("@BOB look", "bob")).toBe(true);
    expect(mentions("@bobby look", "bob")).toBe(false);
  });

  it("notifies in a muted group only when the message names the person", () => {
    const muted = group("g1", { muted: true });
    expect(notifiesInGroup(muted, message(5, bob.id, "lunch?"), ann, false)).toBe(false);
    expect(notifiesInGroup(muted, message(5, bob.id, "lunch @ann?"), ann, false)).toBe(true);
    expect(notifiesInGroup(group("g1"), message(5, bob.id, "lunch?"), ann, false)).toBe(true);
    // Never for the person's own message, a system line, or a chat they are looking at.
    expect(notifiesInGroup(group("g1"), message(5, ann.id, "lunch?"), ann, false)).toBe(false);
    expect(notifiesInGroup(group("g1"), message(5, SYSTEM_SENDER_ID, "bob added ann"), ann, false)).toBe(false);
    expect(notifiesInGroup(group("g1"), message(5, bob.id, "@ann"), ann, true)).toBe(false);
  });
});

describe("the list", () => {
  it("puts groups among connections by their last activity; a new group goes by when it was made", () => {
    const groups = [
      group("g-old", { createdAt: "2026-01-01T08:00:00Z" }),
      group("g-new", { createdAt: "2026-01-03T00:00:00Z" }),
    ];
    const entries = mergeByActivity([contact("dave", "2026-01-02T00:00:00Z"), contact("erin", null)], groups);
    expect(entries.map((entry) => entry.id)).toEqual(["g-new", "c-dave", "g-old", "c-erin"]);
  });

  it("replaces a group it holds instead of adding it twice", () => {
    const renamed = upsertGroup([group("g1"), group("g2")], group("g1", { name: "renamed" }));
    expect(renamed.map((item) => item.name)).toEqual(
      ["group g1", "group g2"].map((name, index) => (index === 0 ? "renamed" : name)),
    );
  });
});

/** Ann's list over a fake hub: no connections, the given groups. */
function annsGroups(groups: Group[], open: string | null = null) {
  return openList({ groups, open, user: ann });
}

useFakeBrowser();

describe("groups kept live by the hub", () => {
  it("adds a group the person was put in, and takes in a rename", async () => {
    const { connections, hub } = await annsGroups([group("g1")]);
    // A group is a conversation the outbox sends to, not one it drops as gone.
    expect(connections.conversationIds.value.has("g1")).toBe(true);
    hub.receive({ type: "group", group: group("g2", { createdAt: "2026-01-02T00:00:00Z" }) });
    expect(connections.entries.value.map((entry) => entry.id)).toEqual(["g2", "g1"]);
    hub.receive({ type: "group", group: group("g1", { name: "Lunch" }) });
    expect(connections.groups.list.value.map((item) => item.name)).toEqual(["group g2", "Lunch"]);
  });

  it("counts unread and marks a mention; a muted group notifies only for a mention", async () => {
    const { connections, hub, show } = await annsGroups([group("g1", { muted: true })]);
    hub.receive({
      type: "unread",
      conversationId: "g1",
      unread: 1,
      lastMessage: message(4, bob.id, "lunch?"),
      mentioned: false,
    });
    expect(show).not.toHaveBeenCalled();
    hub.receive({
      type: "unread",
      conversationId: "g1",
      unread: 2,
      lastMessage: message(5, bob.id, "@ann lunch?"),
      mentioned: true,
    });
    expect(show).toHaveBeenCalledWith("group g1", "bob: @ann lunch?", "g1", expect.any(Function));
    expect(connections.groups.list.value[0]).toMatchObject({ unread: 2, mentioned: true });
    // Muted, but something in it names the person: the title counts it.
    expect(connections.unseenTotal.value).toBe(2);
    connections.markRead("g1");
    expect(connections.groups.list.value[0]).toMatchObject({ unread: 0, mentioned: false });
  });

  it("notifies for an unmuted group's message, and not for a muted one's", async () => {
    const { hub, show } = await annsGroups([group("g1"), group("g2", { muted: true })]);
    hub.receive({ type: "unread", conversationId: "g2", unread: 1, lastMessage: message(4, bob.id, "quiet") });
    hub.receive({ type: "unread", conversationId: "g1", unread: 1, lastMessage: message(4, carol.id, "loud") });
    expect(show).toHaveBeenCalledTimes(1);
    expect(show).toHaveBeenCalledWith("group g1", "carol: loud", "g1", expect.any(Function));
  });

  it("says so when the person was removed, and goes back to the list from its open chat", async () => {
    const { connections, hub, route } = await annsGroups([group("g1", { name: "Lunch" })], "g1");
    hub.receive({ type: "group-removed", conversationId: "g1", reason: "removed" });
    expect(connections.groups.list.value).toEqual([]);
    expect(route.value).toEqual({ name: "home", conversationId: null });
    expect(connections.groups.departures.value).toEqual([{ conversationId: "g1", name: "Lunch", reason: "removed" }]);
    // The room's 4003 for the same removal adds no second notice.
    connections.groups.gone("g1", "removed");
    expect(connections.groups.departures.value).toHaveLength(1);
  });

  it("lets a group the person left in another tab go quietly", async () => {
    const { connections, hub } = await annsGroups([group("g1")]);
    hub.receive({ type: "group-removed", conversationId: "g1", reason: "left" });
    expect(connections.groups.list.value).toEqual([]);
    expect(connections.groups.departures.value).toEqual([]);
  });
});
