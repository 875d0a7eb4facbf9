import { Hono } from "hono";
import { createMiddleware } from "hono/factory";
import * as v from "valibot";
import { hubFor } from "../../durable-objects/addresses";
import { GROUP_LIMITS, type Group } from "../../protocol/api";
import { readableText } from "../../protocol/wire";
import { answered } from "../../server/ports/store";
import { RATE_RULES } from "../../server/rate-limit";
import { requireUser } from "../auth/session";
import type { AppEnv, SignedInContext, SignedInEnv } from "../context";
import {
  changeGroup,
  contactsOf,
  createGroup,
  type GroupActivity,
  type GroupChange,
  notAContact,
  readGroupAs,
  toGroup,
  viewGroupAs,
} from "../groups";
import { badRequest } from "../lib/errors";
import { validate } from "../lib/validate";
import { enforce } from "../middleware/rate-limit";

const GroupName = readableText("name", GROUP_LIMITS.nameMaxChars);
const UserId = v.pipe(v.string("a user id is required"), v.minLength(1), v.maxLength(64));
const UserIds = (min: number, max: number) =>
  v.pipe(
    v.array(UserId, "a list of user ids is required"),
    v.minLength(min, `at least ${min} people`),
    v.maxLength(max, `at most ${max} people`),
  );

const CreateBody = v.object({
  name: GroupName,
  memberIds: UserIds(GROUP_LIMITS.othersAtCreateMin, GROUP_LIMITS.othersAtCreateMax),
});
const RenameBody = v.object({ name: GroupName });
const AddBody = v.object({ userIds: UserIds(1, GROUP_LIMITS.othersAtCreateMax) });
const AdminBody = v.object({ userId: UserId });
const MuteBody = v.object({ muted: v.boolean("muted must be true or false") });

/** Every change to a group counts against its actor's budget for group changes. */
const countChange = createMiddleware<SignedInEnv>(async (c, next) => {
  await enforce(c, RATE_RULES.groupChangePerUser, c.var.user.id);
  return next();
});

/** Group conversations: the Store holds who is in them, the room their lines, the hubs each member's list. */
export const groupRoutes = new Hono<AppEnv>()
  .use(requireUser)
  .post("/", validate("json", CreateBody), async (c) => {
    const me = c.var.user;
    const { name, memberIds } = c.req.valid("json");
    const others = [...new Set(memberIds)];
    if (others.includes(me.id)) throw badRequest("memberIds: list the others, not yourself.");
    if (others.length < GROUP_LIMITS.othersAtCreateMin) {
      throw badRequest(`memberIds: at least ${GROUP_LIMITS.othersAtCreateMin} different people`);
    }
    await enforce(c, RATE_RULES.groupCreatePerUser, me.id);
    const contacts = await contactsOf(c.var.store, me.id);
    const refs = others.map((id) => {
      const username = contacts.get(id);
      if (username === undefined) throw notAContact();
      return { id, username };
    });
    const { record, message } = await createGroup(c.env, c.var.store, me, name, refs);
    return c.json({ group: toGroup(me.id, record, { lastMessage: message, unread: 0 }) }, 201);
  })
  .get("/", async (c) => {
    const me = c.var.user;
    const [listing, activity] = await Promise.all([c.var.store.listGroups(me.id), hubFor(c.env, me.id).summaries()]);
    const listed = answered(listing);
    const byConversation = new Map<string, GroupActivity>(activity.map((entry) => [entry.conversationId, entry]));
    const groups = listed.value.map((record) => toGroup(me.id, record, byConversation.get(record.id)));
    return c.json<{ groups: Group[] }>({ groups });
  })
  .get("/:id", async (c) => {
    const record = await readGroupAs(c.var.store, c.req.param("id"), c.var.user.id);
    return c.json({ group: await viewGroupAs(c.env, c.var.user.id, record, null) });
  })
  .patch("/:id", validate("json", RenameBody), countChange, async (c) => {
    return answer(c, await change(c, { kind: "rename", name: c.req.valid("json").name }));
  })
  .post("/:id/members", validate("json", AddBody), countChange, async (c) => {
    const contacts = await contactsOf(c.var.store, c.var.user.id);
    return answer(c, await change(c, { kind: "add", userIds: c.req.valid("json").userIds, contacts }));
  })
  /** An admin removes someone; your own id: you leave. */
  .delete("/:id/members/:userId", countChange, async (c) => {
    const userId = c.req.param("userId");
    const changed = await change(c, { kind: "remove", userId });
    if (userId === c.var.user.id) return c.body(null, 204);
    return answer(c, changed);
  })
  .post("/:id/admins", validate("json", AdminBody), countChange, async (c) => {
    return answer(c, await change(c, { kind: "admin", userId: c.req.valid("json").userId }));
  })
  .put("/:id/mute", validate("json", MuteBody), countChange, async (c) => {
    return answer(c, await change(c, { kind: "mute", muted: c.req.valid("json").muted }));
  });

type Changed = Awaited<ReturnType<typeof changeGroup>>;

function change(c: SignedInContext, groupChange: GroupChange): Promise<Changed> {
  return changeGroup(c.env, c.var.store, c.req.param("id") ?? "", c.var.user, groupChange);
}

async function answer(c: SignedInContext, changed: Changed) {
  // Only leaving can delete a group, and leaving answers 204 before this.
  if (!changed) return c.body(null, 204);
  return c.json({ group: await viewGroupAs(c.env, c.var.user.id, changed.record, changed.message) });
}
