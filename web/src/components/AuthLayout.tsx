import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { errorMessage } from "../errors";
import { ChatIcon } from "./icons";

/** The frame of the login and sign-up screens. */
export function AuthLayout({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <main class="auth">
      <div class="auth__card">
        <p class="auth__brand">
          <ChatIcon />
          <span>Chat</span>
        </p>
        <h1 class="auth__title">{title}</h1>
        {children}
      </div>
    </main>
  );
}

/** The submit state of an auth form: one attempt at a time, the failure's message shown. */
export function useAuthForm(submit: (form: FormData) => Promise<void>) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const onSubmit = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setBusy(true);
    setError(null);
    try {
      await submit(form);
    } catch (failure) {
      setError(errorMessage(failure));
      setBusy(false);
    }
  };
  return { error, busy, onSubmit };
}

/** The end of an auth form: the error, if any, and the submit button. */
export function AuthFormFooter({
  error,
  busy,
  label,
  busyLabel,
}: {
  error: string | null;
  busy: boolean;
  label: string;
  busyLabel: string;
}) {
  return (
    <>
      {error && (
        <p class="form__error" role="alert">
          {error}
        </p>
      )}
      <button class="button button--primary" type="submit" disabled={busy}>
        {busy ? busyLabel : label}
      </button>
    </>
  );
}
