import type { Session } from "../models/session";
import { ConfirmDialog } from "./ConfirmDialog";

/** A modal confirmation before DELETE /api/me: the deletion cannot be undone. */
export function DeleteAccountDialog({ session, onClose }: { session: Session; onClose: () => void }) {
  return (
    <ConfirmDialog
      title="Delete your account?"
      confirmLabel="Delete account"
      busyLabel="Deleting…"
      onConfirm={() => session.deleteAccount()}
      onClose={onClose}
    >
      <p>
        Your account, your connections and all your conversations will be removed for everyone. This cannot be undone.
      </p>
    </ConfirmDialog>
  );
}
