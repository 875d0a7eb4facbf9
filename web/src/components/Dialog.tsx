import type { ComponentChildren } from "preact";
import { useLayoutEffect, useRef } from "preact/hooks";
import "../dialog.css";

type Props = { title: string; describedBy?: string; onClose: () => void; children: ComponentChildren };

/** A modal dialog, open while it is rendered; Escape and the browser's own close call onClose. */
export function Dialog({ title, describedBy, onClose, children }: Props) {
  const dialog = useRef<HTMLDialogElement>(null);

  useLayoutEffect(() => {
    const element = dialog.current!;
    element.showModal();
    return () => element.close();
  }, []);

  return (
    <dialog ref={dialog} class="dialog" aria-labelledby="dialog-title" aria-describedby={describedBy} onClose={onClose}>
      <h2 id="dialog-title" class="dialog__title">
        {title}
      </h2>
      {children}
    </dialog>
  );
}

/** The end of a dialog that only informs or manages in place: one way out. */
export function CloseActions({ onClose, autoFocus }: { onClose: () => void; autoFocus?: boolean }) {
  return (
    <div class="dialog__actions">
      <button class="button" type="button" autoFocus={autoFocus} onClick={onClose}>
        Close
      </button>
    </div>
  );
}
