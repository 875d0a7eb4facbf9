import { useModel } from "@preact/signals";
import { useEffect, useState } from "preact/hooks";
import { InviteLandingModel } from "../models/invite";
import { conversationPath, invitePath, navigate } from "../models/route";
import type { Session } from "../models/session";
import { AuthLayout } from "./AuthLayout";
import { Link } from "./Link";
import { LoginForm } from "./Login";
import { SignUpForm } from "./SignUp";

type Props = { token: string; login: boolean; session: Session };

/**
 * `/invite/<token>`: who invited, then sign up (or log in) and land in the chat with them. Someone
 * who arrives already signed in is asked first, since accepting shows each other's presence.
 */
export function InviteScreen({ token, login, session }: Props) {
  const landing = useModel(() => new InviteLandingModel(token));
  const signedIn = session.status.value === "signed-in";
  const state = landing.state.value;
  // Signing up or logging in on this page is the answer: no second question after it.
  const [arrivedSignedIn] = useState(signedIn);

  const accept = async () => {
    const connection = await landing.accept();
    if (connection) navigate(conversationPath(connection.conversationId), { replace: true });
  };

  useEffect(() => {
    if (signedIn && !arrivedSignedIn && state.kind === "live") void accept();
  }, [signedIn, state.kind]);

  if (state.kind === "loading") {
    return (
      <AuthLayout title="Invitation">
        <p role="status">Opening the invitation…</p>
      </AuthLayout>
    );
  }
  if (state.kind === "error") {
    return (
      <AuthLayout title="Invitation">
        <p class="form__error" role="alert">
          {state.message}
        </p>
        <button class="button" type="button" onClick={() => void landing.load()}>
          Try again
        </button>
      </AuthLayout>
    );
  }
  if (state.kind === "gone") {
    return (
      <AuthLayout title="This invite link no longer works">
        <p>It has been used already, or it has expired. Ask the person who sent it for a new one.</p>
        <p class="auth__switch">
          {signedIn ? (
            <Link href="/">Go to your chats</Link>
          ) : (
            <>
              <Link href="/login">Log in</Link> or <Link href="/signup">create an account</Link>
            </>
          )}
        </p>
      </AuthLayout>
    );
  }

  const inviter = state.inviter;
  const title = `${inviter} invited you`;
  if (!signedIn) {
    return (
      <AuthLayout title={title}>
        <p class="auth__lead">
          {login ? "Log in" : "Create an account"} to chat with <bdi>{inviter}</bdi>: you are connected as soon as you
          are in, with no search and no request.
        </p>
        {login ? (
          <LoginForm session={session} signupHref={invitePath(token)} />
        ) : (
          <SignUpForm session={session} loginHref={invitePath(token, true)} />
        )}
      </AuthLayout>
    );
  }
  const busy = landing.accepting.value;
  return (
    <AuthLayout title={title}>
      {arrivedSignedIn ? (
        <p class="auth__lead">
          Accept to connect with <bdi>{inviter}</bdi>: you will see when the other is online, and can chat right away.
        </p>
      ) : (
        !landing.acceptError.value && <p role="status">Connecting you with {inviter}…</p>
      )}
      {landing.acceptError.value && (
        <p class="form__error" role="alert">
          {landing.acceptError.value}
        </p>
      )}
      {(arrivedSignedIn || landing.acceptError.value) && (
        <div class="auth__actions">
          <button class="button button--primary" type="button" disabled={busy} onClick={() => void accept()}>
            {busy ? "Connecting…" : landing.acceptError.value ? "Try again" : "Accept and chat"}
          </button>
          <Link href="/">Not now</Link>
        </div>
      )}
    </AuthLayout>
  );
}
