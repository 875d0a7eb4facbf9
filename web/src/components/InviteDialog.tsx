import { useModel } from "@preact/signals";
import { formatWait } from "../format";
import { InviteLinkModel } from "../models/invite";
import { CloseActions, Dialog } from "./Dialog";

/** "Invite someone": a single-use link to send by any other means; whoever opens it is connected at once. */
export function InviteDialog({ onClose }: { onClose: () => void }) {
  const invite = useModel(InviteLinkModel);
  const link = invite.link.value;
  const expiresAt = invite.expiresAt.value;

  return (
    <Dialog title="Invite someone" describedBy="invite-text" onClose={onClose}>
      <p id="invite-text">
        Send this link to one person. When they open it and sign up or log in, you are connected, with no search and no
        request. It works once.
      </p>
      {invite.error.value && (
        <p class="form__error" role="alert">
          {invite.error.value}{" "}
          <button class="button button--small" type="button" onClick={() => void invite.create()}>
            Try again
          </button>
        </p>
      )}
      {!link && !invite.error.value && <p role="status">Making a link…</p>}
      {link && (
        <>
          <div class="invite-link">
            <label class="sr-only" for="invite-link">
              Invite link
            </label>
            <input
              id="invite-link"
              class="search-input"
              readOnly
              value={link}
              onFocus={(event) => event.currentTarget.select()}
            />
            <button class="button button--primary" type="button" onClick={() => void invite.copy()}>
              {invite.copied.value ? "Copied" : "Copy"}
            </button>
          </div>
          {expiresAt && (
            <p class="invite-link__hint">
              The link expires in{" "}
              <time dateTime={expiresAt}>{formatWait(Math.max(1, (Date.parse(expiresAt) - Date.now()) / 1_000))}</time>.
            </p>
          )}
        </>
      )}
      <CloseActions onClose={onClose} />
    </Dialog>
  );
}
