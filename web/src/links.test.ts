import { describe, expect, it } from "vitest";
import { splitLinks } from "./links";

describe("web addresses in a message", () => {
  it("leaves text without an address as one plain run", () => {
    expect(splitLinks("no links <b>here</b>")).toEqual([{ text: "no links <b>here</b>" }]);
  });

  it("finds http and https addresses among the text", () => {
    expect(splitLinks("see https://example.org/a?b=1 and http://x.test")).toEqual([
      { text: "see " },
      { text: "https://example.org/a?b=1", href: "https://example.org/a?b=1" },
      { text: " and " },
      { text: "http://x.test", href: "http://x.test/" },
    ]);
  });

  it("leaves the punctuation that ends a sentence out of the address", () => {
    expect(splitLinks("Look: https://example.org/page.")).toEqual([
      { text: "Look: " },
      { text: "https://example.org/page", href: "https://example.org/page" },
      { text: "." },
    ]);
    expect(splitLinks("(https://example.org/wiki/A_(b))")).toEqual([
      { text: "(" },
      { text: "https://example.org/wiki/A_(b)", href: "https://example.org/wiki/A_(b)" },
      { text: ")" },
    ]);
  });

  it("never makes a link of another scheme", () => {
    expect(splitLinks("javascript:alert(1) data:text/html,x ftp://a.test")).toEqual([
      { text: "javascript:alert(1) data:text/html,x ftp://a.test" },
    ]);
  });

  it("stops an address at a quote or an angle bracket", () => {
    expect(splitLinks('"https://a.test/x"<b>')).toEqual([
      { text: '"' },
      { text: "https://a.test/x", href: "https://a.test/x" },
      { text: '"<b>' },
    ]);
  });
});
