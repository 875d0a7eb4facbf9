import { useModel } from "@preact/signals";
import { BlockedModel } from "../models/blocks";
import { CloseActions, Dialog } from "./Dialog";

/** The settings place for blocks: whom the person blocked, each with Unblock. */
export function BlockedDialog({ onClose }: { onClose: () => void }) {
  const blocked = useModel(BlockedModel);
  const people = blocked.people.value;
  const state = blocked.state.value;

  return (
    <Dialog title="Blocked people" describedBy="blocked-text" onClose={onClose}>
      <p id="blocked-text">
        They cannot find you, send you requests or open your invite links. Unblocking brings nothing of before back.
      </p>
      {state === "loading" && <p role="status">Loading…</p>}
      {blocked.error.value && (
        <p class="form__error" role="alert">
          {blocked.error.value}
        </p>
      )}
      {state === "error" && (
        <button class="button button--small" type="button" onClick={() => void blocked.load()}>
          Try again
        </button>
      )}
      {state === "ready" && people.length === 0 && <p class="pane__note">You have not blocked anyone.</p>}
      {people.length > 0 && (
        <ul class="people blocked">
          {people.map((person) => (
            <li key={person.id} class="person">
              <bdi class="person__name">{person.username}</bdi>
              <button
                class="button button--small"
                type="button"
                disabled={blocked.busy.value === person.id}
                aria-label={`Unblock ${person.username}`}
                onClick={() => void blocked.unblock(person.id)}
              >
                {blocked.busy.value === person.id ? "Unblocking…" : "Unblock"}
              </button>
            </li>
          ))}
        </ul>
      )}
      <CloseActions autoFocus onClose={onClose} />
    </Dialog>
  );
}
