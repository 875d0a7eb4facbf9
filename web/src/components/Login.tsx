import { useState } from "preact/hooks";
import type { Session } from "../models/session";
import { AuthLayout } from "./AuthLayout";
import { Link } from "./Link";

export function Login({ session }: { session: Session }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const onSubmit = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    setBusy(true);
    setError(null);
    try {
      await session.login(String(form.get("username")).trim(), String(form.get("password")));
    } catch (failure) {
      setError((failure as Error).message);
      setBusy(false);
    }
  };

  const notice = session.notice.value;
  return (
    <AuthLayout title="Log in">
      {notice && (
        <p class="banner banner--info" role="status">
          {notice}
        </p>
      )}
      <form class="form" onSubmit={onSubmit}>
        <label class="field">
          <span class="field__label">Username</span>
          <input name="username" autoComplete="username" required autoFocus autoCapitalize="none" spellcheck={false} />
        </label>
        <label class="field">
          <span class="field__label">Password</span>
          <input name="password" type="password" autoComplete="current-password" required />
        </label>
        {error && (
          <p class="form__error" role="alert">
            {error}
          </p>
        )}
        <button class="button button--primary" type="submit" disabled={busy}>
          {busy ? "Logging in…" : "Log in"}
        </button>
      </form>
      <p class="auth__switch">
        New here? <Link href="/signup">Create an account</Link>
      </p>
    </AuthLayout>
  );
}
