import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { errorMessage } from "../errors";
import { Dialog } from "./Dialog";

type Props = {
  title: string;
  children: ComponentChildren;
  confirmLabel: string;
  busyLabel: string;
  /** Done once it resolves; a rejection is shown in the dialog, which stays open. */
  onConfirm: () => Promise<void>;
  onClose: () => void;
};

/** A question before something that cannot be undone; Cancel has focus, so Enter does no harm. */
export function ConfirmDialog({ title, children, confirmLabel, busyLabel, onConfirm, onClose }: Props) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
    } catch (failure) {
      setError(errorMessage(failure));
      setBusy(false);
    }
  };

  return (
    <Dialog title={title} describedBy="confirm-text" onClose={onClose}>
      <div id="confirm-text">{children}</div>
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
          {busy ? busyLabel : confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}
