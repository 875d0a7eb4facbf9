import { useState } from "preact/hooks";
import type { Search } from "../models/search";
import type { Session } from "../models/session";
import { DeleteAccountDialog } from "./DeleteAccountDialog";
import { CloseIcon, LogoutIcon, SearchIcon, TrashIcon } from "./icons";

/** The rail: the search toggle at the top, leaving at the bottom. */
export function Sidebar({ session, search }: { session: Session; search: Search }) {
  const [confirming, setConfirming] = useState(false);
  const open = search.open.value;

  return (
    <nav class="sidebar" aria-label="App">
      <button
        class="icon-button"
        type="button"
        aria-expanded={open}
        aria-label="Search people"
        title={open ? "Close search" : "Search people"}
        onClick={() => search.toggle()}
      >
        {open ? <CloseIcon /> : <SearchIcon />}
      </button>
      <div class="sidebar__spacer" />
      <button
        class="icon-button icon-button--danger"
        type="button"
        aria-label="Delete account"
        title="Delete account"
        onClick={() => setConfirming(true)}
      >
        <TrashIcon />
      </button>
      <button
        class="icon-button"
        type="button"
        aria-label="Log out"
        title="Log out"
        onClick={() => void session.logout()}
      >
        <LogoutIcon />
      </button>
      {confirming && <DeleteAccountDialog session={session} onClose={() => setConfirming(false)} />}
    </nav>
  );
}
