import { useEffect, useRef, useState } from "preact/hooks";
import type { User } from "../../../protocol/api";
import { formatTimeLeft } from "../format";
import type { Connections } from "../models/connections";
import type { Notifications } from "../models/notifications";
import type { Search } from "../models/search";
import { Avatar } from "./Avatar";
import { ConnectionStatus } from "./ConnectionStatus";
import { BellIcon } from "./icons";

const CLOCK_TICK_MS = 30_000;

function useNow(intervalMs: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

type HeaderProps = { user: User; search: Search; connections: Connections; notifications: Notifications };

/** Who you are, the people search, the connection state and the account's time left. */
export function Header({ user, search, connections, notifications }: HeaderProps) {
  const now = useNow(CLOCK_TICK_MS);
  const left = Date.parse(user.expiresAt) - now;

  return (
    <header class="header">
      <div class="header__me">
        <Avatar name={user.username} />
        <div class="header__who">
          <bdi class="header__name">{user.username}</bdi>
          <span class={left < 3_600_000 ? "header__left header__left--soon" : "header__left"}>
            <time dateTime={user.expiresAt} title={`Account ends ${new Date(user.expiresAt).toLocaleString()}`}>
              {formatTimeLeft(left)}
            </time>
          </span>
        </div>
      </div>
      {search.open.value && <SearchField search={search} />}
      <div class="header__tools">
        <ConnectionStatus
          state={connections.hubState.value}
          label={connections.replaced.value ? "Not live in this tab" : undefined}
        />
        {notifications.permission.value === "default" && (
          <button
            class="icon-button"
            type="button"
            aria-label="Turn on notifications"
            title="Turn on notifications"
            onClick={() => void notifications.request()}
          >
            <BellIcon />
          </button>
        )}
      </div>
    </header>
  );
}

function SearchField({ search }: { search: Search }) {
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);

  return (
    <div class="header__search" id="people-search" role="search">
      <label class="sr-only" for="people-search-input">
        Search people
      </label>
      <input
        ref={input}
        id="people-search-input"
        class="search-input"
        type="search"
        placeholder="Search people"
        autoComplete="off"
        spellcheck={false}
        value={search.query.value}
        onInput={(event) => (search.query.value = event.currentTarget.value)}
        onKeyDown={(event) => {
          if (event.key !== "Escape") return;
          search.close();
          // The field goes away with the search: focus returns to the control that opened it.
          document.getElementById("search-toggle")?.focus();
        }}
      />
    </div>
  );
}
