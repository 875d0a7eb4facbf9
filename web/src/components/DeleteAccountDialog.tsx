import { useLayoutEffect, useRef, useState } from "preact/hooks";
import { errorMessage } from "../errors";
import type { Session } from "../models/session";

/** A modal confirmation before DELETE /api/me: the deletion cannot be undone. */
export function DeleteAccountDialog({ session, onClose }: { session: Session; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useLayoutEffect(() => {
    const element = dialog.current!;
    element.showModal();
    return () => element.close();
  }, []);

  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await session.deleteAccount();
    } catch (failure) {
      setError(errorMessage(failure));
      setBusy(false);
    }
  };

  return (
    <dialog ref={dialog} class="dialog" aria-labelledby="delete-title" aria-describedby="delete-text" onClose={onClose}>
      <h2 id="delete-title" class="dialog__title">
        Delete your account?
      </h2>
      <p id="delete-text">
        Your account, your connections and all your conversations will be removed for everyone. This cannot be undone.
      </p>
      {error && (
        <p class="form__error" role="alert">
          {error}
        </p>
      )}
      <div class="dialog__actions">
        <button class="button" type="button" autoFocus onClick={onClose}>
          Cancel
        </button>
        <button class="button button--danger" type="button" disabled={busy} onClick={() => void confirm()}>
          {busy ? "Deleting…" : "Delete account"}
        </button>
      </div>
    </dialog>
  );
}
