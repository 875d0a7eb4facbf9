import type { Session } from "../models/session";
import { AuthFormFooter, AuthLayout, useAuthForm } from "./AuthLayout";
import { Link } from "./Link";

export function Login({ session }: { session: Session }) {
  const { error, busy, onSubmit } = useAuthForm((form) =>
    session.login(String(form.get("username")).trim(), String(form.get("password"))),
  );

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
        <AuthFormFooter error={error} busy={busy} label="Log in" busyLabel="Logging in…" />
      </form>
      <p class="auth__switch">
        New here? <Link href="/signup">Create an account</Link>
      </p>
    </AuthLayout>
  );
}
