import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import type { Connection, Group, Message } from "../../../protocol/api";
import { formatWhen } from "../format";
import type { Connections } from "../models/connections";
import { departureNotice } from "../models/departure";
import { groupDepartureNotice } from "../models/groups";
import { conversationPath, navigate, openConversationId } from "../models/route";
import type { Search } from "../models/search";
import { senderName } from "../models/sender-name";
import { groupDialogs } from "../screens";
import { Avatar } from "./Avatar";
import { Lazy } from "./Lazy";
import { Link } from "./Link";

type Props = { connections: Connections; search: Search; me: string };

/** The person's connections, after a word about any whose account ended while the list was open. */
export function ListOfConnections(props: Props) {
  return (
    <>
      <Departures connections={props.connections} />
      <ConnectionList {...props} />
    </>
  );
}

function Departures({ connections }: { connections: Connections }) {
  const ended = connections.departures.value.filter((item) => item.reason === "account-ended");
  const groups = connections.groups.departures.value;
  if (ended.length === 0 && groups.length === 0) return null;
  return (
    <div class="departures">
      {groups.map((departure) => (
        <DepartureNotice
          key={departure.conversationId}
          text={groupDepartureNotice(departure)}
          dismiss={() => connections.groups.dismiss(departure.conversationId)}
        />
      ))}
      {ended.map((departure) => (
        <DepartureNotice
          key={departure.conversationId}
          text={departureNotice(departure)}
          dismiss={() => connections.dismissDeparture(departure.conversationId)}
        />
      ))}
    </div>
  );
}

/** One conversation that ended, said until the person dismisses it. */
function DepartureNotice({ text, dismiss }: { text: string; dismiss: () => void }) {
  return (
    <p class="banner banner--info departure" role="status">
      <span>{text}</span>
      <button class="button button--small" type="button" aria-label={`Dismiss: ${text}`} onClick={dismiss}>
        Dismiss
      </button>
    </p>
  );
}

/** Requests waiting for an answer, apart; then the contacts (and requests the person sent). */
function ConnectionList({ connections, search, me }: Props) {
  const lists = useRef<HTMLDivElement>(null);
  const selected = openConversationId.value;
  const items = connections.list.value;
  const requests = connections.requests.value;
  const contacts = connections.contacts.value;
  const entries = connections.entries.value;
  const accepted = contacts.filter((item) => item.status === "accepted");

  // The open conversation stays in view, e.g. after a reload or a jump from a notification.
  useEffect(() => {
    lists.current?.querySelector("[aria-current]")?.scrollIntoView({ block: "nearest" });
  }, [selected, connections.loaded.value]);

  if (!connections.loaded.value)
    return (
      <p class="pane__note" role="status">
        Loading connections…
      </p>
    );
  if (connections.loadError.value && items.length === 0) {
    return (
      <div class="pane__note" role="alert">
        <p>{connections.loadError.value}</p>
        <button class="button" type="button" onClick={() => void connections.refresh()}>
          Try again
        </button>
      </div>
    );
  }
  if (entries.length === 0 && requests.length === 0) {
    return (
      <div class="pane__note">
        <p>No connections yet.</p>
        {!search.open.value && (
          <button class="button button--primary" type="button" onClick={() => search.toggle()}>
            Find people
          </button>
        )}
      </div>
    );
  }
  const typing = connections.typing.active.value;
  const known = connections.presenceKnown.value;
  const row = (item: Connection) =>
    connectionListRow(item, item.conversationId === selected, me, known, typing.has(item.conversationId));
  const groupRow = (group: Group) => groupListRow(group, group.id === selected, me, typing.has(group.id));
  return (
    <div ref={lists}>
      <NewGroup contacts={accepted} connections={connections} />
      {requests.length > 0 && (
        <section class="requests" aria-labelledby="requests-title">
          <h2 id="requests-title" class="pane__title">
            Requests ({requests.length})
          </h2>
          <p class="pane__hint">People you are not connected with yet. Open one to accept, delete or block.</p>
          <ul class="connections">{requests.map(row)}</ul>
        </section>
      )}
      {requests.length > 0 && entries.length > 0 && <h2 class="pane__title">Chats</h2>}
      {entries.length > 0 && (
        <ul class="connections">
          {entries.map((entry) => (entry.kind === "group" ? groupRow(entry.item) : row(entry.item)))}
        </ul>
      )}
    </div>
  );
}

/** Presence (between contacts only), unread count and the last message of one connection. */
function connectionListRow(item: Connection, selected: boolean, me: string, known: boolean, typing: boolean) {
  const last = item.lastMessage;
  const pending = item.status === "pending" ? item.direction : null;
  const presence =
    pending === "incoming"
      ? ", message request"
      : pending === "outgoing"
        ? ", request sent"
        : !known
          ? ", status unknown"
          : item.online
            ? ", online"
            : ", offline";
  return (
    <ListRow
      key={item.conversationId}
      conversationId={item.conversationId}
      selected={selected}
      online={pending ? undefined : known ? item.online : null}
      name={item.user.username}
      last={last}
      from={last?.senderId === me ? "You: " : null}
      typing={typing && !pending}
      unread={item.unread}
    >
      <span class="sr-only">{presence}</span>
      {pending === "outgoing" && (
        <span class="tag" aria-hidden="true">
          Request sent
        </span>
      )}
    </ListRow>
  );
}

/** "New group": opens the dialog (its own chunk) to pick contacts and a name. */
function NewGroup({ contacts, connections }: { contacts: Connection[]; connections: Connections }) {
  const [open, setOpen] = useState(false);
  if (contacts.length === 0) return null;
  return (
    <div class="list-tools">
      <button class="button button--small" type="button" aria-haspopup="dialog" onClick={() => setOpen(true)}>
        New group
      </button>
      {open && (
        <Lazy chunk={groupDialogs} fallback={null}>
          {(dialogs) => (
            <dialogs.NewGroupDialog
              contacts={contacts}
              onCreated={(group) => {
                connections.groups.upsert(group);
                setOpen(false);
                navigate(conversationPath(group.id));
              }}
              onClose={() => setOpen(false)}
            />
          )}
        </Lazy>
      )}
    </div>
  );
}

/** A group: its name, members, unread count, a mark when someone named the person, the last line. */
function groupListRow(group: Group, selected: boolean, me: string, typing: boolean) {
  const last = group.lastMessage;
  const sender = last && last.senderId !== me ? senderName(group, last.senderId) : null;
  return (
    <ListRow
      key={group.id}
      conversationId={group.id}
      selected={selected}
      name={group.name}
      last={last}
      from={last?.system ? null : last?.senderId === me ? "You: " : sender && `${sender}: `}
      typing={typing}
      mentioned={group.mentioned}
      unread={group.unread}
      muted={group.muted}
    >
      <span class="sr-only">, group of {group.members.length}</span>
      {group.muted && (
        <span class="tag" title="Muted: only mentions notify">
          Muted
        </span>
      )}
    </ListRow>
  );
}

type RowProps = {
  conversationId: string;
  selected: boolean;
  /** Presence, shown on the avatar; undefined where it is not shown at all. */
  online?: boolean | null;
  name: string;
  /** Read after the name: what the row is (presence, a group's size) and its tags. */
  children: ComponentChildren;
  last: Message | null;
  /** Who wrote the last message, as its preview begins ("You: "). */
  from: string | null | undefined;
  typing: boolean;
  /** Someone named the person in a group. */
  mentioned?: boolean;
  unread: number;
  muted?: boolean;
};

/** One row of the list, a contact's or a group's: the last message or typing, when, and what is unread. */
function ListRow({
  conversationId,
  selected,
  online,
  name,
  children,
  last,
  from,
  typing,
  mentioned,
  unread,
  muted,
}: RowProps) {
  return (
    <li>
      <Link
        href={conversationPath(conversationId)}
        class={selected ? "connection connection--selected" : "connection"}
        aria-current={selected ? "page" : undefined}
      >
        <Avatar name={name} online={online} />
        <span class="connection__main">
          <span class="connection__top">
            <bdi class="connection__name">{name}</bdi>
            {children}
            {last && (
              <time class="connection__when" dateTime={last.sentAt}>
                {formatWhen(last.sentAt)}
              </time>
            )}
          </span>
          <span class="connection__bottom">
            {typing ? (
              <span class="connection__preview connection__preview--typing">typing…</span>
            ) : last ? (
              <span class={last.deleted ? "connection__preview connection__preview--empty" : "connection__preview"}>
                {from}
                {last.deleted ? "message deleted" : <bdi>{last.body}</bdi>}
              </span>
            ) : (
              <span class="connection__preview connection__preview--empty">No messages yet</span>
            )}
            {mentioned && !selected && (
              <span class="badge badge--mention" title="You were mentioned">
                @<span class="sr-only"> you were mentioned</span>
              </span>
            )}
            {/* The open chat counts its unread on its own "Latest messages" button. */}
            {unread > 0 && !selected && (
              <span class={muted ? "badge badge--muted" : "badge"}>
                {unread}
                <span class="sr-only"> unread</span>
              </span>
            )}
          </span>
        </span>
      </Link>
    </li>
  );
}
