import { createModel, effect, signal } from "@preact/signals";
import type { UserSummary } from "../../../protocol/api";
import { errorMessage } from "../errors";
import { api } from "../net/api";
import type { Connections } from "./connections";
import { conversationPath, navigate } from "./route";

/** Wait for a pause in typing before asking the server. */
const DEBOUNCE_MS = 250;

/** The people search: toggled from the Sidebar, typed in the Header, listed in the list pane. */
export const SearchModel = createModel((connections: Connections) => {
  const open = signal(false);
  const query = signal("");
  const results = signal<UserSummary[]>([]);
  const state = signal<"idle" | "loading" | "done" | "error">("idle");
  const error = signal<string | null>(null);
  const adding = signal<string | null>(null);

  effect(() => {
    const q = query.value.trim();
    if (!open.value || !q) {
      results.value = [];
      state.value = "idle";
      return;
    }
    state.value = "loading";
    let current = true;
    const timer = setTimeout(async () => {
      try {
        const found = (await api.searchUsers(q)).users;
        if (!current) return;
        results.value = found;
        state.value = "done";
      } catch (failure) {
        if (!current) return;
        error.value = errorMessage(failure);
        state.value = "error";
      }
    }, DEBOUNCE_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  });

  const close = () => {
    open.value = false;
    query.value = "";
    error.value = null;
  };

  return {
    open,
    query,
    results,
    state,
    error,
    adding,
    toggle() {
      if (open.value) close();
      else open.value = true;
    },
    close,
    /** Adds the person (or opens the existing chat) and closes the search. */
    async add(userId: string) {
      adding.value = userId;
      error.value = null;
      try {
        const { connection } = await api.connect(userId);
        connections.upsert(connection);
        close();
        navigate(conversationPath(connection.conversationId));
      } catch (failure) {
        error.value = errorMessage(failure);
      } finally {
        adding.value = null;
      }
    },
  };
});

export type Search = InstanceType<typeof SearchModel>;
