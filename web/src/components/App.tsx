import { useEffect } from "preact/hooks";
import type { Notifications } from "../models/notifications";
import type { OutboxStore } from "../models/outbox-store";
import { navigate, route } from "../models/route";
import type { Session } from "../models/session";
import { ChatScreen } from "./ChatScreen";
import { Login } from "./Login";
import { SignUp } from "./SignUp";

type Props = { session: Session; notifications: Notifications; outboxStore: OutboxStore };

/** Picks the screen from the session and the address bar. */
export function App({ session, notifications, outboxStore }: Props) {
  const status = session.status.value;
  const user = session.user.value;
  const current = route.value;

  useEffect(() => {
    if (status === "signed-in" && current.name !== "home") navigate("/", { replace: true });
  }, [status, current.name]);

  if (status === "loading") {
    return (
      <div class="splash" role="status">
        Loading…
      </div>
    );
  }
  // The signed-in screen gets its user as a prop: below here nobody asks whether there is one.
  if (status === "signed-in" && user) {
    return (
      <ChatScreen key={user.id} user={user} session={session} notifications={notifications} outboxStore={outboxStore} />
    );
  }
  return current.name === "signup" ? <SignUp session={session} /> : <Login session={session} />;
}
