import type { User } from "../../protocol/api";
import type { UserRecord } from "../../server/ports/store";

/** The public view of a user record: never the password hash. */
export function toUser(record: Omit<UserRecord, "passwordHash">): User {
  return {
    id: record.id,
    username: record.username,
    createdAt: new Date(record.createdAt).toISOString(),
    expiresAt: new Date(record.expiresAt).toISOString(),
  };
}
