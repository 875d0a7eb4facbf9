import type { Signal } from "@preact/signals";
import { signal, useModel } from "@preact/signals";
import { useEffect, useRef, useState } from "preact/hooks";
import type { User } from "../../../protocol/api";
import "../screen.css";
import type { Connections } from "../models/connections";
import { knownConversations } from "../models/live-list";
import type { Notifications } from "../models/notifications";
import { OutboxModel } from "../models/outbox";
import type { OutboxStore } from "../models/outbox-store";
import type { Page } from "../models/page";
import { PageModel } from "../models/page";
import { openConversationId } from "../models/route";
import type { Search } from "../models/search";
import type { Session } from "../models/session";
import { chatWindow, confirmDialog, groupChat, listScreen, searchResults, signedOutScreens } from "../screens";
import { Lazy } from "./Lazy";

/** After the list shows, a pause before fetching the chat's chunk, so the list's own requests go first. */
const CHAT_PRELOAD_MS = 1_000;

type ListModule = typeof import("./ListScreen");
type Props = { user: User; session: Session; notifications: Notifications; outboxStore: OutboxStore };

/**
 * The signed-in app: two panes on a wide screen, one at a time on a phone. The list, the rail,
 * the Header and the list's live model are a chunk of their own: a direct link to a chat paints
 * the chat first (from that conversation alone), with their places kept empty at their final
 * size, and they fill in a moment later.
 */
export function ChatScreen({ user, session, notifications, outboxStore }: Props) {
  const page = useModel(PageModel);
  const list = listScreen.module.value;
  const live = useLiveList(list, session, notifications, page);
  const connections = live.value;
  const outbox = useModel(
    () =>
      new OutboxModel(user.id, outboxStore, knownConversations(live), openConversationId, (ending) =>
        session.ended(ending),
      ),
  );
  const search = useSearch(list, connections);
  const openId = openConversationId.value;
  const searchOpen = search !== null && search.open.value;
  const searching = searchOpen && search.query.value.trim() !== "";
  const listPane = useRef<HTMLElement>(null);

  // Signed in with no chat open: focus goes to the list (an open chat focuses its composer).
  useEffect(() => {
    if (!openConversationId.peek()) listPane.current?.focus();
  }, []);

  // The list's chunk: at once on the list, else right after the chat is painted (or could not
  // be loaded), so that it is there by the time anyone looks.
  const listNext = !openId || page.chatShown.value || chatWindow.failed.value;
  useEffect(() => {
    if (!listNext) return;
    const frame = requestAnimationFrame(() => setTimeout(() => listScreen.preload()));
    return () => cancelAnimationFrame(frame);
  }, [listNext]);

  // The results' chunk comes while the person types the first letters.
  useEffect(() => {
    if (searchOpen) searchResults.preload();
  }, [searchOpen]);

  // Opening a chat is what comes next: its chunk is fetched once the list is on screen; so is the
  // login screen's, which logging out (maybe offline) or a session's end shows.
  const listLoaded = connections?.loaded.value ?? false;
  useEffect(() => {
    if (!connections || !listLoaded) return;
    const timer = setTimeout(() => {
      chatWindow.preload();
      if (connections.groups.byId.peek().size > 0) groupChat.preload();
      confirmDialog.preload();
      signedOutScreens.preload();
    }, CHAT_PRELOAD_MS);
    return () => clearTimeout(timer);
  }, [connections, listLoaded]);

  return (
    <div class={openId ? "shell shell--chat" : "shell shell--list"}>
      {list && search && connections ? (
        <>
          <list.Sidebar search={search} />
          <list.Header user={user} search={search} connections={connections} notifications={notifications} />
        </>
      ) : (
        // Their places, at the size they will have: the chat does not move when they come.
        <>
          <div class="sidebar" />
          <div class="header" />
        </>
      )}
      <div class="panes">
        <section
          class="pane pane--list"
          ref={listPane}
          tabIndex={-1}
          aria-label={searching ? "Search results" : "Connections"}
          aria-busy={!list}
        >
          {list && search && connections ? (
            searching ? (
              <Lazy
                chunk={searchResults}
                fallback={
                  <p class="pane__title" role="status">
                    Searching…
                  </p>
                }
              >
                {(module) => <module.SearchResults search={search} connections={connections} />}
              </Lazy>
            ) : (
              <list.ListOfConnections connections={connections} search={search} me={user.id} />
            )
          ) : (
            listScreen.failed.value && <Lazy chunk={listScreen}>{() => null}</Lazy>
          )}
        </section>
        <section class="pane pane--chat" aria-label="Conversation">
          {openId ? (
            <Lazy chunk={chatWindow} fallback={<div class="empty" />}>
              {(module) => (
                <module.ChatWindow
                  key={openId}
                  conversationId={openId}
                  context={{ me: user, session, connections: live, outbox, page }}
                />
              )}
            </Lazy>
          ) : (
            <div class="empty">
              <p>Pick a connection to start chatting, or search for someone new.</p>
            </div>
          )}
        </section>
      </div>
      {list && <list.AccountActions session={session} />}
      {page.replaced.value && (
        <p class="banner banner--info replaced" role="status">
          This chat is open in too many tabs. Reload to use it here.
        </p>
      )}
    </div>
  );
}

/**
 * The list's live model, made once its chunk is here: on `/` at once, on a direct link right
 * after the chat is painted. Until then the chat works from its own conversation (opened.ts).
 */
function useLiveList(list: ListModule | null, session: Session, notifications: Notifications, page: Page) {
  const [live] = useState<Signal<Connections | null>>(() => signal(null));
  useEffect(() => {
    if (!list) return;
    const created = new list.ConnectionsModel(session, notifications, page);
    live.value = created;
    return () => {
      live.value = null;
      created[Symbol.dispose]();
    };
  }, [list]);
  return live;
}

/** The people search, made once the list's chunk is here (its model comes with it). */
function useSearch(list: ListModule | null, connections: Connections | null) {
  const [search, setSearch] = useState<Search | null>(null);
  useEffect(() => {
    if (!list || !connections) return;
    const created = new list.SearchModel(connections);
    setSearch(created);
    return () => created[Symbol.dispose]();
  }, [list, connections]);
  return search;
}
