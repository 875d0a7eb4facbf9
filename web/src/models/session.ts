import { createModel, effect, signal } from "@preact/signals";
import type { User } from "../../../protocol/api";
import { ApiError, api, setUnauthorizedHandler } from "../net/api";
import type { SessionEnding } from "../net/socket";
import type { OutboxStore, StorageLike } from "./outbox-store";
import { navigate } from "./route";

export type SessionStatus = "loading" | "signed-out" | "signed-in";

const ENDED_NOTICES = {
  expired: "Your account has reached the end of its lifetime and was removed.",
  deleted: "Your account was deleted.",
  "signed-out": "Your session has ended. Please log in again.",
  "logged-out-elsewhere": "You logged out in another tab.",
} as const;
export type EndReason = keyof typeof ENDED_NOTICES;
const EXPIRY_RECHECK_MS = 60_000;
/**
 * Set on sign-up and login, cleared on leaving: whether a session cookie (HttpOnly, so unseen
 * here) may exist. Without it a page load does not ask /api/me and logs no 401.
 */
export const SESSION_HINT_KEY = "chat.session";

/** Who is signed in, and the ways in and out. Leaving for good forgets what was left unsent. */
export const SessionModel = createModel((outbox: OutboxStore, hints: StorageLike) => {
  const status = signal<SessionStatus>("loading");
  const user = signal<User | null>(null);
  /** Shown on the login screen after the session ended by itself. */
  const notice = signal<string | null>(null);

  const hint = (on: boolean) => {
    try {
      if (on) hints.setItem(SESSION_HINT_KEY, "1");
      else hints.removeItem(SESSION_HINT_KEY);
    } catch {
      // Storage refused: the next load asks the server once more.
    }
  };

  const signedIn = (next: User) => {
    hint(true);
    user.value = next;
    status.value = "signed-in";
    notice.value = null;
  };

  /** Set while this tab logs out: the server then closes this tab's sockets too, which is no news here. */
  let leaving = false;

  const end = (reason: EndReason) => {
    if (status.value !== "signed-in" || leaving) return;
    // A lost session may be the same person logging in again; an ended account or a logout never sends.
    if (reason !== "signed-out" && user.value) outbox.clear(user.value.id);
    hint(false);
    user.value = null;
    status.value = "signed-out";
    notice.value = ENDED_NOTICES[reason];
    navigate("/login", { replace: true });
  };

  effect(() => {
    setUnauthorizedHandler(() => end("signed-out"));
    return () => setUnauthorizedHandler(() => {});
  });

  // At expiresAt, ask the server (the local clock may be off) rather than wait for the purge.
  effect(() => {
    const expiresAt = user.value ? Date.parse(user.value.expiresAt) : NaN;
    if (Number.isNaN(expiresAt)) return;
    let timer: ReturnType<typeof setTimeout>;
    const check = (delay: number) => {
      timer = setTimeout(() => {
        api.me().then(
          () => check(EXPIRY_RECHECK_MS),
          (error: unknown) =>
            error instanceof ApiError && error.status === 401 ? end("expired") : check(EXPIRY_RECHECK_MS),
        );
      }, delay);
    };
    check(Math.max(0, expiresAt - Date.now()));
    return () => clearTimeout(timer);
  });

  return {
    status,
    user,
    notice,
    async load() {
      if (hints.getItem(SESSION_HINT_KEY) === null) {
        status.value = "signed-out";
        return;
      }
      try {
        signedIn((await api.me()).user);
      } catch (error) {
        // Only an answer that there is no session clears the hint; a network failure does not.
        if (error instanceof ApiError && error.status === 401) hint(false);
        status.value = "signed-out";
      }
    },
    async login(username: string, password: string) {
      signedIn((await api.login(username, password)).user);
    },
    async signup(username: string, password: string, lifetimeHours: number) {
      signedIn((await api.signup(username, password, lifetimeHours)).user);
    },
    async logout() {
      const leavingUser = user.value;
      leaving = true;
      try {
        await api.logout().catch(() => undefined);
      } finally {
        leaving = false;
      }
      if (leavingUser) outbox.clear(leavingUser.id);
      hint(false);
      user.value = null;
      status.value = "signed-out";
      notice.value = null;
      navigate("/login");
    },
    async deleteAccount() {
      await api.deleteAccount();
      end("deleted");
    },
    end,
    /** A socket was closed because the account or this session ended (in another tab, say). */
    ended(ending: SessionEnding) {
      end(ending.kind === "session" ? "logged-out-elsewhere" : (ending.reason ?? "expired"));
    },
  };
});

export type Session = InstanceType<typeof SessionModel>;
