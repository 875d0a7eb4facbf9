import { useModel } from "@preact/signals";
import { useEffect, useRef } from "preact/hooks";
import type { User } from "../../../protocol/api";
import "../chat.css";
import { ConnectionsModel, openConversationId } from "../models/connections";
import type { Notifications } from "../models/notifications";
import { OutboxModel } from "../models/outbox";
import type { OutboxStore } from "../models/outbox-store";
import { PageModel } from "../models/page";
import { SearchModel } from "../models/search";
import type { Session } from "../models/session";
import { chatWindow, confirmDialog, signedOutScreens } from "../screens";
import { Header } from "./Header";
import { Lazy } from "./Lazy";
import { ListOfConnections } from "./ListOfConnections";
import { SearchResults } from "./SearchResults";
import { AccountActions, Sidebar } from "./Sidebar";

/** After the list shows, a pause before fetching the chat's chunk, so the list's own requests go first. */
const CHAT_PRELOAD_MS = 1_000;

type Props = { user: User; session: Session; notifications: Notifications; outboxStore: OutboxStore };

/** The signed-in app: two panes on a wide screen, one at a time on a phone. */
export function ChatScreen({ user, session, notifications, outboxStore }: Props) {
  const page = useModel(PageModel);
  const connections = useModel(() => new ConnectionsModel(session, notifications, page));
  const search = useModel(() => new SearchModel(connections));
  const outbox = useModel(
    () => new OutboxModel(user.id, outboxStore, connections, openConversationId, (ending) => session.ended(ending)),
  );
  const openId = openConversationId.value;
  const searching = search.open.value && search.query.value.trim() !== "";
  const listPane = useRef<HTMLElement>(null);

  // Signed in with no chat open: focus goes to the list (an open chat focuses its composer).
  useEffect(() => {
    if (!openConversationId.peek()) listPane.current?.focus();
  }, []);

  // Opening a chat is what comes next: its chunk is fetched once the list is on screen; so is the
  // login screen's, which logging out (maybe offline) or a session's end shows.
  useEffect(() => {
    if (!connections.loaded.value) return;
    const timer = setTimeout(() => {
      chatWindow.preload();
      confirmDialog.preload();
      signedOutScreens.preload();
    }, CHAT_PRELOAD_MS);
    return () => clearTimeout(timer);
  }, [connections.loaded.value]);

  return (
    <div class={openId ? "shell shell--chat" : "shell shell--list"}>
      <Sidebar search={search} />
      <Header user={user} search={search} connections={connections} notifications={notifications} />
      <div class="panes">
        <section
          class="pane pane--list"
          ref={listPane}
          tabIndex={-1}
          aria-label={searching ? "Search results" : "Connections"}
        >
          {searching ? (
            <SearchResults search={search} connections={connections} />
          ) : (
            <ListOfConnections connections={connections} search={search} me={user.id} />
          )}
        </section>
        <section class="pane pane--chat" aria-label="Conversation">
          {openId ? (
            <Lazy chunk={chatWindow} fallback={<div class="empty" />}>
              {(module) => (
                <module.ChatWindow
                  key={openId}
                  conversationId={openId}
                  context={{ me: user, session, connections, outbox, page }}
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
      <AccountActions session={session} />
      {connections.replaced.value && (
        <p class="banner banner--info replaced" role="status">
          This chat is open in too many tabs. Reload to use it here.
        </p>
      )}
    </div>
  );
}
