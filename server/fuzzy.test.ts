import { describe, expect, it } from "vitest";
import { editDistance, matchScore, rankByName, trigrams, typoBudget } from "./fuzzy";

describe("editDistance", () => {
  it("is zero for equal strings and the length of the other for an empty one", () => {
    expect(editDistance("alice", "alice")).toBe(0);
    expect(editDistance("", "")).toBe(0);
    expect(editDistance("", "abc")).toBe(3);
    expect(editDistance("abcd", "")).toBe(4);
  });

  it("counts insertions, deletions and substitutions", () => {
    expect(editDistance("alice", "alicia")).toBe(2);
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("bob", "bobby")).toBe(2);
    expect(editDistance("carol", "karol")).toBe(1);
  });

  it("counts two swapped neighbouring letters as one edit", () => {
    expect(editDistance("alcie", "alice")).toBe(1);
    expect(editDistance("ab", "ba")).toBe(1);
    expect(editDistance("badcfe", "abcdef")).toBe(3);
  });

  it("does not edit a swapped pair again (optimal string alignment)", () => {
    // True Damerau–Levenshtein gives 2 ("ca" → "ac" → "abc"); OSA may not insert between swapped letters.
    expect(editDistance("ca", "abc")).toBe(3);
  });

  it("is symmetric", () => {
    for (const [a, b] of [
      ["alcie", "alice_smith"],
      ["kitten", "sitting"],
      ["ca", "abc"],
      ["", "xy"],
    ] as const) {
      expect(editDistance(a, b)).toBe(editDistance(b, a));
    }
  });
});

describe("typoBudget", () => {
  it("tolerates no typo in a query of one or two letters", () => {
    expect([0, 1, 2].map(typoBudget)).toEqual([0, 0, 0]);
  });

  it("tolerates more typos in longer queries, up to three", () => {
    expect([3, 4, 5, 8, 9, 20, 200].map(typoBudget)).toEqual([1, 1, 2, 2, 3, 3, 3]);
  });
});

describe("matchScore", () => {
  it("ranks exact, then prefix, then substring, then a near match", () => {
    const scores = ["alice", "alice_smith", "the_alice", "alcie_smith"].map((name) => matchScore("alice", name));
    expect(scores.every((score) => score !== null)).toBe(true);
    const [exact, prefix, substring, near] = scores as number[];
    expect(exact).toBeLessThan(prefix!);
    expect(prefix).toBeLessThan(substring!);
    expect(substring).toBeLessThan(near!);
  });

  it("prefers a shorter name among prefix matches", () => {
    expect(matchScore("ali", "alia")!).toBeLessThan(matchScore("ali", "alibaba")!);
  });

  it("prefers an earlier position among substring matches", () => {
    expect(matchScore("lic", "alice")!).toBeLessThan(matchScore("lic", "malice")!);
  });

  it("keeps the bands apart for names of any allowed length (up to 32 characters)", () => {
    const longestPrefix = matchScore("ali", `ali${"x".repeat(29)}`)!;
    const earliestSubstring = matchScore("ali", "xali")!;
    const latestSubstring = matchScore("ali", `${"x".repeat(29)}ali`)!;
    const closestNear = matchScore("ali", "alx")!;
    expect(longestPrefix).toBeLessThan(earliestSubstring);
    expect(latestSubstring).toBeLessThan(closestNear);
  });

  it("finds a name by a misspelled query", () => {
    expect(matchScore("alcie", "alice")).not.toBeNull();
    expect(matchScore("alcie", "alice_smith")).not.toBeNull();
    expect(matchScore("alise", "alice")).not.toBeNull();
  });

  it("prefers fewer typos", () => {
    expect(matchScore("alicex", "alice")!).toBeLessThan(matchScore("alixex", "alice")!);
  });

  it("refuses a name with more typos than the query's budget", () => {
    expect(matchScore("bob", "rob")).not.toBeNull();
    expect(matchScore("bob", "rod")).toBeNull();
    expect(matchScore("alice", "bruce")).toBeNull();
  });

  it("matches a query of one or two letters by prefix only", () => {
    expect(matchScore("al", "alice")).not.toBeNull();
    expect(matchScore("al", "sal")).toBeNull();
    expect(matchScore("al", "malice")).toBeNull();
    expect(matchScore("al", "ak")).toBeNull();
    expect(matchScore("a", "ba")).toBeNull();
  });
});

describe("rankByName", () => {
  const users = ["zed", "the_alice", "alcie_smith", "alice_b", "alice", "alice_a", "bruce"].map((name) => ({ name }));

  it("orders matches best first and drops the others", () => {
    expect(rankByName("alice", users, (user) => user.name).map((user) => user.name)).toEqual([
      "alice",
      "alice_a",
      "alice_b",
      "the_alice",
      "alcie_smith",
    ]);
  });

  it("breaks ties alphabetically, whatever the input order", () => {
    const names = ["bob_c", "bob_a", "bob_b"];
    expect(rankByName("bob", names, (name) => name)).toEqual(["bob_a", "bob_b", "bob_c"]);
    expect(rankByName("bob", [...names].reverse(), (name) => name)).toEqual(["bob_a", "bob_b", "bob_c"]);
  });
});

describe("trigrams", () => {
  it("marks the start and end of the name", () => {
    expect(trigrams("abc").sort()).toEqual(["^ab", "abc", "bc$"].sort());
    expect(trigrams("ab").sort()).toEqual(["^ab", "ab$"].sort());
    expect(trigrams("a")).toEqual(["^a$"]);
  });

  it("lists each trigram once", () => {
    expect(trigrams("aaaa").sort()).toEqual(["^aa", "aa$", "aaa"].sort());
  });

  it("has nothing for an empty key", () => {
    expect(trigrams("")).toEqual([]);
  });

  it("shares the trigrams of a misspelled name's start with the real one", () => {
    const real = new Set(trigrams("alice_smith"));
    expect(trigrams("alcie").filter((gram) => real.has(gram))).toContain("^al");
  });
});
