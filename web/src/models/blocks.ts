import { createModel, signal } from "@preact/signals";
import { errorMessage } from "../errors";
import type { BlockedPerson } from "../net/api";
import { api } from "../net/api";

/** The people the person blocked, for the settings panel: fetched when it opens, unblocked one by one. */
export const BlockedModel = createModel(() => {
  const people = signal<BlockedPerson[]>([]);
  const state = signal<"loading" | "ready" | "error">("loading");
  const error = signal<string | null>(null);
  /** The person being unblocked right now. */
  const busy = signal<string | null>(null);

  const load = async () => {
    state.value = "loading";
    try {
      people.value = (await api.blocked()).blocked;
      state.value = "ready";
      error.value = null;
    } catch (failure) {
      error.value = errorMessage(failure);
      state.value = "error";
    }
  };

  void load();

  return {
    people,
    state,
    error,
    busy,
    load,
    /** They may find and request the person again; nothing of before comes back. */
    async unblock(userId: string): Promise<void> {
      busy.value = userId;
      error.value = null;
      try {
        await api.unblock(userId);
        people.value = people.value.filter((person) => person.id !== userId);
      } catch (failure) {
        error.value = errorMessage(failure);
      } finally {
        busy.value = null;
      }
    },
  };
});

export type Blocked = InstanceType<typeof BlockedModel>;
