import type { UserSummary } from "../../../protocol/api";
import type { Connections } from "../models/connections";
import type { Search } from "../models/search";
import { Avatar } from "./Avatar";

/** People matching the search, best first; each can be asked to connect. No presence: they are strangers. */
export function SearchResults({ search, connections }: { search: Search; connections: Connections }) {
  const results = search.results.value;
  const state = search.state.value;
  const connected = new Set(connections.list.value.map((item) => item.user.id));

  return (
    <div class="search-results">
      <p class="pane__title" role="status">
        {state === "loading" ? "Searching…" : "People"}
      </p>
      {state === "done" && results.length === 0 && (
        <p class="pane__note" role="status">
          No one found for “<bdi>{search.query.value.trim()}</bdi>”
        </p>
      )}
      {search.error.value && (
        <p class="form__error pane__note" role="alert">
          {search.error.value}
        </p>
      )}
      <ul class="people">
        {results.map((person) => (
          <Person key={person.id} person={person} connected={connected.has(person.id)} search={search} />
        ))}
      </ul>
    </div>
  );
}

function Person({ person, connected, search }: { person: UserSummary; connected: boolean; search: Search }) {
  const busy = search.adding.value === person.id;
  return (
    <li class="person">
      <Avatar name={person.username} />
      <span class="person__name">
        <bdi>{person.username}</bdi>
      </span>
      <button
        class={connected ? "button button--small" : "button button--small button--primary"}
        type="button"
        disabled={busy}
        aria-label={`${connected ? "Open chat with" : "Add"} ${person.username}`}
        onClick={() => void search.add(person.id)}
      >
        {busy ? "Adding…" : connected ? "Open" : "Add"}
      </button>
    </li>
  );
}
