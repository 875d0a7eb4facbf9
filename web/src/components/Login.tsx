import type { Session } from "../models/session";
import { signedInScreens } from "../screens";
import { AuthFormFooter, AuthLayout, useAuthForm } from "./AuthLayout";
import { Link } from "./Link";

export function Login({ session }: { session: Session }) {
  const notice = session.notice.value;
  return (
    <AuthLayout title="Log in">
      {notice && (
        <p class="banner banner--info" role="status">
          {notice}
        </p>
      )}
      <LoginForm session={session} signupHref="/signup" />
    </AuthLayout>
  );
}

/** The login form, and the way to sign up instead. */
export function LoginForm({ session, signupHref }: { session: Session; signupHref: string }) {
  const { error, busy, onSubmit } = useAuthForm((form) =>
    session.login(String(form.get("username")).trim(), String(form.get("password"))),
  );
  return (
    <>
      {/* The chat comes next: fetched while the person types. */}
      <form class="form" onSubmit={onSubmit} onInput={signedInScreens.preload}>
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
        New here? <Link href={signupHref}>Create an account</Link>
      </p>
    </>
  );
}
