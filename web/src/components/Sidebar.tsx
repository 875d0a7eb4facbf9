import { useState } from "preact/hooks";
import type { Search } from "../models/search";
import type { Session } from "../models/session";
import { DeleteAccountDialog } from "./DeleteAccountDialog";
import { CloseIcon, LogoutIcon, SearchIcon, TrashIcon } from "./icons";

/** The top of the rail: the search toggle, the first stop on the screen. */
export function Sidebar({ search }: { search: Search }) {
  const open = search.open.value;
  return (
    <nav class="sidebar" aria-label="App">
      <button
        id="search-toggle"
        class="icon-button"
        type="button"
        aria-expanded={open}
        aria-label="Search people"
        title={open ? "Close search" : "Search people"}
        onClick={() => search.toggle()}
      >
        {open ? <CloseIcon /> : <SearchIcon />}
      </button>
    </nav>
  );
}

/** The bottom of the rail, last in the page's order: leaving, then deleting the account (the last stop). */
export function AccountActions({ session }: { session: Session }) {
  const [confirming, setConfirming] = useState(false);
  return (
    <nav class="sidebar sidebar--end" aria-label="Account">
      <button
        class="icon-button"
        type="button"
        aria-label="Log out"
        title="Log out"
        onClick={() => void session.logout()}
      >
        <LogoutIcon />
      </button>
      <button
        class="icon-button icon-button--danger"
        type="button"
        aria-label="Delete account"
        title="Delete account"
        onClick={() => setConfirming(true)}
      >
        <TrashIcon />
      </button>
      {confirming && <DeleteAccountDialog session={session} onClose={() => setConfirming(false)} />}
    </nav>
  );
}
