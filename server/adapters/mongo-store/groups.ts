import { MongoServerError } from "mongodb";
import { byJoined } from "../../group-rules";
import { GROUPS_MAX, type GroupRecord, type GroupStore, type Result } from "../../ports/store";
import { type Collections, GROUP, type GroupDoc, isGroup, toGroup } from "./documents";
import { DUPLICATE_KEY, guard, ok } from "./guard";
import { groupsOf } from "./lookups";
import { removeGroup } from "./removals";

/** Groups: conversations of `kind: "group"` holding their roster, saved optimistically by version. */
export class MongoGroups implements GroupStore {
  constructor(private readonly collections: Collections) {}

  createGroup(group: Omit<GroupRecord, "version">): Promise<Result<GroupRecord>> {
    return guard(async () => {
      const roster = [...group.members].sort(byJoined);
      const doc: GroupDoc = {
        _id: group.id,
        members: roster.map((member) => member.id),
        createdAt: group.createdAt,
        closed: false,
        kind: "group",
        name: group.name,
        createdBy: group.createdBy,
        version: 1,
        roster,
      };
      try {
        await this.collections.conversations.insertOne(doc);
      } catch (error) {
        // A retried insert whose first try landed: the group is there.
        if (!(error instanceof MongoServerError && error.code === DUPLICATE_KEY)) throw error;
        const stored = await this.collections.conversations.findOne({ _id: group.id, ...GROUP });
        if (!stored || !isGroup(stored)) throw error;
        return ok(toGroup(stored));
      }
      return ok(toGroup(doc));
    });
  }

  getGroup(groupId: string): Promise<Result<GroupRecord | null>> {
    return guard(async () => {
      const doc = await this.collections.conversations.findOne({ _id: groupId, ...GROUP });
      return ok(doc && isGroup(doc) ? toGroup(doc) : null);
    });
  }

  listGroups(userId: string): Promise<Result<GroupRecord[]>> {
    return guard(async () => ok((await groupsOf(this.collections, [userId], GROUPS_MAX)).map(toGroup)));
  }

  saveGroup(group: GroupRecord): Promise<Result<GroupRecord, "conflict" | "not_found">> {
    return guard(async () => {
      const { conversations } = this.collections;
      const roster = [...group.members].sort(byJoined);
      const saved = await conversations.findOneAndUpdate(
        { _id: group.id, version: group.version, ...GROUP },
        { $set: { name: group.name, roster, members: roster.map((member) => member.id), version: group.version + 1 } },
        { returnDocument: "after" },
      );
      if (saved && isGroup(saved)) return ok(toGroup(saved));
      const exists = await conversations.findOne({ _id: group.id, ...GROUP }, { projection: { _id: 1 } });
      return { ok: false, reason: exists ? "conflict" : "not_found" } as const;
    });
  }

  deleteGroup(groupId: string): Promise<Result<null>> {
    return guard(async () => {
      await removeGroup(this.collections, groupId);
      return ok(null);
    });
  }
}
