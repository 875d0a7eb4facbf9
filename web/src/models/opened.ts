import { computed, createModel, signal } from "@preact/signals";
import { errorMessage } from "../errors";
import type { ConversationAnswer, HistoryPage } from "../net/api";
import { ApiError, api, HISTORY_PAGE } from "../net/api";
import type { LiveList } from "./live-list";

/**
 * The open conversation: as the list knows it once the list has loaded, and before that (a direct
 * link paints the chat first) as GET /api/conversations/:id answered.
 */
export const OpenedConversationModel = createModel((conversationId: string, list: LiveList) => {
  /** What the server said of this conversation alone; `{}` when it is not the person's. */
  const answered = signal<Partial<ConversationAnswer> | null>(null);
  const problem = signal<string | null>(null);
  /** The list once loaded: from then on it alone says what the conversation is (not while it failed to load). */
  const loadedList = computed(() => {
    const live = list.value;
    return live?.loaded.value && live.loadError.value === null ? live : null;
  });
  const connection = computed(() => {
    const live = loadedList.value;
    return live ? (live.byConversation.value.get(conversationId) ?? null) : (answered.value?.connection ?? null);
  });
  const group = computed(() => {
    const live = loadedList.value;
    return live ? (live.groups.byId.value.get(conversationId) ?? null) : (answered.value?.group ?? null);
  });

  const load = async () => {
    problem.value = null;
    try {
      answered.value = await api.conversation(conversationId);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) answered.value = {};
      else problem.value = errorMessage(error);
    }
  };
  /**
   * A direct link's latest messages, asked for alongside the conversation rather than after it:
   * the chat takes them once (`takeHistory`). Its failure is the chat's to show, not this model's.
   */
  let history: Promise<HistoryPage> | null = null;
  if (!loadedList.peek()) {
    void load();
    history = api.messages(conversationId, null, HISTORY_PAGE);
    history.catch(() => undefined);
  }

  return {
    connection,
    group,
    /** Whether it is known what the conversation is (neither a connection nor a group: not the person's). */
    known: computed(() => loadedList.value !== null || answered.value !== null),
    /** Why it could not be asked (offline, say); `retry` asks again. */
    problem,
    retry: load,
    /** The first page of history if it was asked for with the conversation; only once. */
    takeHistory(): Promise<HistoryPage> | null {
      const taken = history;
      history = null;
      return taken;
    },
    /** The person changed the group here before the list came (muted it): what the server answered. */
    noteGroup(changed: NonNullable<ConversationAnswer["group"]>) {
      if (!loadedList.peek()) answered.value = { group: changed };
    },
  };
});

export type Opened = InstanceType<typeof OpenedConversationModel>;
