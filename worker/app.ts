import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "./context";
import { ApiError } from "./lib/errors";
import { onError, onNotFound } from "./middleware/errors";
import { requireSameOrigin } from "./middleware/origin";
import { withPorts } from "./middleware/ports";
import { securityHeaders } from "./middleware/security-headers";
import { authRoutes } from "./routes/auth";
import { blockRoutes } from "./routes/blocks";
import { connectionRoutes } from "./routes/connections";
import { conversationRoutes } from "./routes/conversations";
import { groupRoutes } from "./routes/groups";
import { healthRoutes } from "./routes/health";
import { inviteRoutes } from "./routes/invites";
import { meRoutes } from "./routes/me";
import { userRoutes } from "./routes/users";

/** Request bodies of this API are small JSON objects. */
const MAX_BODY_BYTES = 16 * 1024;

/** The product's API; the bench's Worker (bench/worker/index.ts) adds its own routes to it. */
export function createApp() {
  const app = new Hono<AppEnv>().basePath("/api");
  app.use(securityHeaders);
  app.use(withPorts);
  app.use(requireSameOrigin);
  app.use(
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new ApiError(413, "payload_too_large", `Request bodies are limited to ${MAX_BODY_BYTES} bytes.`);
      },
    }),
  );
  app.route("/auth", authRoutes);
  app.route("/me", meRoutes);
  app.route("/users", userRoutes);
  app.route("/connections", connectionRoutes);
  app.route("/blocks", blockRoutes);
  app.route("/invites", inviteRoutes);
  app.route("/conversations", conversationRoutes);
  app.route("/groups", groupRoutes);
  app.route("/health", healthRoutes);
  app.onError(onError);
  app.notFound(onNotFound);
  return app;
}
