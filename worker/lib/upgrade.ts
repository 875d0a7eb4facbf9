import type { Context } from "hono";
import { ApiError } from "./errors";

/** WebSocket routes answer 426 to anything but an upgrade. */
export function requireUpgrade(c: Context): void {
  if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
    throw new ApiError(426, "upgrade_required", "This endpoint speaks WebSocket only.", { Upgrade: "websocket" });
  }
}
