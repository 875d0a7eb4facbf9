import { describe, expect, it } from "vitest";
import { errorMessage } from "./errors";
import { ApiError } from "./net/api";

describe("the message of an error", () => {
  it("is an Error's own message, API errors included", () => {
    expect(errorMessage(new Error("Cannot reach the server."))).toBe("Cannot reach the server.");
    expect(errorMessage(new ApiError(409, "taken", "That username is taken."))).toBe("That username is taken.");
  });

  it("is a thrown string as it is", () => {
    expect(errorMessage("quota exceeded")).toBe("quota exceeded");
  });

  it("is a plain line for anything else, never 'undefined' or '[object Object]'", () => {
    for (const thrown of [undefined, null, 42, { code: 1 }, new Error(""), ""]) {
      expect(errorMessage(thrown)).toBe("Something went wrong. Please try again.");
    }
  });
});
