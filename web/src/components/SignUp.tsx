import { LIFETIME_HOURS_DEFAULT, PASSWORD_MAX, PASSWORD_MIN } from "../../../protocol/api";
import type { Session } from "../models/session";
import { signedInScreens } from "../screens";
import { AuthFormFooter, AuthLayout, useAuthForm } from "./AuthLayout";
import { Link } from "./Link";

/** Choices within API.md's 1 to 168 hours. */
const LIFETIMES = [
  { hours: 1, label: "1 hour" },
  { hours: 6, label: "6 hours" },
  { hours: 12, label: "12 hours" },
  { hours: 24, label: "24 hours" },
  { hours: 48, label: "2 days" },
  { hours: 72, label: "3 days" },
  { hours: 168, label: "7 days" },
];

export function SignUp({ session }: { session: Session }) {
  return (
    <AuthLayout title="Create an account">
      <SignUpForm session={session} loginHref="/login" />
    </AuthLayout>
  );
}

/** The sign-up form, and the way to log in instead. */
export function SignUpForm({ session, loginHref }: { session: Session; loginHref: string }) {
  const { error, busy, onSubmit } = useAuthForm((form) =>
    session.signup(String(form.get("username")).trim(), String(form.get("password")), Number(form.get("lifetime"))),
  );

  return (
    <>
      {/* The chat comes next: fetched while the person types. */}
      <form class="form" onSubmit={onSubmit} onInput={signedInScreens.preload}>
        <label class="field">
          <span class="field__label">Username</span>
          <input
            name="username"
            autoComplete="username"
            required
            autoFocus
            autoCapitalize="none"
            spellcheck={false}
            minLength={3}
            maxLength={32}
            pattern="[A-Za-z0-9_.\-]{3,32}"
            aria-describedby="username-hint"
          />
          <span class="field__hint" id="username-hint">
            3 to 32 letters, digits, _ . or -
          </span>
        </label>
        <label class="field">
          <span class="field__label">Password</span>
          <input
            name="password"
            type="password"
            autoComplete="new-password"
            required
            minLength={PASSWORD_MIN}
            maxLength={PASSWORD_MAX}
            aria-describedby="password-hint"
          />
          <span class="field__hint" id="password-hint">
            At least {PASSWORD_MIN} characters
          </span>
        </label>
        <label class="field">
          <span class="field__label">Account lifetime</span>
          <select name="lifetime" aria-describedby="lifetime-hint">
            {LIFETIMES.map((choice) => (
              <option
                key={choice.hours}
                value={String(choice.hours)}
                selected={choice.hours === LIFETIME_HOURS_DEFAULT}
              >
                {choice.label}
              </option>
            ))}
          </select>
          <span class="field__hint" id="lifetime-hint">
            After this the account, its connections and its messages are deleted.
          </span>
        </label>
        <AuthFormFooter error={error} busy={busy} label="Sign up" busyLabel="Creating…" />
      </form>
      <p class="auth__switch">
        Already have an account? <Link href={loginHref}>Log in</Link>
      </p>
    </>
  );
}
