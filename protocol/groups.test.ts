import { describe, expect, it } from "vitest";
import { describeSystemEvent, mentionedNames } from "./groups";

const ann = { id: "u1", username: "ann" };
const bob = { id: "u2", username: "bob" };
const carol = { id: "u3", username: "carol" };
const dan = { id: "u4", username: "dan" };

describe("describeSystemEvent", () => {
  it("writes the sentence people read for each change", () => {
    expect(describeSystemEvent({ event: "created", actor: ann, targets: [bob, carol], name: "Trip" })).toBe(
      "ann created the group “Trip”",
    );
    expect(describeSystemEvent({ event: "added", actor: ann, targets: [bob] })).toBe("ann added bob");
    expect(describeSystemEvent({ event: "added", actor: ann, targets: [bob, carol] })).toBe("ann added bob and carol");
    expect(describeSystemEvent({ event: "added", actor: ann, targets: [bob, carol, dan] })).toBe(
      "ann added bob, carol and dan",
    );
    expect(describeSystemEvent({ event: "removed", actor: ann, targets: [bob] })).toBe("ann removed bob");
    expect(describeSystemEvent({ event: "left", actor: bob, targets: [bob] })).toBe("bob left");
    expect(describeSystemEvent({ event: "left", actor: null, targets: [bob] })).toBe("bob left");
    expect(describeSystemEvent({ event: "renamed", actor: ann, targets: [], name: "X" })).toBe(
      "ann renamed the group to “X”",
    );
    expect(describeSystemEvent({ event: "admin", actor: ann, targets: [bob] })).toBe("ann made bob an admin");
    expect(describeSystemEvent({ event: "account-ended", actor: null, targets: [bob] })).toBe("bob's account ended");
  });
});

describe("mentionedNames", () => {
  it("finds whole names after @, ignoring case and a sentence's punctuation", () => {
    expect([...mentionedNames("hi @Bob, and @carol.")]).toEqual(expect.arrayContaining(["bob", "carol"]));
    expect(mentionedNames("(@dan) @a.b-c.").has("dan")).toBe(true);
    expect(mentionedNames("@a.b-c.").has("a.b-c")).toBe(true);
  });

  it("does not take an address, a longer name or a bare @ for a mention", () => {
    const names = mentionedNames("mail bob@example.com, @bobby, @ alone");
    expect(names.has("bob")).toBe(false);
    expect(names.has("example.com")).toBe(false);
    expect([...names]).toEqual(["bobby"]);
  });
});
