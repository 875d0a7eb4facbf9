import type { GROUP_REMOVAL_REASONS } from "../protocol/wire";
import type { GroupView } from "../server/hub-views";
import { log } from "../server/log";
import type { GroupRecord } from "../server/ports/store";
import { hubFor } from "./addresses";

/** The group in `viewerId`'s view, as their hub keeps it: their own mute. */
export function toGroupView(viewerId: string, record: GroupRecord): GroupView {
  return {
    id: record.id,
    name: record.name,
    members: record.members.map(({ id, username, admin }) => ({ id, username, admin })),
    createdBy: record.createdBy,
    createdAt: new Date(record.createdAt).toISOString(),
    muted: record.members.find((member) => member.id === viewerId)?.muted ?? false,
  };
}

/**
 * Every member's hub gets the group in their own view (only `onlyFor`'s when it is a change only
 * they see), a removed or leaving member's hub that it left their list. The change is saved
 * already: a hub that fails is logged, and its user sees the group right on their next load.
 */
export async function tellGroupHubs(
  env: Env,
  record: GroupRecord,
  removed: { userId: string; reason: (typeof GROUP_REMOVAL_REASONS)[number] } | null,
  onlyFor?: string,
): Promise<void> {
  const told = onlyFor ? record.members.filter((member) => member.id === onlyFor) : record.members;
  const results = await Promise.allSettled([
    ...told.map((member) => hubFor(env, member.id).groupChanged(toGroupView(member.id, record))),
    ...(removed ? [hubFor(env, removed.userId).groupRemoved(record.id, removed.reason)] : []),
  ]);
  const failed = results.filter((result) => result.status === "rejected").length;
  if (failed > 0) log("warn", "group_notices_failed", { groupId: record.id, failed });
}
