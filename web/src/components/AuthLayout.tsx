import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { errorMessage } from "../errors";
import { ApiError } from "../net/api";
import { ChatIcon } from "./icons";

/** The frame of the login and sign-up screens. */
export function AuthLayout({ title, children }: { title: string; children: ComponentChildren }) {
  const main = useRef<HTMLElement>(null);
  // Arriving here from a link (autofocus works only on a page load): ready to type the username.
  useEffect(() => main.current?.querySelector("input")?.focus(), []);
  return (
    <main class="auth" ref={main}>
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

/** The fields a refusal is about, by name. */
function invalidFields(failure: unknown): string[] {
  if (!(failure instanceof ApiError)) return [];
  if (failure.code === "username_taken") return ["username"];
  if (failure.code === "invalid_credentials") return ["username", "password"];
  if (failure.code === "invalid_input") return [/password/i.test(failure.message) ? "password" : "username"];
  return [];
}

/**
 * The submit state of an auth form: one attempt at a time, the failure's message shown, and
 * focus on the first field it is about (else the button), never left on the page's body.
 */
export function useAuthForm(submit: (form: FormData) => Promise<void>) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const onSubmit = async (event: SubmitEvent) => {
    event.preventDefault();
    const element = event.currentTarget as HTMLFormElement;
    const form = new FormData(element);
    setBusy(true);
    setError(null);
    for (const input of element.querySelectorAll("input")) input.removeAttribute("aria-invalid");
    try {
      await submit(form);
    } catch (failure) {
      const fields = invalidFields(failure).map((name) => element.querySelector<HTMLInputElement>(`[name="${name}"]`));
      for (const field of fields) field?.setAttribute("aria-invalid", "true");
      setError(errorMessage(failure));
      setBusy(false);
      // After the button is enabled again.
      setTimeout(() => (fields[0] ?? element.querySelector<HTMLElement>("[type=submit]"))?.focus());
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
