import { useState } from "preact/hooks";
import type { Search } from "../models/search";
import type { Session } from "../models/session";
import { accountDialogs } from "../screens";
import { BlockIcon, CloseIcon, InviteIcon, LogoutIcon, SearchIcon, TrashIcon } from "./icons";
import { Lazy } from "./Lazy";

/** The top of the rail: the search toggle, the first stop on the screen, and invitations. */
export function Sidebar({ search }: { search: Search }) {
  const open = search.open.value;
  const [inviting, setInviting] = useState(false);
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
      <button
        class="icon-button"
        type="button"
        aria-label="Invite someone"
        title="Invite someone"
        onClick={() => setInviting(true)}
      >
        <InviteIcon />
      </button>
      {inviting && (
        <Lazy chunk={accountDialogs} fallback={null}>
          {(dialogs) => <dialogs.InviteDialog onClose={() => setInviting(false)} />}
        </Lazy>
      )}
    </nav>
  );
}

/**
 * The bottom of the rail, last in the page's order: the blocked people (the settings place),
 * leaving, then deleting the account (the last stop).
 */
export function AccountActions({ session }: { session: Session }) {
  const [open, setOpen] = useState<"blocked" | "delete" | null>(null);
  const close = () => setOpen(null);
  return (
    <nav class="sidebar sidebar--end" aria-label="Account">
      <button
        class="icon-button"
        type="button"
        aria-label="Blocked people"
        title="Blocked people"
        onClick={() => setOpen("blocked")}
      >
        <BlockIcon />
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
      <button
        class="icon-button icon-button--danger"
        type="button"
        aria-label="Delete account"
        title="Delete account"
        onClick={() => setOpen("delete")}
      >
        <TrashIcon />
      </button>
      {open && (
        <Lazy chunk={accountDialogs} fallback={null}>
          {(dialogs) =>
            open === "blocked" ? (
              <dialogs.BlockedDialog onClose={close} />
            ) : (
              <dialogs.DeleteAccountDialog session={session} onClose={close} />
            )
          }
        </Lazy>
      )}
    </nav>
  );
}
