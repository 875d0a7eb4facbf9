import type { ReadonlySignal } from "@preact/signals";
import { signal } from "@preact/signals";

/** A part of the app in its own chunk: fetched once, on first use or earlier when it is likely next. */
export interface LazyChunk<M> {
  /** The module once loaded. */
  readonly module: ReadonlySignal<M | null>;
  /** The last attempt failed (offline, or a newer deployment replaced the files): a reload may help. */
  readonly failed: ReadonlySignal<boolean>;
  /** Starts loading unless it is loaded or on its way. */
  preload(): void;
}

export function lazyChunk<M>(load: () => Promise<M>): LazyChunk<M> {
  const module = signal<M | null>(null);
  const failed = signal(false);
  let loading = false;
  const chunk: LazyChunk<M> = {
    module,
    failed,
    preload() {
      if (loading || module.peek()) return;
      loading = true;
      load().then(
        (loaded) => {
          module.value = loaded;
          failed.value = false;
        },
        () => {
          loading = false;
          failed.value = true;
          // Offline at the wrong moment: try again as soon as the network is back.
          addEventListener("online", () => chunk.preload(), { once: true });
        },
      );
    },
  };
  return chunk;
}

/** The signed-in app: the list, the chat and everything behind them. */
export const signedInScreens = lazyChunk(() => import("./components/ChatScreen"));
/** The list, the rail and the Header: on `/c/<id>` fetched once the chat is on screen. */
export const listScreen = lazyChunk(() => import("./components/ListScreen"));
/** The people search's results: fetched when the search opens (the list does not show them at first). */
export const searchResults = lazyChunk(() => import("./components/SearchResults"));
/** Log in, sign up and the invite landing. */
export const signedOutScreens = lazyChunk(() => import("./components/SignedOut"));
/** The open conversation: asked for as soon as one is open, else once the list is on screen. */
export const chatWindow = lazyChunk(() => import("./components/ChatWindow"));
/** An open group's frame (its bar, members and notices): fetched once the list is on screen, or when one opens. */
export const groupChat = lazyChunk(() => import("./components/GroupChat"));
/** The question before blocking, deleting a request or leaving a group; fetched once the list shows. */
export const confirmDialog = lazyChunk(() => import("./components/ConfirmDialog"));
/** The rail's dialogs: inviting, blocked people, deleting the account. */
export const accountDialogs = lazyChunk(() => import("./components/AccountDialogs"));
/** Making a group and managing its members: fetched when the person asks. */
export const groupDialogs = lazyChunk(() => import("./components/GroupDialogs"));
