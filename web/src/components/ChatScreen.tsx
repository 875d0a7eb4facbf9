import { useModel } from "@preact/signals";
import { ConnectionsModel, openConversationId } from "../models/connections";
import type { Notifications } from "../models/notifications";
import { SearchModel } from "../models/search";
import type { Session } from "../models/session";
import { ChatWindow } from "./ChatWindow";
import { Header } from "./Header";
import { ListOfConnections } from "./ListOfConnections";
import { SearchResults } from "./SearchResults";
import { Sidebar } from "./Sidebar";

/** The signed-in app: two panes on a wide screen, one at a time on a phone. */
export function ChatScreen({ session, notifications }: { session: Session; notifications: Notifications }) {
  const connections = useModel(() => new ConnectionsModel(session, notifications));
  const search = useModel(() => new SearchModel(connections));
  const openId = openConversationId.value;
  const searching = search.open.value && search.query.value.trim() !== "";

  return (
    <div class={openId ? "shell shell--chat" : "shell shell--list"}>
      <Sidebar session={session} search={search} />
      <Header session={session} search={search} connections={connections} notifications={notifications} />
      <div class="panes">
        <section class="pane pane--list" aria-label={searching ? "Search results" : "Connections"}>
          {searching ? <SearchResults search={search} connections={connections} /> : <ListOfConnections connections={connections} search={search} me={session.user.value!.id} />}
        </section>
        <section class="pane pane--chat" aria-label="Conversation">
          {openId ? (
            <ChatWindow key={openId} conversationId={openId} me={session.user.value!} connections={connections} />
          ) : (
            <div class="empty">
              <p>Pick a connection to start chatting, or search for someone new.</p>
            </div>
          )}
        </section>
      </div>
    </div>
  );
}
