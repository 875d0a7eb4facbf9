import type { ReadonlySignal } from "@preact/signals";
import { computed, effect } from "@preact/signals";
import type { Connections } from "./connections";

/**
 * The list's live model (connections, groups, the hub), once its chunk is here: on a direct link
 * a moment after the chat is painted, so the chat works without it until then.
 */
export type LiveList = ReadonlySignal<Connections | null>;

/** The list's model, once its chunk is here: what the person does in a chat goes through it. */
export function whenListed(list: LiveList): Promise<Connections> {
  const live = list.peek();
  if (live) return Promise.resolve(live);
  return new Promise((resolve) => {
    const stop = effect(() => {
      const arrived = list.value;
      if (!arrived) return;
      resolve(arrived);
      queueMicrotask(() => stop());
    });
  });
}

/** Which conversations the person is in, as far as the list knows yet: not loaded until it is here. */
export function knownConversations(list: LiveList) {
  return {
    loaded: computed(() => list.value?.loaded.value ?? false),
    loadError: computed(() => list.value?.loadError.value ?? null),
    conversationIds: computed(() => list.value?.conversationIds.value ?? new Set<string>()),
  };
}

export type KnownConversations = ReturnType<typeof knownConversations>;
